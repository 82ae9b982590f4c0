#pragma once
// Issue 12's targets, each with this run's figure, its limit and whether it is met, computed from
// the report (only the targets the run's mode can show: the SM-DP+'s CPU against the crypto floor
// in process, the server's over HTTPS with --metrics, latency, throughput, syncs).
#include <nlohmann/json.hpp>

namespace smdp_bench {

// An array of {target, figure, limit, ratio, unit, met}; ratio is figure / limit.
nlohmann::ordered_json evaluate_targets(const nlohmann::ordered_json& report);

}  // namespace smdp_bench
