#pragma once
// An SM-DP+ running in-process on loopback (smdp::SmdpServer: HTTPS, SQLite) under a fresh test
// PKI, with orders written straight into its store, and a software eUICC of the same PKI: what
// the IPA's ES9+ client and download tests talk to. The IPA code itself never includes these.
#include <catch2/catch.hpp>

#include "euicc/euicc.hpp"
#include "ipa/es9plus_client.hpp"
#include "released_order.hpp"
#include "rsp/confirmation_code.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/pki/test_pki.hpp"
#include "rsp/profile_maker.hpp"
#include "smdp/smdp_server.hpp"
#include "smdp/store.hpp"
#include "support/kit.hpp"

namespace ipa::test {

namespace fs = std::filesystem;

struct SmdpHarness {
  rsp::test::TempDir dir;
  fs::path pki = dir.path() / "pki";
  rsp::crypto::Curve curve;
  std::unique_ptr<smdp::SmdpServer> server;
  std::unique_ptr<smdp::Store> store;

  explicit SmdpHarness(rsp::crypto::Curve on = rsp::crypto::Curve::nist_p256) : curve(on) {
    rsp::pki::MakeOptions make;
    make.curve = curve;
    make.dp_host = "localhost";
    REQUIRE(rsp::pki::make(pki, make));
    smdp::SmdpConfig config;
    config.pki = pki;
    config.es9.push_back(smdp::ListenerConfig{"127.0.0.1:0", {}, {}, {}});
    config.database = "sqlite:" + (dir.path() / "smdp.db").string();
    config.handler_threads = 2;
    auto started = smdp::SmdpServer::start(config);
    INFO((started ? "" : started.error().message));
    REQUIRE(started);
    server = std::move(*started);
    store = smdp::open_store(config.database).value();
  }
  ~SmdpHarness() {
    if (server) server->stop();
  }

  const std::string& address() const { return server->smdp_address(); }  // "localhost"
  fs::path ci_pem() const {
    return rsp::pki::certificate_path(pki, curve, rsp::crypto::Role::ci).replace_extension(".pem");
  }

  // A client of this SM-DP+ trusting its CI, as the IPA is configured with the GSMA CI.
  Es9ClientOptions client_options(Es9Binding binding = Es9Binding::json) const {
    Es9ClientOptions o;
    o.http.trusted_ca_files.push_back(ci_pem());
    o.http.connect_timeout = std::chrono::milliseconds(2000);
    o.http.total_timeout = std::chrono::milliseconds(10000);
    o.port = server->es9_port();
    o.binding = binding;
    o.retry_delay = std::chrono::milliseconds(10);
    return o;
  }
  Es9PlusClient client(Es9Binding binding = Es9Binding::json) const {
    auto c = Es9PlusClient::create(address(), client_options(binding));
    REQUIRE(c);
    return std::move(*c);
  }

  // A released order for `matching_id` (optionally bound to an EID, with a confirmation code).
  smdp::ProfileRecord add_order(const std::string& iccid, const std::string& matching_id,
                                std::optional<std::string> eid = {},
                                std::optional<std::string> confirmation_code = {}) {
    smdp::ProfileRecord p = released_order(iccid, matching_id, address());
    p.eid = std::move(eid);
    // The store keeps SHA-256 of the code and the attempts left (SGP.22 v2.5 §3.1.3.3).
    p.confirmation_code_hash = confirmation_code ? rsp::sha256(rsp::to_bytes(*confirmation_code)) : rsp::Bytes{};
    p.confirmation_attempts_left = confirmation_code ? 3 : 0;
    REQUIRE(store->add_profile(p));
    return p;
  }
  smdp::ProfileState state_of(const std::string& iccid) { return store->profile(iccid).value().value().state; }

  // A software eUICC with credentials of this PKI; `faults` makes it misbehave on purpose.
  std::unique_ptr<euicc::Euicc> open_card(const std::string& name, std::set<std::string> faults = {}) {
    euicc::Options options;
    options.state_dir = dir.path() / name;
    options.pki_dir = pki;
    options.faults = std::move(faults);
    options.allow_faults = !options.faults.empty();
    auto card = euicc::Euicc::open(options);
    INFO((card ? "" : card.error().message));
    REQUIRE(card);
    return std::move(*card);
  }
};

}  // namespace ipa::test
