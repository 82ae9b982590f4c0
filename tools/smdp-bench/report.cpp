#include "report.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "number_format.hpp"

namespace smdp_bench {

namespace {

using nlohmann::ordered_json;

// Nearest-rank percentile of sorted values.
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// `with_cpu` false: the thread's CPU is not the SM-DP+'s (over HTTPS), so none is reported.
ordered_json latency(const CallTally& calls, bool with_cpu) {
  std::vector<double> sorted = calls.wall_ms;
  std::sort(sorted.begin(), sorted.end());
  double n = static_cast<double>(sorted.size());
  return {{"calls", sorted.size()},
          {"mean_ms", round3(sorted.empty() ? 0 : std::accumulate(sorted.begin(), sorted.end(), 0.0) / n)},
          {"p50_ms", round3(percentile(sorted, 50))},
          {"p95_ms", round3(percentile(sorted, 95))},
          {"p99_ms", round3(percentile(sorted, 99))},
          {"cpu_ms_per_call",
           with_cpu ? ordered_json(round3(sorted.empty() ? 0 : calls.cpu_ms / n)) : ordered_json(nullptr)}};
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}

// printf of up to three numbers of the report.
std::string format(const char* pattern, const ordered_json& a, const ordered_json& b = 0, const ordered_json& c = 0) {
  char line[256];
  std::snprintf(line, sizeof line, pattern, a.get<double>(), b.get<double>(), c.get<double>());
  return line;
}

}  // namespace

nlohmann::ordered_json to_json(const RunFacts& facts, const Tally& tally, const std::optional<CryptoFloor>& floor) {
  double per = tally.completed > 0 ? 1.0 / tally.completed : 0;
  double smdp_cpu = 0;
  ordered_json functions = ordered_json::object();
  for (auto f : kEs9Functions) {
    smdp_cpu += tally[f].cpu_ms;
    functions[name(f)] = latency(tally[f], facts.smdp_cpu_measured);
  }
  ordered_json report = {
      {"mode", facts.mode},
      {"curve", facts.curve},
      {"store", facts.store},
      {"threads", facts.threads},
      {"cards", facts.cards},
      {"card_state", facts.cards_in_memory ? "memory" : "disk"},
      {"downloads", facts.downloads},
      {"completed", tally.completed},
      {"failed", tally.failed},
      {"wall_seconds", round3(facts.wall_seconds)},
      {"downloads_per_second", round3(facts.wall_seconds > 0 ? tally.completed / facts.wall_seconds : 0)},
      {"process_cpu_ms_per_download", round3(facts.process_cpu_seconds * 1000.0 * per)},
      {"card_cpu_ms_per_download", round3(tally.card.cpu_ms * per)},
      {"profile_package_bytes", facts.profile_package_bytes},
      {"bpp_bytes", tally.bpp_bytes},
      {"peak_rss_kib", peak_rss_kib()},
      {"load_average_at_start", round3(facts.load_average)},
      {"es9_functions", functions},
  };
  // Over HTTPS the thread's CPU is the client's; the SM-DP+'s is not seen from here.
  report["smdp_cpu_ms_per_download"] =
      facts.smdp_cpu_measured ? ordered_json(round3(smdp_cpu * per)) : ordered_json(nullptr);
  if (facts.connections_opened) {
    report["connections_opened"] = *facts.connections_opened;
    report["tls_handshakes_per_download"] = round3(static_cast<double>(*facts.connections_opened) * per);
  }
  {
    std::vector<double> downloads = tally.download.wall_ms;
    std::sort(downloads.begin(), downloads.end());
    report["download_p50_ms"] = round3(percentile(downloads, 50));
    report["download_p95_ms"] = round3(percentile(downloads, 95));
  }
  if (facts.server) {
    ordered_json means = ordered_json::object();
    for (const auto& [function, d] : facts.server->es9)
      if (d.count > 0) means[function] = round3(d.seconds * 1000.0 / d.count);
    report["server"] = {{"cpu_ms_per_download", round3(facts.server->cpu_seconds * 1000.0 * per)},
                        {"es9_mean_ms", means}};
  }
  if (facts.store_syncs) report["store_syncs_per_download"] = round3(static_cast<double>(*facts.store_syncs) * per);
  if (!tally.first_error.empty()) report["first_error"] = tally.first_error;
  if (floor)
    report["crypto_floor"] = {{"sign_ms", round3(floor->sign_ms)},
                              {"verify_ms", round3(floor->verify_ms)},
                              {"keygen_and_ecka_ms", round3(floor->key_agreement_ms)},
                              {"signs", CryptoFloor::kSigns},
                              {"verifies", CryptoFloor::kVerifies},
                              {"key_agreements", CryptoFloor::kKeyAgreements},
                              {"ms_per_download", round3(floor->per_download_ms())},
                              {"downloads_per_second_per_core", round3(floor->downloads_per_second_per_core())}};
  return report;
}

std::string to_text(const ordered_json& r) {
  std::string out;
  out += "smdp-bench: " + r["mode"].get<std::string>() + ", curve " + r["curve"].get<std::string>() + ", store " +
         r["store"].get<std::string>() + ", " + std::to_string(r["threads"].get<int>()) + " thread(s), " +
         std::to_string(r["cards"].get<size_t>()) + " card(s), their state on " + r["card_state"].get<std::string>() +
         "\n";
  out += "downloads:        " + std::to_string(r["completed"].get<int>()) + " of " +
         std::to_string(r["downloads"].get<int>()) + " completed, " + std::to_string(r["failed"].get<int>()) +
         " failed\n";
  if (r.contains("first_error")) out += "first error:      " + r["first_error"].get<std::string>() + "\n";
  out += format("wall time:        %.3f s -> %.1f downloads/s\n", r["wall_seconds"], r["downloads_per_second"]);
  if (r["smdp_cpu_ms_per_download"].is_null())
    out += "SM-DP+ CPU:       not seen from here (another process)\n";
  else
    out += format("SM-DP+ CPU:       %.2f ms per download (ES9+ calls, thread CPU)\n", r["smdp_cpu_ms_per_download"]);
  if (r.contains("connections_opened"))
    out += format("connections:      %.0f opened (each a TCP and TLS handshake), %.2f per download\n",
                  r["connections_opened"], r["tls_handshakes_per_download"]);
  if (r.contains("store_syncs_per_download"))
    out += format("store syncs:      %.2f per download (SQLite fsync/fdatasync)\n", r["store_syncs_per_download"]);
  out += format("card CPU:         %.2f ms per download (ES10 commands)\n", r["card_cpu_ms_per_download"]);
  out += format("process CPU:      %.2f ms per download (user + system)\n", r["process_cpu_ms_per_download"]);
  out += "profile package:  " + std::to_string(r["profile_package_bytes"].get<size_t>()) + " bytes, BPP " +
         std::to_string(r["bpp_bytes"].get<size_t>()) + " bytes\n";
  out += "peak RSS:         " + std::to_string(r["peak_rss_kib"].get<long>()) + " KiB\n";
  out += format("load at start:    %.2f (one-minute average)\n", r["load_average_at_start"]);
  if (r.contains("server"))
    out += format("server CPU:       %.2f ms per download (smdp serve's process CPU, from its metrics)\n",
                  r["server"]["cpu_ms_per_download"]);
  out += format("whole download:   p50 %.2f ms, p95 %.2f ms (wall, card included)\n", r["download_p50_ms"],
                r["download_p95_ms"]);
  out += "ES9+ latency (ms)          mean      p50      p95      p99   SM-DP+ CPU/call  server mean\n";
  for (const auto& [function, l] : r["es9_functions"].items()) {
    char line[160];
    std::snprintf(line, sizeof line, "  %-22s %8.2f %8.2f %8.2f %8.2f", function.c_str(), l["mean_ms"].get<double>(),
                  l["p50_ms"].get<double>(), l["p95_ms"].get<double>(), l["p99_ms"].get<double>());
    out += line;
    out += l["cpu_ms_per_call"].is_null() ? std::string("        -        ")
                                          : format(" %8.2f        ", l["cpu_ms_per_call"]);
    bool seen = r.contains("server") && r["server"]["es9_mean_ms"].contains(function);
    out += seen ? format("%8.2f\n", r["server"]["es9_mean_ms"][function]) : std::string("       -\n");
  }
  if (r.contains("crypto_floor")) {
    const auto& c = r["crypto_floor"];
    out += format("crypto ops:       sign %.3f ms, verify %.3f ms, keygen+ECKA %.3f ms\n", c["sign_ms"], c["verify_ms"],
                  c["keygen_and_ecka_ms"]);
    out += format("crypto floor: %.2f ms/download (3 signs, 5 verifies, 1 keygen+ECKA) -> %.0f downloads/s per core\n",
                  c["ms_per_download"], c["downloads_per_second_per_core"]);
  }
  if (r.contains("targets")) {
    out += "issue 12 targets (this run's figure / the limit):\n";
    for (const auto& t : r["targets"]) {
      out += t["met"].get<bool>() ? "  met      " : "  NOT met  ";
      out += t["target"].get<std::string>() + ": ";
      out += format("%.3g / %.3g ", t["figure"], t["limit"]) + t["unit"].get<std::string>() +
             format(" (ratio %.2f)\n", t["ratio"]);
    }
  }
  return out;
}

}  // namespace smdp_bench
