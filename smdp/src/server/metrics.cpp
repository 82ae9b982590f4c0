#include "metrics.hpp"

#include <sstream>

namespace smdp {

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
  out << "# HELP smdp_requests_total ES9+ and ES2+ requests by function and outcome.\n"
      << "# TYPE smdp_requests_total counter\n";
  for (const auto& [labels, n] : requests_) out << "smdp_requests_total{" << labels << "} " << n << "\n";
  out << "# HELP smdp_request_duration_seconds Time to answer a request, by function.\n"
      << "# TYPE smdp_request_duration_seconds histogram\n";
  for (const auto& [labels, h] : durations_) {
    for (size_t i = 0; i < kBuckets.size(); ++i)
      out << "smdp_request_duration_seconds_bucket{" << labels << ",le=\"" << kBuckets[i] << "\"} " << h.buckets[i] << "\n";
    out << "smdp_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << h.count << "\n"
        << "smdp_request_duration_seconds_sum{" << labels << "} " << h.sum << "\n"
        << "smdp_request_duration_seconds_count{" << labels << "} " << h.count << "\n";
  }
  return out.str();
}

}  // namespace smdp
