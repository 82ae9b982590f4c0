// The IPA's ES11 client (SGP.22 v2.5 §5.8): the wire format of both bindings (requests, Event
// Records, the SM-DS's refusals with their 8.9.x codes, BF40 written once or twice), the bounds on
// what an SM-DS may answer, and the client over HTTPS against a canned SM-DS.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "es11_wire.hpp"
#include "rsp/http/server.hpp"
#include "rsp/pki/test_pki.hpp"
#include "rsp/tlv.hpp"
#include "support/kit.hpp"
#include "support/tls_server.hpp"

namespace {

using ipa::AuthenticateClientResponseEs11;
using ipa::Es9Error;
using ipa::EventEntry;
using nlohmann::json;
using rsp::Bytes;
using rsp::test::hex;
using rsp::tlv::encode;

std::string body_of(const Bytes& b) { return std::string(b.begin(), b.end()); }

std::string json_ok(json entries) {
  json body{{"header", {{"functionExecutionStatus", {{"status", "Executed-Success"}}}}}, {"transactionId", "0102"}};
  if (!entries.is_null()) body["eventEntries"] = std::move(entries);
  return body.dump();
}

std::string json_failed(const std::string& subject, const std::string& reason) {
  return json{{"header",
               {{"functionExecutionStatus",
                 {{"status", "Failed"},
                  {"statusCodeData", {{"subjectCode", subject}, {"reasonCode", reason}, {"message", "m"}}}}}}}}
      .dump();
}

void check_codes(const Es9Error& e, const std::string& subject, const std::string& reason) {
  CHECK(e.kind == Es9Error::Kind::function);
  CHECK(e.subject_code == subject);
  CHECK(e.reason_code == reason);
}

const ipa::InitiateAuthenticationRequest kInitiate{Bytes(16, 0x11), hex("BF20 03 82 01 02"),
                                                   "testrootsmds.example.com"};

}  // namespace

TEST_CASE("ES11 JSON binding: the requests are ES9+'s, on the es9plus paths", "[ipa][es11]") {
  auto wire = ipa::es11_json_wire();
  auto initiate = wire->requests().initiate_authentication(kInitiate);
  CHECK(initiate.path == "/gsma/rsp2/es9plus/initiateAuthentication");
  CHECK(initiate.content_type == "application/json");
  auto body = json::parse(initiate.body);
  CHECK(body["smdpAddress"] == "testrootsmds.example.com");
  CHECK(body["euiccChallenge"] == rsp::to_base64(Bytes(16, 0x11)));
  CHECK(body["euiccInfo1"] == rsp::to_base64(hex("BF20 03 82 01 02")));
  auto authenticate = wire->requests().authenticate_client(hex("0102"), hex("BF38 00"));
  CHECK(authenticate.path == "/gsma/rsp2/es9plus/authenticateClient");
  CHECK(json::parse(authenticate.body) ==
        json{{"transactionId", "0102"}, {"authenticateServerResponse", rsp::to_base64(hex("BF38 00"))}});
}

