// The SM-DP+'s ES12 client end to end: `smdp serve` and `smds serve` as processes on loopback,
// the operator on ES2+. ConfirmOrder with an smdsAddress registers the event before it answers;
// without an EID 8.1.1/2.2; the SM-DS down 8.9/5.1 with the order left as it was; a duplicate
// event 8.9.5/3.3; an SM-DS refusal 8.9/4.2; CancelOrder deletes the event, from the outbox, again
// after the SM-DS was down and came back; the profile installed by a card with the event id as
// matchingId (the download an SM-DS discovery leads to) deletes it too.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "es9_http_lpa.hpp"
#include "euicc/euicc.hpp"
#include "http/http_fixture.hpp"
#include "rsp/eid.hpp"
#include "smdp_process_fixture.hpp"
#include "smds/event_store.hpp"
#include "support/child_process.hpp"

using nlohmann::json;
using rsp::crypto::Curve;
using rsp::crypto::Role;

namespace {

// The EID of the PKI's eUICC certificate, so that the software card can download the order.
const std::string kEid = rsp::pki::default_eid();

struct Lab {
  smdp::test::SmdpProcessSetup setup{"8949449999999990049", "001010000000049"};
  std::string smds_db = "sqlite:" + (setup.dir.path() / "smds.db").string();
  std::unique_ptr<rsp::test::ChildProcess> smds;
  std::string smds_port = "0";
  std::unique_ptr<rsp::test::ChildProcess> smdp;
  std::string es2, es9;
  rsp::http::Client operator_client = setup.operator_client();
  int calls = 0;

  Lab() {
    start_smds();
    smdp = std::make_unique<rsp::test::ChildProcess>("smdp", setup.dir.path(),
                                                     setup.serve_args({"--es9-listen", "127.0.0.1:0", "--es2-listen",
                                                                       "127.0.0.1:0", "--callback-retry-delay", "1"}));
    es2 = "https://localhost:" + smdp->wait_for("ES2\\+ on port (\\d+)") + "/gsma/rsp2/es2plus/";
    es9 = "https://localhost:" + smdp->wait_for("ES9\\+ of localhost on https://127.0.0.1:(\\d+)") +
          "/gsma/rsp2/es9plus/";
  }

  // On the port it had before, if any: the SM-DP+'s orders name it.
  void start_smds() {
    std::string dp_tls =
        rsp::pki::certificate_path(setup.pki, Curve::nist_p256, Role::dp_tls).replace_extension(".pem").string();
    smds = std::make_unique<rsp::test::ChildProcess>(
        "smds", setup.dir.path(),
        std::vector<std::string>{"serve", "--pki", setup.pki.string(), "--db", smds_db, "--listen",
                                 "127.0.0.1:" + smds_port, "--smdp", "smdp-a=" + dp_tls, "--max-events-per-eid", "2"});
    smds_port = smds->wait_for("ES11 and ES12 of localhost on https://127.0.0.1:(\\d+)/");
  }
  std::string smds_address() const { return "localhost:" + smds_port; }

  json es2_call(const std::string& function, json body) {
    body["header"] = {{"functionRequesterIdentifier", "operator-a"},
                      {"functionCallIdentifier", std::to_string(++calls)}};
    auto r = operator_client.post(es2 + function, body.dump(), smdp::test::es2_json_headers());
    INFO((r ? r->body : r.error().message));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return json::parse(r->body);
  }
  static std::string status_of(const json& answer) {
    const auto& s = answer["header"]["functionExecutionStatus"];
    if (s["status"] == "Executed-Success") return "ok";
    return s["statusCodeData"]["subjectCode"].get<std::string>() + "/" +
           s["statusCodeData"]["reasonCode"].get<std::string>();
  }
  void order(std::optional<std::string> eid) {
    json body = {{"profileType", "test"}};
    if (eid) body["eid"] = *eid;
    REQUIRE(status_of(es2_call("downloadOrder", body)) == "ok");
  }
  json confirm(json more) {
    more["iccid"] = setup.iccid;
    more["releaseFlag"] = true;
    return es2_call("confirmOrder", more);
  }
  void cancel() {
    REQUIRE(status_of(es2_call("cancelOrder",
                               {{"iccid", setup.iccid}, {"finalProfileStatusIndicator", "Available"}})) == "ok");
  }

  // The SM-DS's records of the EID, read from its database.
  std::vector<smds::EventRecord> events() const {
    return smds::open_event_store(smds_db).value()->events_for_eid(kEid, 10).value();
  }
  bool events_become_empty(std::chrono::seconds limit) const {
    for (auto end = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < end;) {
      if (events().empty()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }
};

}  // namespace

TEST_CASE(
    "smdp ConfirmOrder registers its event at smds serve and CancelOrder deletes it, retried across an SM-DS restart",
    "[smds][es12][e2e]") {
  Lab lab;

  // No EID for the order: 8.1.1/2.2, nothing registered, the order still waiting.
  lab.order(std::nullopt);
  CHECK(Lab::status_of(lab.confirm({{"smdsAddress", lab.smds_address()}})) == "8.1.1/2.2");
  CHECK(lab.events().empty());

  // With the EID: registered before the answer, event id = the matchingId the SM-DP+ made.
  auto confirmed = lab.confirm({{"eid", kEid}, {"smdsAddress", lab.smds_address()}});
  REQUIRE(Lab::status_of(confirmed) == "ok");
  auto events = lab.events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].event_id == confirmed["matchingId"]);
  CHECK(events[0].rsp_server_address == "localhost");
  CHECK(events[0].smdp == "smdp-a");

