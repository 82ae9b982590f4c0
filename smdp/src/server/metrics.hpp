#pragma once
// Prometheus counters and histograms: rsp/server's, shared with the SM-DS.
#include "rsp/server/metrics.hpp"

namespace smdp {

using rsp::server::Metrics;

}  // namespace smdp
