#include "server_metrics.hpp"

#include <regex>
#include <sstream>

namespace smdp_bench {

ServerSample ServerSample::since(const ServerSample& before) const {
  ServerSample out;
  out.cpu_seconds = cpu_seconds - before.cpu_seconds;
  for (const auto& [function, d] : es9) {
    auto earlier = before.es9.find(function);
    Duration base = earlier == before.es9.end() ? Duration{} : earlier->second;
    out.es9[function] = {d.seconds - base.seconds, d.count - base.count};
  }
  return out;
}

rsp::Expected<ServerSample> scrape(const rsp::http::Client& client, const std::string& metrics_url) {
  auto response = client.get(metrics_url);
  if (!response) return rsp::fail("metrics: " + response.error().message);
  if (response->status != 200)
    return rsp::fail("metrics: HTTP " + std::to_string(response->status) + " from " + metrics_url);
  static const std::regex duration(
      R"re(^smdp_request_duration_seconds_(sum|count)\{interface="es9",function="([A-Za-z]+)"\} ([0-9.eE+-]+)$)re");
  static const std::regex cpu(R"(^process_cpu_seconds_total ([0-9.eE+-]+)$)");
  ServerSample sample;
  bool saw_cpu = false;
  std::istringstream lines(response->body);
  std::smatch m;
  for (std::string line; std::getline(lines, line);) {
    if (std::regex_match(line, m, duration)) {
      auto& d = sample.es9[m[2]];
      (m[1] == "sum" ? d.seconds : d.count) = std::stod(m[3]);
    } else if (std::regex_match(line, m, cpu)) {
      sample.cpu_seconds = std::stod(m[1]);
      saw_cpu = true;
    }
  }
  if (!saw_cpu) return rsp::fail("metrics: no process_cpu_seconds_total at " + metrics_url + " (an older smdp serve?)");
  return sample;
}

}  // namespace smdp_bench
