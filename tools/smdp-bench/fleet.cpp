#include "fleet.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>

#include "euicc/card_store.hpp"
#include "number_format.hpp"
#include "rsp/eid.hpp"
#include "rsp/pki/certificate_issuer.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/pki/test_pki.hpp"
#include "rsp/profile_maker.hpp"

namespace smdp_bench {

namespace fs = std::filesystem;
using rsp::Bytes;
using rsp::crypto::Role;

namespace {

constexpr size_t kOrderChunk = 5000;

// A card's own credentials in its state directory (the rsp-pki layout the card loads): the CI and
// EUM of the fleet's PKI, and a new eUICC certificate naming `eid`.
rsp::Status<> write_card_credentials(const fs::path& pki, rsp::crypto::Curve curve, const std::string& eid,
                                     const fs::path& target) {
  auto ci = rsp::pki::load_certificate(pki, curve, Role::ci);
  auto eum = rsp::pki::load_certificate(pki, curve, Role::eum);
  auto eum_key = rsp::pki::load_key(pki, curve, Role::eum);
  if (!ci || !eum || !eum_key) return rsp::fail("the bench PKI lacks its CI or EUM credentials");
  auto range = eum->permitted_eid_range();
  rsp::pki::CertificateRequest request;
  request.role = Role::euicc;
  request.subject = {{"C", "ZZ"},
                     {"O", range ? range->organization : "Open RSP Test EUM"},
                     {"serialNumber", eid},
                     {"CN", "Bench eUICC"}};
  request.not_before = time(nullptr) - 86400;
  auto key = rsp::crypto::PrivateKey::generate(curve);
  auto euicc = rsp::pki::issue(request, key, &*eum, *eum_key);
  if (!euicc) return rsp::Unexpected{euicc.error()};
  if (auto s = rsp::pki::store(target, curve, Role::ci, *ci, nullptr); !s) return s;
  if (auto s = rsp::pki::store(target, curve, Role::eum, *eum, nullptr); !s) return s;
  return rsp::pki::store(target, curve, Role::euicc, *euicc, &key);
}

rsp::Expected<std::unique_ptr<euicc::Euicc>> make_card(const fs::path& pki, rsp::crypto::Curve curve,
                                                       const std::string& eid, const fs::path& state_dir,
                                                       size_t profile_size) {
  euicc::CardStore store(state_dir);
  if (auto s = write_card_credentials(pki, curve, eid, store.pki_dir()); !s) return rsp::Unexpected{s.error()};
  euicc::Options options;
  options.state_dir = state_dir;
  auto card = euicc::Euicc::open(options);
  if (!card) return card;
  auto config = store.load_config();
  if (!config) return rsp::Unexpected{config.error()};
  if (profile_size + 4096 <= config->free_non_volatile_memory) return card;
  // Room for the padded profile: the card refuses a package larger than its free memory.
  config->free_non_volatile_memory = static_cast<uint32_t>(2 * profile_size + 4096);
  if (auto s = store.save_config(*config); !s) return rsp::Unexpected{s.error()};
  card.value().reset();  // closed before it opens again with the new configuration
  return euicc::Euicc::open(options);
}

}  // namespace

rsp::Expected<std::unique_ptr<Fleet>> Fleet::create(const FleetOptions& options) {
  std::unique_ptr<Fleet> fleet(new Fleet(options));
  std::string pattern = (fs::temp_directory_path() / "smdp-bench-XXXXXX").string();
  if (!mkdtemp(pattern.data()))
    return rsp::fail("cannot create a directory under " + fs::temp_directory_path().string());
  fleet->dir_ = pattern;
  std::string cards = "/dev/shm/smdp-bench-cards-XXXXXX";
  fleet->cards_dir_ = mkdtemp(cards.data()) ? fs::path(cards) : fleet->dir_ / "cards";
  fleet->pki_ = options.pki.empty() ? fleet->dir_ / "pki" : options.pki;

  if (options.pki.empty()) {
    rsp::pki::MakeOptions make;
    make.curve = options.curve;
    if (auto s = rsp::pki::make(fleet->pki_, make); !s) return rsp::fail("test PKI: " + s.error().message);
  }
  auto identity = smdp::load_dp_identity(fleet->pki_);
  if (!identity) return rsp::fail("SM-DP+ credentials: " + identity.error().message);
  fleet->identity_ = std::move(*identity);
  std::string url = options.db_url.empty() ? "sqlite:" + (fleet->dir_ / "smdp.db").string() : options.db_url;
  auto store = smdp::open_store(url, options.profile_key ? &*options.profile_key : nullptr);
  if (!store) return rsp::fail("store: " + store.error().message);
  fleet->store_ = std::move(*store);
  smdp::Es9Settings settings;
  settings.smdp_address = options.smdp_address;
  fleet->es9_ = std::make_unique<smdp::Es9Plus>(*fleet->store_, fleet->identity_, settings);

  if (auto s = fleet->make_orders(); !s) return rsp::Unexpected{s.error()};
  if (auto s = fleet->make_cards(); !s) return rsp::Unexpected{s.error()};
  return fleet;
}

Fleet::~Fleet() {
  shares_.clear();  // the cards close before their directories go
  es9_.reset();
  store_.reset();
  std::error_code ec;
  if (!cards_dir_.empty()) fs::remove_all(cards_dir_, ec);
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

// One released order per download, shared out among the workers in turn, added to the store
// kOrderChunk at a time (a run for a given time makes hundreds of thousands). The ICCIDs and
// matchingIds carry a run number, so runs against one PostgreSQL database do not collide.
rsp::Status<> Fleet::make_orders() {
  shares_.resize(static_cast<size_t>(options_.workers));
  uint64_t run = std::random_device{}() % 100000;
  int64_t now = time(nullptr);
  std::vector<smdp::ProfileRecord> chunk;
  auto add_chunk = [&]() -> rsp::Status<> {
    auto added = store_->add_profiles(chunk);
    if (!added) return rsp::fail("adding profiles: " + added.error().message);
    if (static_cast<size_t>(*added) != chunk.size())
      return rsp::fail("adding profiles: some were in the store already");
    chunk.clear();
    return rsp::Ok{};
  };
  for (int i = 0; i < options_.downloads; ++i) {
    rsp::ProfileSpec spec;
    spec.iccid = "8999" + digits(run, 5) + digits(static_cast<uint64_t>(i), 10);
    spec.imsi = "00101" + digits(static_cast<uint64_t>(i), 10);
    spec.ki = Bytes(16, 0x11);
    spec.opc = Bytes(16, 0x22);
    spec.service_provider_name = "Bench SP";
    spec.notification_address = options_.smdp_address;
    auto package = rsp::make_profile_package(spec);
    if (!package) return rsp::fail("profile package: " + package.error().message);
    auto padded = rsp::pad_profile_package(*package, options_.profile_size);
    if (!padded) return rsp::Unexpected{padded.error()};
    auto metadata = rsp::make_store_metadata(spec);
    if (!metadata) return rsp::fail("profile metadata: " + metadata.error().message);
    profile_package_bytes_ = padded->size();

    smdp::ProfileRecord& p = chunk.emplace_back();
    p.iccid = spec.iccid;
    p.operator_id = "bench-operator";
    p.profile_type = "bench";
    p.state = smdp::ProfileState::released;
    p.package = std::move(*padded);
    p.metadata = std::move(*metadata);
    p.matching_id = "BENCH-" + digits(run, 5) + "-" + std::to_string(i);
    p.released = true;
    p.order_expires = now + 86400;
    shares_[static_cast<size_t>(i % options_.workers)].matching_ids.push_back(*p.matching_id);
    if (chunk.size() == kOrderChunk)
      if (auto s = add_chunk(); !s) return s;
  }
  return chunk.empty() ? rsp::Ok{} : add_chunk();
}

rsp::Status<> Fleet::make_cards() {
  profiles_per_card_ = euicc::CardConfig{}.max_profiles;
  for (auto& share : shares_) {
    size_t needed =
        options_.cards_on_demand ? 1 : (share.matching_ids.size() + profiles_per_card_ - 1) / profiles_per_card_;
    for (size_t c = 0; c < needed; ++c)
      if (auto s = add_card(share); !s) return s;
  }
  return rsp::Ok{};
}

rsp::Status<> Fleet::add_card(WorkerShare& share) {
  const uint64_t serial = next_serial_++;
  auto eid = rsp::eid::complete("890490329" + digits(serial, 21));
  if (!eid) return rsp::fail("EID: " + eid.error().message);
  auto card = make_card(pki_, options_.curve, *eid, cards_dir_ / std::to_string(serial), options_.profile_size);
  if (!card) return rsp::fail("card " + *eid + ": " + card.error().message);
  share.cards.push_back(std::move(*card));
  share.card_dirs.push_back(cards_dir_ / std::to_string(serial));
  ++cards_made_;
  return rsp::Ok{};
}

rsp::Status<> Fleet::next_card(WorkerShare& share) {
  if (auto s = add_card(share); !s) return s;
  // The full card goes, with its state: a run for a given time would otherwise keep them all.
  share.cards.erase(share.cards.begin());
  std::error_code ec;
  fs::remove_all(share.card_dirs.front(), ec);
  share.card_dirs.erase(share.card_dirs.begin());
  return rsp::Ok{};
}

size_t Fleet::card_count() const { return cards_made_; }

}  // namespace smdp_bench
