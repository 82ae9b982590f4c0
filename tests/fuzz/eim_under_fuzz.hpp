#pragma once
// The eIM the ESipa targets talk to: its SQLite store in the fuzz work directory with one device
// (the test PKI's EID, no package queued), the test PKI's CI as the CI CERT.EUM must chain to, a
// clock that stands still, and the indirect profile download switched off: its functions would
// relay to an SM-DP+ over the network, which a fuzz target must not touch (each answers
// undefinedError(127) instead).
#include <memory>

#include "eim/esipa.hpp"
#include "eim/store.hpp"
#include "fuzz_target.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/pki/test_pki.hpp"

namespace rsp::fuzz {

struct EimUnderFuzz {
  std::unique_ptr<eim::EimStore> store;
  std::unique_ptr<eim::Esipa> esipa;

  EimUnderFuzz() {
    store = eim::open_eim_store("sqlite:" + (work_dir() / "eim.db").string()).value();
    eim::DeviceRecord device;
    device.eid = rsp::pki::default_eid();
    device.owner = "owner-a";
    device.eim_id = "eim.example.org";
    (void)store->add_device(device).value();
    eim::EsipaSettings settings;
    settings.eim_id = device.eim_id;
    settings.cis.add(
        rsp::pki::load_certificate(test_pki(), rsp::crypto::Curve::nist_p256, rsp::crypto::Role::ci).value());
    settings.clock = [] { return int64_t{1'800'000'000}; };
    settings.indirect_download.enabled = false;
    esipa = std::make_unique<eim::Esipa>(*store, settings);
  }
};

}  // namespace rsp::fuzz
