#pragma once
// What `smdp serve` says of itself on its metrics port (--metrics-listen): its process CPU and its
// own time per ES9+ function, read before and after a run over HTTPS, so the bench reports the
// server's CPU per download and each call's wait beyond the server's time for it.
#include <map>
#include <string>

#include "rsp/expected.hpp"
#include "rsp/http/client.hpp"

namespace smdp_bench {

struct ServerSample {
  double cpu_seconds = 0;
  struct Duration {
    double seconds = 0;  // summed
    double count = 0;
  };
  std::map<std::string, Duration> es9;  // by ES9+ function name

  // What happened between `before` and this sample.
  ServerSample since(const ServerSample& before) const;
};

// GET `metrics_url` (http://HOST:PORT/metrics) and read process_cpu_seconds_total and the
// smdp_request_duration_seconds sums and counts of interface "es9".
rsp::Expected<ServerSample> scrape(const rsp::http::Client& client, const std::string& metrics_url);

}  // namespace smdp_bench
