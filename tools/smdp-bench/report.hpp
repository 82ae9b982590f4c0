#pragma once
// smdp-bench's findings, as lines for people or as one JSON object.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "crypto_floor.hpp"
#include "measurement.hpp"
#include "server_metrics.hpp"

namespace smdp_bench {

struct RunFacts {
  std::string mode;   // "in-process" or the ES9+ URL
  std::string curve;  // "nist" or "brainpool"
  std::string store;  // "sqlite" or "postgresql"
  int downloads = 0;
  int threads = 0;
  size_t cards = 0;
  bool cards_in_memory = false;  // the cards' state files on tmpfs, not on the store's disk
  size_t profile_package_bytes = 0;
  double wall_seconds = 0;
  double process_cpu_seconds = 0;            // user + system of the whole process over the timed run
  double load_average = 0;                   // one-minute load when the run began
  bool smdp_cpu_measured = true;             // false over HTTPS: the SM-DP+ runs in another process
  std::optional<size_t> connections_opened;  // over HTTPS: TCP connections, each a TLS handshake
  std::optional<uint64_t> store_syncs;       // in process on SQLite: fsync/fdatasync over the timed run
  std::optional<ServerSample> server;        // over HTTPS with --metrics: the server's own account of the run
};

nlohmann::ordered_json to_json(const RunFacts& facts, const Tally& tally, const std::optional<CryptoFloor>& floor);
std::string to_text(const nlohmann::ordered_json& report);

}  // namespace smdp_bench