TEST_CASE("ES11 JSON binding: authenticateClient's Event Records, none, and the SM-DS's codes", "[ipa][es11]") {
  auto wire = ipa::es11_json_wire();
  SECTION("two records, in order") {
    auto r = wire->authenticate_client_answer(
        json_ok(json::array({{{"eventId", "EV1"}, {"rspServerAddress", "smdp.example.com"}},
                             {{"eventId", "EV2"}, {"rspServerAddress", "smdp2.example.com"}}})));
    REQUIRE(r);
    CHECK(r->transaction_id == hex("0102"));
    REQUIRE(r->event_entries.size() == 2);
    CHECK(r->event_entries[0].event_id == "EV1");
    CHECK(r->event_entries[0].rsp_server_address == "smdp.example.com");
    CHECK(r->event_entries[1].event_id == "EV2");
    CHECK(r->dropped_entries == 0);
  }
  SECTION("an empty list is success with nothing in it") {
    auto r = wire->authenticate_client_answer(json_ok(json::array()));
    REQUIRE(r);
    CHECK(r->event_entries.empty());
  }
  SECTION(
      "eventEntries absent, not an array, a member without rspServerAddress, an over-long or empty field: not ES11") {
    for (const json& entries : {json(), json("x"), json::array({{{"eventId", "EV1"}}}),
                                json::array({{{"eventId", std::string(256, 'a')}, {"rspServerAddress", "s"}}}),
                                json::array({{{"eventId", ""}, {"rspServerAddress", "s"}}}),
                                json::array({{{"eventId", "a\nb"}, {"rspServerAddress", "s"}}})}) {
      auto r = wire->authenticate_client_answer(json_ok(entries));
      REQUIRE_FALSE(r);
      CHECK(r.error().kind == Es9Error::Kind::protocol);
    }
  }
  SECTION("refusals keep their codes") {
    auto unknown = wire->authenticate_client_answer(json_failed("8.9.5", "3.9"));
    REQUIRE_FALSE(unknown);
    check_codes(unknown.error(), "8.9.5", "3.9");
    auto address = wire->initiate_authentication_answer(json_failed("8.9.1", "3.8"));
    REQUIRE_FALSE(address);
    check_codes(address.error(), "8.9.1", "3.8");
  }
  SECTION("100000 records: the first kMaxEventEntries kept, the rest counted") {
    json entries = json::array();
    for (int i = 0; i < 100000; ++i)
      entries.push_back({{"eventId", "EV" + std::to_string(i)}, {"rspServerAddress", "smdp.example.com"}});
    auto r = wire->authenticate_client_answer(json_ok(entries));
    REQUIRE(r);
    CHECK(r->event_entries.size() == ipa::kMaxEventEntries);
    CHECK(r->event_entries.front().event_id == "EV0");
    CHECK(r->dropped_entries == 100000 - ipa::kMaxEventEntries);
  }
}

TEST_CASE("ES11 ASN.1 binding: A2 { BF39 } and A2 { BF3B } out, A2 { BF40 } back", "[ipa][es11]") {
  auto wire = ipa::es11_asn1_wire();
  auto initiate = wire->requests().initiate_authentication(kInitiate);
  CHECK(initiate.path == "/gsma/rsp2/asn1");
  CHECK(initiate.body ==
        body_of(encode(0xA2, encode(0xBF39, rsp::concat({encode(0x81, Bytes(16, 0x11)),
                                                         encode(0x83, rsp::to_bytes("testrootsmds.example.com")),
                                                         hex("BF20 03 82 01 02")})))));
  auto authenticate = wire->requests().authenticate_client(hex("0102"), hex("BF38 00"));
  CHECK(authenticate.body == body_of(hex("A2 0A BF3B 07 80 02 0102 BF38 00")));

  // FACTS §7.2's encodings (asn1tools): one event, none, eventIdUnknown.
  const Bytes one_event =
      hex("BF40 21 A0 1F 80 02 0102 A1 19 30 17 80 03 455631 81 10 736d64702e6578616d706c652e636f6d");
  SECTION("one event, with BF40 once (X.680) or twice (asn1tools)") {
    for (const Bytes& body : {encode(0xA2, one_event), encode(0xA2, encode(0xBF40, one_event))}) {
      auto r = wire->authenticate_client_answer(body_of(body));
      REQUIRE(r);
      CHECK(r->transaction_id == hex("0102"));
      REQUIRE(r->event_entries.size() == 1);
      CHECK(r->event_entries[0].event_id == "EV1");
      CHECK(r->event_entries[0].rsp_server_address == "smdp.example.com");
    }
  }
  SECTION("no event") {
    auto r = wire->authenticate_client_answer(body_of(encode(0xA2, hex("BF40 07 A0 05 80 01 01 A1 00"))));
    REQUIRE(r);
    CHECK(r->event_entries.empty());
  }
  SECTION("the error values as the SM-DS's codes") {
    auto unknown = wire->authenticate_client_answer(body_of(encode(0xA2, hex("BF40 03 81 01 06"))));
    REQUIRE_FALSE(unknown);
    check_codes(unknown.error(), "8.9.5", "3.9");
    auto transaction = wire->authenticate_client_answer(body_of(encode(0xA2, hex("BF40 03 81 01 07"))));
    REQUIRE_FALSE(transaction);
    check_codes(transaction.error(), "8.10.1", "3.9");
    auto signature = wire->authenticate_client_answer(body_of(encode(0xA2, hex("BF40 03 81 01 05"))));
    REQUIRE_FALSE(signature);
    check_codes(signature.error(), "8.1", "6.1");
    auto address = wire->initiate_authentication_answer(body_of(encode(0xA2, hex("BF39 03 81 01 01"))));
    REQUIRE_FALSE(address);
    check_codes(address.error(), "8.9.1", "3.8");
    auto ci = wire->initiate_authentication_answer(body_of(encode(0xA2, hex("BF39 03 81 01 03"))));
    REQUIRE_FALSE(ci);
    check_codes(ci.error(), "8.9.2", "3.1");
    // The alternative's tag written twice is read the same for every function (FACTS §7.2).
    auto doubled = wire->initiate_authentication_answer(body_of(encode(0xA2, encode(0xBF39, hex("BF39 03 81 01 02")))));
    REQUIRE_FALSE(doubled);
    check_codes(doubled.error(), "8.9.3", "3.1");
  }
  SECTION("not ES11: ES9+'s BF3B, an entry without its address, a record that is not a SEQUENCE") {
    for (const char* h : {"BF3B 03 81 01 06", "BF40 0C A0 0A 80 01 01 A1 05 30 03 80 01 41",
                          "BF40 0F A0 0D 80 01 01 A1 08 31 06 80 01 41 81 01 42"}) {
      auto r = wire->authenticate_client_answer(body_of(encode(0xA2, hex(h))));
      REQUIRE_FALSE(r);
      CHECK(r.error().kind == Es9Error::Kind::protocol);
    }
  }
  SECTION("100000 records: kMaxEventEntries kept") {
    Bytes record =
        encode(0x30, rsp::concat({encode(0x80, rsp::to_bytes("E")), encode(0x81, rsp::to_bytes("s.example.com"))}));
    Bytes records;
    for (int i = 0; i < 100000; ++i) records.insert(records.end(), record.begin(), record.end());
    auto r = wire->authenticate_client_answer(body_of(
        encode(0xA2, encode(0xBF40, encode(0xA0, rsp::concat({encode(0x80, hex("01")), encode(0xA1, records)}))))));
    REQUIRE(r);
    CHECK(r->event_entries.size() == ipa::kMaxEventEntries);
    CHECK(r->dropped_entries == 100000 - ipa::kMaxEventEntries);
  }
}

