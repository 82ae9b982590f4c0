#include "targets.hpp"

#include <algorithm>
#include <cmath>

#include "number_format.hpp"

namespace smdp_bench {

namespace {

using nlohmann::ordered_json;

// `at_most` false: the figure must reach the limit instead.
ordered_json target(const char* name, double figure, double limit, const char* unit, bool at_most = true) {
  return {{"target", name},         {"figure", round3(figure)},
          {"limit", round3(limit)}, {"ratio", round3(limit > 0 ? figure / limit : 0)},
          {"unit", unit},           {"met", at_most ? figure <= limit : figure >= limit}};
}

}  // namespace

ordered_json evaluate_targets(const ordered_json& r) {
  ordered_json out = ordered_json::array();
  bool in_process = r["mode"] == "in-process";
  const ordered_json* floor = r.contains("crypto_floor") ? &r["crypto_floor"] : nullptr;
  if (in_process && floor && r["smdp_cpu_ms_per_download"].is_number())
    out.push_back(target("SM-DP+ CPU per download, in process, at most 1.5x the crypto floor",
                         r["smdp_cpu_ms_per_download"].get<double>(), 1.5 * (*floor)["ms_per_download"].get<double>(),
                         "ms"));
  if (r.contains("server")) {
    const ordered_json& server = r["server"];
    if (floor && r.contains("tls_handshakes_per_download")) {
      // A TLS 1.3 handshake's public-key work at the server: one ECDHE key pair and agreement, one signature.
      double handshake = (*floor)["sign_ms"].get<double>() + (*floor)["keygen_and_ecka_ms"].get<double>();
      double limit =
          2.5 * (*floor)["ms_per_download"].get<double>() + r["tls_handshakes_per_download"].get<double>() * handshake;
      out.push_back(
          target("server CPU per download over HTTPS, at most 2.5x the floor plus its TLS handshakes' public-key work",
                 server["cpu_ms_per_download"].get<double>(), limit, "ms"));
    }
    double worst = 0;
    for (const auto& [function, l] : r["es9_functions"].items())
      if (server["es9_mean_ms"].contains(function))
        worst = std::max(worst, l["p50_ms"].get<double>() - server["es9_mean_ms"][function].get<double>());
    out.push_back(target("each ES9+ call's p50 beyond the server's own time for it, at most 2 ms", worst, 2, "ms"));
  }
  if (!in_process) {
    out.push_back(target("whole download p50 over HTTPS, under 15 ms", r["download_p50_ms"].get<double>(), 15, "ms"));
    out.push_back(target("complete downloads per second over HTTPS, at least 500",
                         r["downloads_per_second"].get<double>(), 500, "downloads/s", false));
  }
  if (r.contains("store_syncs_per_download"))
    out.push_back(
        target("store syncs per download, at most 2", r["store_syncs_per_download"].get<double>(), 2, "syncs"));
  return out;
}

}  // namespace smdp_bench
