// The IPA's Event Retrieval (SGP.22 v2.5 §3.6.3) in one process: the software eUICC behind the
// IPA's Transport interface and a scripted SM-DS over HTTPS that signs serverSigned1 with the test
// PKI's CERT.DSauth and answers Event Records. The card authenticates the SM-DS with no matchingId;
// the events come back; a wrong signed address, a refusal by the card (relayed to the SM-DS) and the
// SM-DS's own codes end it with their values; a download sent to an SM-DS (an alternative SM-DS named
// by an Event Record) is recognised by its CERT.DSauth.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <mutex>

#include "card_transport.hpp"
#include "euicc/card.hpp"
#include "euicc/euicc.hpp"
#include "ipa/event_retrieval.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/http/server.hpp"
#include "rsp/pki/test_pki.hpp"
#include "rsp/tlv.hpp"
#include "support/kit.hpp"
#include "support/tls_server.hpp"

namespace {

using nlohmann::json;
using rsp::Bytes;
using rsp::crypto::Curve;
using rsp::crypto::Role;
using rsp::tlv::encode;
namespace fs = std::filesystem;

// An SM-DS as far as the eUICC can tell: ES11 in the JSON binding, signed with `pki`'s ds-auth.
class ScriptedSmds {
 public:
  explicit ScriptedSmds(const fs::path& pki)
      : key_(rsp::pki::load_key(pki, Curve::nist_p256, Role::ds_auth).value()),
        certificate_(rsp::pki::load_certificate(pki, Curve::nist_p256, Role::ds_auth).value()),
        ci_ski_(*rsp::pki::load_certificate(pki, Curve::nist_p256, Role::ci).value().subject_key_id()) {
    server_ = rsp::test::start_tls_server(rsp::http::TlsIdentity::from_pki(pki, Curve::nist_p256, Role::ds_tls).value(),
                                          [this](const rsp::http::Request& r) { return answer(r); });
  }

  uint16_t port() const { return server_->port(0); }
  std::string signed_address = "localhost";  // what serverSigned1 names
  json events = json::array();
  json authenticate_status = {{"status", "Executed-Success"}};
  Bytes authenticate_server_response;  // as the IPA relayed it

 private:
  rsp::http::Response answer(const rsp::http::Request& r) {
    std::lock_guard lock(mutex_);
    auto body = json::parse(r.body);
    json out;
    if (r.target == "/gsma/rsp2/es9plus/initiateAuthentication") {
      Bytes challenge = rsp::from_base64(body["euiccChallenge"].get<std::string>()).value();
      Bytes signed1 =
          encode(0x30, rsp::concat({encode(0x80, transaction_id_), encode(0x81, challenge),
                                    encode(0x83, rsp::to_bytes(signed_address)), encode(0x84, Bytes(16, 0x5C))}));
      out = {{"header", {{"functionExecutionStatus", {{"status", "Executed-Success"}}}}},
             {"transactionId", rsp::to_hex(transaction_id_)},
             {"serverSigned1", rsp::to_base64(signed1)},
             {"serverSignature1", rsp::to_base64(encode(0x5F37, rsp::crypto::sign(key_, signed1)))},
             {"euiccCiPKIdToBeUsed", rsp::to_base64(encode(0x04, ci_ski_))},
             {"serverCertificate", rsp::to_base64(certificate_.der())}};
    } else {
      authenticate_server_response = rsp::from_base64(body["authenticateServerResponse"].get<std::string>()).value();
      out = {{"header", {{"functionExecutionStatus", authenticate_status}}},
             {"transactionId", rsp::to_hex(transaction_id_)},
             {"eventEntries", events}};
    }
    rsp::http::Response response;
    response.status = 200;
    response.body = out.dump();
    response.headers.set("Content-Type", "application/json");
    return response;
  }

  rsp::crypto::PrivateKey key_;
  rsp::crypto::Certificate certificate_;
  Bytes ci_ski_;
  Bytes transaction_id_{0x0E, 0x11};
  std::mutex mutex_;
  std::unique_ptr<rsp::http::Server> server_;
};

// A card of the PKI behind the IPA's channel, and the SM-DS.
struct Lab {
  rsp::test::TempDir dir;
  fs::path pki = dir.path() / "pki";
  std::unique_ptr<euicc::Euicc> card;
  std::unique_ptr<euicc::Card> terminal;
  std::unique_ptr<ipa::test::CardTransport> transport;
  std::unique_ptr<ipa::Es10Channel> channel;
  std::unique_ptr<ScriptedSmds> smds;

  explicit Lab(const fs::path& smds_pki = {}) {
    REQUIRE(rsp::pki::make(pki, rsp::pki::MakeOptions{}));
    euicc::Options options;
    options.state_dir = dir.path() / "card";
    options.pki_dir = pki;
    card = euicc::Euicc::open(options).value();
    terminal = std::make_unique<euicc::Card>(card->isdr(), card->usim());
    transport = std::make_unique<ipa::test::CardTransport>(*terminal);
    REQUIRE(transport->connect());
    channel = std::make_unique<ipa::Es10Channel>(*transport);
    smds = std::make_unique<ScriptedSmds>(smds_pki.empty() ? pki : smds_pki);
  }

