#pragma once
// The SM-DS the ES11 and ES12 targets talk to: its SQLite store in the fuzz work directory with one
// standing event for the test PKI's EID (registered by "smdp-a"), its credentials from the test
// PKI, a clock that stands still, no root SM-DS to cascade to.
#include <memory>

#include "fuzz_target.hpp"
#include "rsp/pki/test_pki.hpp"
#include "smds/ds_credentials.hpp"
#include "smds/es11.hpp"
#include "smds/es12.hpp"
#include "smds/event_store.hpp"

namespace rsp::fuzz {

struct SmdsUnderFuzz {
  static constexpr int64_t kNow = 1'800'000'000;
  std::unique_ptr<smds::EventStore> store;
  smds::DsIdentity identity;
  std::unique_ptr<smds::Es11> es11;
  std::unique_ptr<smds::Es12> es12;
  smds::EventRecord standing;

  SmdsUnderFuzz() {
    store = smds::open_event_store("sqlite:" + (work_dir() / "smds.db").string()).value();
    identity = smds::load_ds_identity(test_pki()).value();
    standing.eid = rsp::pki::default_eid();
    standing.event_id = "FUZZ-EVENT";
    standing.rsp_server_address = "smdp.example.org";
    standing.smdp = "smdp-a";
    standing.registered = kNow + 1;  // after every event an input registers, so that reset() keeps it
    reset();
    smds::Es11Settings es11_settings;
    es11_settings.smds_address = "smds.example.org";
    es11_settings.now = [] { return kNow; };
    es11 = std::make_unique<smds::Es11>(*store, identity, es11_settings);
    smds::Es12Settings es12_settings;
    es12_settings.now = [] { return kNow; };
    es12 = std::make_unique<smds::Es12>(*store, es12_settings);
  }

  // The store as it was before the input: the events it registered and the sessions it opened
  // removed (so that max_pending_sessions is never reached), the standing event back.
  void reset() {
    (void)store->remove_events_before(kNow + 1).value();
    (void)store->remove_expired_sessions(kNow + 365 * 86400).value();
    if (!store->event(standing.eid, standing.event_id).value()) {
      smds::EventRecord again = standing;
      (void)store->add_event(again).value();
    }
  }
};

}  // namespace rsp::fuzz