  // CancelOrder: the DeleteEvent goes from the outbox.
  lab.cancel();
  CHECK(lab.events_become_empty(std::chrono::seconds(15)));

  // SM-DS down: 8.9/5.1 and the order is not confirmed; up again, the same ConfirmOrder works.
  lab.order(kEid);
  lab.smds->stop();
  CHECK(Lab::status_of(lab.confirm({{"smdsAddress", lab.smds_address()}, {"matchingId", "EVENT-DOWN"}})) == "8.9/5.1");
  lab.start_smds();
  CHECK(lab.events().empty());
  REQUIRE(Lab::status_of(lab.confirm({{"smdsAddress", lab.smds_address()}, {"matchingId", "EVENT-DOWN"}})) == "ok");
  REQUIRE(lab.events().size() == 1);

  // Cancelled while the SM-DS is down: the DeleteEvent fails, waits, and is delivered after the restart.
  lab.smds->stop();
  lab.cancel();
  std::this_thread::sleep_for(std::chrono::seconds(3));  // at least one failed attempt
  lab.start_smds();
  CHECK(lab.events().size() == 1);
  CHECK(lab.events_become_empty(std::chrono::seconds(20)));
  CHECK(lab.smdp->output().find("ES12 deleteEvent to https://" + lab.smds_address()) != std::string::npos);

  // An event with that id already at the SM-DS: 8.9.5/3.3 passed through, the order not confirmed.
  rsp::http::ClientOptions as_smdp;
  as_smdp.trusted_cas.push_back(lab.setup.ci());
  as_smdp.client_identity = *rsp::http::TlsIdentity::from_pki(lab.setup.pki, Curve::nist_p256, Role::dp_tls);
  json registration = {{"header", {{"functionRequesterIdentifier", "localhost"}, {"functionCallIdentifier", "x"}}},
                       {"eid", kEid},
                       {"rspServerAddress", "localhost"},
                       {"eventId", "EVENT-TAKEN"},
                       {"forwardingIndicator", false}};
  auto direct =
      rsp::http::Client::create(as_smdp)->post("https://" + lab.smds_address() + "/gsma/rsp2/es12/registerEvent",
                                               registration.dump(), smdp::test::es2_json_headers());
  REQUIRE(direct);
  REQUIRE(direct->status == 200);
  lab.order(kEid);
  CHECK(Lab::status_of(lab.confirm({{"smdsAddress", lab.smds_address()}, {"matchingId", "EVENT-TAKEN"}})) ==
        "8.9.5/3.3");

  // The SM-DS refuses otherwise (its limit of two events for the EID): 8.9/4.2.
  registration["eventId"] = "EVENT-TAKEN-2";
  REQUIRE(rsp::http::Client::create(as_smdp)->post("https://" + lab.smds_address() + "/gsma/rsp2/es12/registerEvent",
                                                   registration.dump(), smdp::test::es2_json_headers()));
  CHECK(Lab::status_of(lab.confirm({{"smdsAddress", lab.smds_address()}})) == "8.9/4.2");
  // An address that is no address: 8.9/5.1 without trying.
  CHECK(Lab::status_of(lab.confirm({{"smdsAddress", "not an address"}})) == "8.9/5.1");
  CHECK(lab.events().size() == 2);
  // The order is still unconfirmed: without an SM-DS it confirms.
  CHECK(Lab::status_of(lab.confirm({{"eid", kEid}})) == "ok");
}

TEST_CASE("smdp: the profile of an SM-DS order installed with the event id as matchingId deletes the event",
          "[smds][es12][e2e]") {
  Lab lab;
  lab.order(kEid);
  auto confirmed = lab.confirm({{"smdsAddress", lab.smds_address()}});
  REQUIRE(Lab::status_of(confirmed) == "ok");
  REQUIRE(lab.events().size() == 1);

  // The card downloads as it would after discovery: the event id as matchingId.
  euicc::Options card_options;
  card_options.state_dir = lab.setup.dir.path() / "card";
  card_options.pki_dir = lab.setup.pki;
  auto card = euicc::Euicc::open(card_options).value();
  REQUIRE(card->eid() == kEid);
  auto device = rsp::test::client_trusting(lab.setup.ci());
  smdp::test::Es9HttpLpa lpa(device, *card, "localhost");
  REQUIRE(lpa.initiate_authentication(lab.es9));
  auto downloaded = lpa.finish_download(lab.es9, lab.es9, lab.events()[0].event_id);
  INFO(downloaded.failure);
  REQUIRE(downloaded.failure.empty());
  REQUIRE(lpa.handle_notification(lab.es9, downloaded.installation_result));
  CHECK(lab.events_become_empty(std::chrono::seconds(15)));
}
