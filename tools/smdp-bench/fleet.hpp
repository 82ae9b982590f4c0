#pragma once
// What smdp-bench sets up before the clock starts: a test PKI, the SM-DP+ (Es9Plus over a store),
// one released order (a profile with its matchingId) per download, and enough software eUICCs,
// each with an EID of its own, that no card runs out of profile slots. Card creation issues
// certificates and writes state: none of it is measured.
#include <atomic>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "euicc/euicc.hpp"
#include "rsp/crypto/keys.hpp"
#include "rsp/crypto/sealing.hpp"
#include "rsp/expected.hpp"
#include "smdp/dp_credentials.hpp"
#include "smdp/es9plus.hpp"
#include "smdp/store.hpp"

namespace smdp_bench {

struct FleetOptions {
  int downloads = 200;
  int workers = 1;
  rsp::crypto::Curve curve = rsp::crypto::Curve::nist_p256;
  size_t profile_size = 0;  // pad each profile package to this many bytes; 0: as the profile maker makes it
  std::string db_url;       // empty: SQLite in the working directory
  // An existing rsp-pki directory (an SM-DP+'s, with the EUM key for the cards); empty: a new one.
  std::filesystem::path pki;
  std::string smdp_address = "smdp.bench.example";
  // Cards made as the run goes (a run for a given time, whose downloads are not known before):
  // one per worker at first, each replaced by a new one by next_card() when it is full.
  bool cards_on_demand = false;
  // Profiles sealed at rest under this key, as `smdp serve` keeps them; none: in clear.
  std::optional<rsp::crypto::SealingKey> profile_key;
};

// A worker's share: the matchingIds it downloads, in order, and its cards (each takes
// `profiles_per_card` downloads before the next is used).
struct WorkerShare {
  std::vector<std::string> matching_ids;
  std::vector<std::unique_ptr<euicc::Euicc>> cards;
  std::vector<std::filesystem::path> card_dirs;  // each card's state, in the same order
};

class Fleet {
 public:
  // Everything lives in a new directory under the system's temporary directory, removed again
  // by the destructor.
  static rsp::Expected<std::unique_ptr<Fleet>> create(const FleetOptions& options);
  ~Fleet();
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  const FleetOptions& options() const { return options_; }
  const std::filesystem::path& directory() const { return dir_; }
  bool cards_in_memory() const { return cards_dir_.parent_path() == "/dev/shm"; }
  const std::filesystem::path& pki() const { return pki_; }
  smdp::Es9Plus& es9() { return *es9_; }
  std::vector<WorkerShare>& shares() { return shares_; }
  size_t profiles_per_card() const { return profiles_per_card_; }
  size_t profile_package_bytes() const { return profile_package_bytes_; }
  size_t card_count() const;
  // cards_on_demand: replaces the share's card by a new one (its own EID), the old card's state
  // removed. Called by the share's worker only.
  rsp::Status<> next_card(WorkerShare& share);

 private:
  explicit Fleet(FleetOptions options) : options_(std::move(options)) {}
  rsp::Status<> make_orders();
  rsp::Status<> make_cards();
  rsp::Status<> add_card(WorkerShare& share);

  FleetOptions options_;
  std::filesystem::path dir_, pki_;
  // The cards' state: in memory (/dev/shm) where there is one. The cards are the load, not what
  // is measured: their files on the server's disk would compete with the store's syncs.
  std::filesystem::path cards_dir_;
  std::unique_ptr<smdp::Store> store_;
  smdp::DpIdentity identity_;
  std::unique_ptr<smdp::Es9Plus> es9_;
  std::vector<WorkerShare> shares_;
  size_t profiles_per_card_ = 0;
  std::atomic<uint64_t> next_serial_{0};
  std::atomic<size_t> cards_made_{0};
  size_t profile_package_bytes_ = 0;
};

}  // namespace smdp_bench
