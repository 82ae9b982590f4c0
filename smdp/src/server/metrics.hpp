#pragma once
// Request counts and latency per function, in Prometheus text format (GET /metrics).
#include <array>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace smdp {

class Metrics {
 public:
  // One finished request: interface ("es9", "es2"), function name, outcome ("Executed-Success",
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
  mutable std::mutex mutex_;
  std::map<std::string, uint64_t> requests_;    // label set -> count
  std::map<std::string, Histogram> durations_;  // label set -> histogram
};

}  // namespace smdp
