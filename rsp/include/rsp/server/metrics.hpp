#pragma once
// Request counts and latency per function, in Prometheus text format (GET /metrics).
#include <array>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "rsp/http/server.hpp"

namespace rsp::server {

class Metrics {
 public:
  // `name` prefixes the series: <name>_requests_total, <name>_request_duration_seconds.
  explicit Metrics(std::string name) : name_(std::move(name)) {}

  // One finished request: interface ("es9", "es2", "es11", "es12"), function name, outcome ("Executed-Success",
  // "Failed", or "subject/reason") and its duration.
  void observe(std::string_view interface, std::string_view function, std::string_view outcome, double seconds);
  std::string prometheus_text() const;

 private:
  static constexpr std::array<double, 12> kBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};  // cumulative counts per upper bound
    uint64_t count = 0;
    double sum = 0;
  };
  std::string name_;
  mutable std::mutex mutex_;
  std::map<std::string, uint64_t> requests_;    // label set -> count
  std::map<std::string, Histogram> durations_;  // label set -> histogram
};

// GET /metrics: the Prometheus text of `metrics`; anything else 404.
http::Handler metrics_handler(Metrics& metrics);

}  // namespace rsp::server