  ipa::EventRetrievalResult retrieve(std::vector<std::string>* phases = nullptr) {
    ipa::EventRetrievalOptions options;
    options.es11.http.trusted_ca_files.push_back(pki / "nist" / "ci.pem");
    options.es11.http.insecure_lab_only = true;  // the other-PKI case: its TLS is not this CI's
    options.es11.port = smds->port();
    options.es11.transport_attempts = 1;
    if (phases)
      options.progress = [phases](ipa::EventRetrievalPhase p) {
        phases->push_back(ipa::event_retrieval_phase_name(p));
      };
    auto result = ipa::retrieve_events(*channel, "localhost", options);
    INFO(result.line());
    return result;
  }
};

}  // namespace

TEST_CASE("Event Retrieval: the card authenticates the SM-DS with no matchingId and the Event Records come back",
          "[ipa][es11][event-retrieval]") {
  Lab lab;
  lab.smds->events = json::array({{{"eventId", "EV-1"}, {"rspServerAddress", "smdp.example.com"}}});
  std::vector<std::string> phases;
  auto result = lab.retrieve(&phases);
  REQUIRE(result.success);
  REQUIRE(result.events.size() == 1);
  CHECK(result.events[0].event_id == "EV-1");
  CHECK(result.events[0].rsp_server_address == "smdp.example.com");
  CHECK(result.transaction_id == "0E11");
  CHECK(result.line() == "1 event at localhost");
  CHECK(phases == std::vector<std::string>{"es10b_get_euicc_challenge_and_info", "es11_initiate_authentication",
                                           "es10b_authenticate_server", "es11_authenticate_client", "finished"});
  // What the card signed for the SM-DS: ctxParams1 = A0 { A1 deviceInfo }, no matchingId.
  auto response = rsp::tlv::read(lab.smds->authenticate_server_response).value();
  auto ok = rsp::tlv::find(response.value, 0xA0).value();
  auto signed1 = rsp::tlv::find(ok.value, 0x30).value();
  auto ctx = rsp::tlv::find(signed1.value, 0xA0).value();
  CHECK_FALSE(rsp::tlv::find(ctx.value, 0x80));
  CHECK(rsp::tlv::find(ctx.value, 0xA1));

  lab.smds->events = json::array();
  auto none = lab.retrieve();
  REQUIRE(none.success);
  CHECK(none.events.empty());
  CHECK(none.line() == "no event for this EID at localhost");
}

TEST_CASE("Event Retrieval: a wrong signed address, the card's refusal and the SM-DS's codes end it with their values",
          "[ipa][es11][event-retrieval]") {
  SECTION("serverSigned1 names another address: the card never sees it") {
    Lab lab;
    lab.smds->signed_address = "elsewhere.example.com";
    auto r = lab.retrieve();
    CHECK_FALSE(r.success);
    CHECK(r.failed_phase == ipa::EventRetrievalPhase::initiate_authentication);
    CHECK(r.message == "the SM-DS signed another address than localhost (serverSigned1.serverAddress)");
    CHECK(lab.smds->authenticate_server_response.empty());
  }
  SECTION("an SM-DS under a CI the card does not know: ciPKUnknown, relayed to the SM-DS") {
    rsp::test::TempDir other;
    REQUIRE(rsp::pki::make(other.path(), rsp::pki::MakeOptions{}));
    Lab lab(other.path());
    auto r = lab.retrieve();
    CHECK_FALSE(r.success);
    CHECK(r.failed_phase == ipa::EventRetrievalPhase::authenticate_server);
    CHECK(r.euicc_error_code.value_or(-1) == 7);  // ciPKUnknown: it names a CI the card does not know
    CHECK_FALSE(lab.smds->authenticate_server_response.empty());
  }
  SECTION("the SM-DS refuses: its codes in the result") {
    Lab lab;
    lab.smds->authenticate_status = {{"status", "Failed"},
                                     {"statusCodeData", {{"subjectCode", "8.1.3"}, {"reasonCode", "6.1"}}}};
    auto r = lab.retrieve();
    CHECK_FALSE(r.success);
    CHECK(r.failed_phase == ipa::EventRetrievalPhase::authenticate_client);
    REQUIRE(r.es11_error);
    CHECK(r.es11_error->es11);
    CHECK(r.es11_error->subject_code == "8.1.3");
    CHECK(r.es11_error->reason_code == "6.1");
    CHECK(r.line() == "failed at es11_authenticate_client: authenticateClient: Failed 8.1.3/6.1");
  }
}

TEST_CASE(
    "a download at an address that answers as an SM-DS (CERT.DSauth) stops before the eUICC sees it: server_is_smds",
    "[ipa][es11][event-retrieval]") {
  Lab lab;
  ipa::DownloadOptions options;
  options.es9.http.trusted_ca_files.push_back(lab.pki / "nist" / "ci.pem");
  options.es9.port = lab.smds->port();
  options.es9.transport_attempts = 1;
  ipa::DownloadRequest request;
  request.activation_code.smdp_address = "localhost";
  request.activation_code.matching_id = "EV-1";
  auto result = ipa::download_profile(*lab.channel, request, options);
  CHECK_FALSE(result.success);
  CHECK(result.server_is_smds);
  CHECK(result.failed_phase == ipa::DownloadPhase::initiate_authentication);
  CHECK(lab.smds->authenticate_server_response.empty());
  CHECK_FALSE(result.cancel_reason);
}
