#include "rsp/server/metrics.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <sstream>

#include "rsp/refusals.hpp"
#include "rsp/server/http_json.hpp"

namespace rsp::server {

namespace {

// Label values here are our own names and status codes, but escape anyway: the format demands it.
std::string escaped(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void Metrics::observe(std::string_view interface, std::string_view function, std::string_view outcome, double seconds) {
  std::string labels = "interface=\"" + escaped(interface) + "\",function=\"" + escaped(function) + "\"";
  std::lock_guard guard(mutex_);
  requests_[labels + ",outcome=\"" + escaped(outcome) + "\""] += 1;
  Histogram& h = durations_[labels];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) h.buckets[i] += 1;
  h.count += 1;
  h.sum += seconds;
}

std::string Metrics::prometheus_text() const {
  std::ostringstream out;
  std::lock_guard guard(mutex_);
  const std::string requests = name_ + "_requests_total", duration = name_ + "_request_duration_seconds";
  out << "# HELP " << requests << " Requests by interface, function and outcome.\n"
      << "# TYPE " << requests << " counter\n";
  for (const auto& [labels, n] : requests_) out << requests << "{" << labels << "} " << n << "\n";
  out << "# HELP " << duration << " Time to answer a request, by function.\n"
      << "# TYPE " << duration << " histogram\n";
  for (const auto& [labels, h] : durations_) {
    for (size_t i = 0; i < kBuckets.size(); ++i)
      out << duration << "_bucket{" << labels << ",le=\"" << kBuckets[i] << "\"} " << h.buckets[i] << "\n";
    out << duration << "_bucket{" << labels << ",le=\"+Inf\"} " << h.count << "\n"
        << duration << "_sum{" << labels << "} " << h.sum << "\n"
        << duration << "_count{" << labels << "} " << h.count << "\n";
  }
  // What the process's listeners refused beyond their limits, every reason even at zero.
  out << "# HELP rsp_http_refused_total Connections and requests refused beyond a listener's limits, by reason.\n"
      << "# TYPE rsp_http_refused_total counter\n";
  for (auto reason : kRefusals)
    out << "rsp_http_refused_total{reason=\"" << refusal_name(reason) << "\"} " << refusal_count(reason) << "\n";
  // The standard process metric, so that a load test reads the server's CPU per request.
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  char cpu[64];
  std::snprintf(cpu, sizeof cpu, "%.6f", seconds(usage.ru_utime) + seconds(usage.ru_stime));
  out << "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
      << "# TYPE process_cpu_seconds_total counter\n"
      << "process_cpu_seconds_total " << cpu << "\n";
  return out.str();
}

http::Handler metrics_handler(Metrics& metrics) {
  return [&metrics](const http::Request& request) -> http::Response {
    if (request.method != "GET" || request.target != "/metrics") return plain_response(404, "only GET /metrics here");
    http::Response r;
    r.headers.set("Content-Type", "text/plain; version=0.0.4");
    r.body = metrics.prometheus_text();
    return r;
  };
}

}  // namespace rsp::server