TEST_CASE("ES11 client over HTTPS: the es9plus paths, Event Records, and a 10 MB answer refused", "[ipa][es11]") {
  rsp::test::TempDir dir;
  REQUIRE(rsp::pki::make(dir.path(), rsp::pki::MakeOptions{}));
  std::string answer;
  std::vector<std::string> targets;
  auto server =
      rsp::test::start_tls_server(rsp::http::TlsIdentity::from_pki(dir.path(), rsp::crypto::Curve::nist_p256).value(),
                                  [&](const rsp::http::Request& r) {
                                    targets.push_back(r.target);
                                    rsp::http::Response out;
                                    out.status = 200;
                                    out.body = answer;
                                    out.headers.set("Content-Type", "application/json");
                                    return out;
                                  });

  ipa::Es9ClientOptions client_options;
  client_options.http.trusted_ca_files.push_back(dir.path() / "nist" / "ci.pem");
  client_options.port = server->port(0);
  client_options.transport_attempts = 1;
  auto client = ipa::Es11Client::create("localhost", client_options).value();

  answer = json_ok(json::array({{{"eventId", "EV1"}, {"rspServerAddress", "smdp.example.com"}}}));
  auto events = client.authenticate_client(hex("0102"), hex("BF38 00"));
  REQUIRE(events);
  REQUIRE(events->event_entries.size() == 1);
  CHECK(targets.back() == "/gsma/rsp2/es9plus/authenticateClient");

  answer = json_failed("8.9.5", "3.9");
  auto refused = client.authenticate_client(hex("0102"), hex("BF38 00"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().es11);
  CHECK(refused.error().describe() == "authenticateClient: Failed 8.9.5/3.9 (m)");

  answer = std::string(10 * 1024 * 1024, 'x');
  auto flooded = client.authenticate_client(hex("0102"), hex("BF38 00"));
  REQUIRE_FALSE(flooded);
  CHECK(flooded.error().kind == Es9Error::Kind::transport);
  CHECK(flooded.error().describe().find("no answer from the SM-DS") != std::string::npos);
  CHECK(client.traffic().bytes_received < 1024 * 1024);
}
