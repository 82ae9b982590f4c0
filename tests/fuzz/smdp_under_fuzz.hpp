#pragma once
// The SM-DP+ the ES9+ and ES2+ targets talk to: its SQLite store in the fuzz work directory with
// two profiles of operator-a (one released for the matchingId "FUZZ-MATCHING-ID", one available of
// profile type "fuzz"), its credentials from the test PKI, a clock that stands still, no SM-DS
// (an order naming one is refused before anything is sent).
#include <memory>

#include "fuzz_target.hpp"
#include "rsp/profile_maker.hpp"
#include "smdp/dp_credentials.hpp"
#include "smdp/es2plus.hpp"
#include "smdp/es9plus.hpp"
#include "smdp/store.hpp"

namespace rsp::fuzz {

inline constexpr const char* kSmdpAddress = "smdp.example.org";
inline constexpr int64_t kNow = 1'800'000'000;

inline smdp::ProfileRecord fuzz_profile(const std::string& iccid) {
  ProfileSpec spec;
  spec.iccid = iccid;
  spec.imsi = "001010123456789";
  spec.ki = Bytes(16, 0x11);
  spec.opc = Bytes(16, 0x22);
  spec.service_provider_name = "Fuzz SP";
  smdp::ProfileRecord p;
  p.iccid = iccid;
  p.operator_id = "operator-a";
  p.profile_type = "fuzz";
  p.package = make_profile_package(spec).value();
  p.metadata = make_store_metadata(spec).value();
  return p;
}

struct SmdpUnderFuzz {
  std::unique_ptr<smdp::Store> store;
  smdp::DpIdentity identity;
  std::vector<smdp::ProfileRecord> initial;  // as added, so that reset() can put them back
  std::unique_ptr<smdp::Es9Plus> es9;
  std::unique_ptr<smdp::Es2Plus> es2;
  int orders = 0;

  SmdpUnderFuzz() {
    store = smdp::open_store("sqlite:" + (work_dir() / "smdp.db").string()).value();
    identity = smdp::load_dp_identity(test_pki()).value();
    smdp::ProfileRecord released = fuzz_profile("8949449999999990017");
    released.state = smdp::ProfileState::released;
    released.matching_id = "FUZZ-MATCHING-ID";
    released.released = true;
    released.order_expires = kNow + 86400;
    initial = {released, fuzz_profile("8949449999999990025")};
    for (auto& p : initial) (void)store->add_profile(p).value();
    smdp::Es9Settings es9_settings;
    es9_settings.smdp_address = kSmdpAddress;
    es9_settings.now = [] { return kNow; };
    es9 = std::make_unique<smdp::Es9Plus>(*store, identity, es9_settings);
    smdp::Es2PlusSettings es2_settings;
    es2_settings.smdp_address = kSmdpAddress;
    es2_settings.operator_ids = {"operator-a", "operator-b"};
    es2_settings.generate_matching_id = [this] { return "FUZZ-ORDER-" + std::to_string(++orders); };
    es2 = std::make_unique<smdp::Es2Plus>(*store, es2_settings, [] { return kNow; });
  }

  // The profiles as they were before the input (an order placed, confirmed or taken by a session
  // is undone) and the sessions it opened removed, so that every input meets the same SM-DP+.
  void reset() {
    (void)store->remove_expired_sessions(kNow + 365 * 86400).value();
    for (const auto& p : initial) {
      auto now = store->profile(p.iccid).value().value();
      smdp::ProfileRecord back = p;
      back.version = now.version;
      if (now == back) continue;
      (void)store->update_profile(back).value();
    }
  }
};

}  // namespace rsp::fuzz
