// ES11 on the SM-DS in-process (SGP.22 v2.5 §5.8) with the software eUICC: the card
// authenticates the SM-DS (CERT.DSauth) as it does an SM-DP+, the SM-DS answers the Event Records
// of the card's EID; each status code of initiateAuthentication and authenticateClient; both
// bindings (JSON with eventEntries always an array, ASN.1 with one BF40 tag).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <random>

#include "euicc/euicc.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/eid.hpp"
#include "rsp/pki/certificate_issuer.hpp"
#include "rsp/pki/test_pki.hpp"
#include "rsp/tlv.hpp"
#include "smds/es11.hpp"
#include "smds/es11_bindings.hpp"
#include "support/kit.hpp"

using namespace smds;
using rsp::Bytes;
using rsp::tlv::encode;

namespace {

constexpr const char* kAddress = "smds.example.org";

struct Es11Fixture {
  rsp::test::TempDir dir;
  std::filesystem::path pki = dir.path() / "pki";
  std::unique_ptr<EventStore> store;
  DsIdentity identity;
  int64_t clock = time(nullptr);  // the card checks certificates against the real time
  Es11Settings settings;
  std::unique_ptr<Es11> es11;
  std::unique_ptr<euicc::Euicc> card;
  std::string eid = rsp::pki::default_eid();

  Es11Fixture() {
    REQUIRE(rsp::pki::make(pki, {}));
    store = open_event_store("sqlite:" + (dir.path() / "smds.db").string()).value();
    identity = load_ds_identity(pki).value();
    settings.smds_address = kAddress;
    settings.max_pending_sessions = 3;
    settings.now = [this] { return clock; };
    restart();
    card = open_card("card", pki);
  }
  void restart() { es11 = std::make_unique<Es11>(*store, identity, settings); }

  std::unique_ptr<euicc::Euicc> open_card(const std::string& name, const std::filesystem::path& card_pki) {
    euicc::Options options;
    options.state_dir = dir.path() / name;
    options.pki_dir = card_pki;
    auto opened = euicc::Euicc::open(options);
    if (!opened) FAIL("the card does not open: " + opened.error().message);
    return std::move(*opened);
  }
  static Bytes es10(euicc::Euicc& c, const Bytes& command) {
    auto r = c.isdr().store_data(command);
    REQUIRE(r);
    return *r;
  }
  void add_event(const std::string& event_id, const std::string& server, const std::string& for_eid = "") {
    EventRecord e{for_eid.empty() ? eid : for_eid, event_id, server, "smdp-a", clock, std::nullopt, 0};
    REQUIRE(store->add_event(e).value());
  }

  // ES10b.GetEUICCInfo1 and GetEUICCChallenge on `c`, as the LPA reads them.
  Es11InitiateAuthenticationRequest initiate_request(euicc::Euicc& c, const std::string& address = kAddress) {
    Bytes info1 = es10(c, rsp::test::hex("BF2000"));
    Bytes challenge_response = es10(c, rsp::test::hex("BF2E00"));
    auto challenge = rsp::tlv::find(rsp::tlv::read(challenge_response)->value, 0x80).value();
    return {Bytes(challenge.value.begin(), challenge.value.end()), info1, address};
  }
  // ES10b.AuthenticateServer on the card; ctxParams1 without '80' (as LPAs call it for ES11), or naming `matching_id`.
  static Bytes authenticate_server(euicc::Euicc& c, const Es11InitiateAuthenticationResponse& initiated,
                                   const std::optional<std::string>& matching_id = {}) {
    Bytes ctx = encode(
        0xA0,
        rsp::concat({matching_id ? encode(0x80, rsp::to_bytes(*matching_id)) : Bytes{},
                     encode(0xA1, rsp::concat({encode(0x80, Bytes{0x35, 0x29, 0x06, 0x11}), encode(0xA1, Bytes{})}))}));
    return es10(c,
                encode(0xBF38, rsp::concat({initiated.server_signed1, initiated.server_signature1,
                                            initiated.euicc_ci_pkid_to_be_used, initiated.server_certificate, ctx})));
  }
  // initiateAuthentication, AuthenticateServer, authenticateClient.
  Es11Result<Es11AuthenticateClientResponse> discover(const std::optional<std::string>& matching_id = {}) {
    auto initiated = es11->initiate_authentication(initiate_request(*card));
    REQUIRE(initiated);
    return es11->authenticate_client({initiated->transaction_id, authenticate_server(*card, *initiated, matching_id)});
  }
};

std::string codes(const FunctionStatus& s) { return s.ok() ? "ok" : s.subject_code + "/" + s.reason_code; }
template <class T>
std::string codes(const Es11Result<T>& r) {
  return r ? "ok" : codes(r.error());
}

}  // namespace

TEST_CASE_METHOD(Es11Fixture, "ES11: the card authenticates the SM-DS and gets its EID's events, first in first out",
                 "[smds][es11]") {
  // No event: success with an empty list.
  auto none = discover();
  REQUIRE(none);
  CHECK(none->event_entries.empty());

  add_event("EVENT-B", "smdp-b.example.org");
  add_event("EVENT-A", "smdp-a.example.org");
  add_event("OTHER", "smdp-a.example.org", *rsp::eid::complete("890490320000000000000000000002"));
  auto found = discover();
  REQUIRE(found);
  CHECK(found->event_entries ==
        std::vector<EventEntry>{{"EVENT-B", "smdp-b.example.org"}, {"EVENT-A", "smdp-a.example.org"}});

  // A matchingId names one EventID of this EID; an unknown one is 8.9.5/3.9.
  auto one = discover(std::string("EVENT-A"));
  REQUIRE(one);
  CHECK(one->event_entries == std::vector<EventEntry>{{"EVENT-A", "smdp-a.example.org"}});
  CHECK(codes(discover(std::string("OTHER"))) == "8.9.5/3.9");
  CHECK(codes(discover(std::string("NO-SUCH-EVENT"))) == "8.9.5/3.9");
}

TEST_CASE_METHOD(Es11Fixture, "ES11.InitiateAuthentication: address, version, CI and session-count refusals",
                 "[smds][es11]") {
  CHECK(codes(es11->initiate_authentication(initiate_request(*card, "other.example.org"))) == "8.9.1/3.8");
  auto request = initiate_request(*card);
  request.euicc_challenge.pop_back();
  CHECK(codes(es11->initiate_authentication(request)) == "8.1/2.2");

  // An eUICC of SGP.22 v1 (svn 1.0.0).
  request = initiate_request(*card);
  auto svn = rsp::tlv::find(rsp::tlv::read(request.euicc_info1)->value, 0x82).value();
  size_t at = static_cast<size_t>(svn.value.data() - request.euicc_info1.data());
  request.euicc_info1[at] = 0x01;
  CHECK(codes(es11->initiate_authentication(request)) == "8.9.3/3.1");

  // A card of another PKI: its CIs are unknown (8.9.2/3.1); known for verification only, no
  // DSauth under it (8.9.4/3.7).
  auto other_pki = dir.path() / "other-pki";
  REQUIRE(rsp::pki::make(other_pki, {}));
  auto stranger = open_card("stranger", other_pki);
  CHECK(codes(es11->initiate_authentication(initiate_request(*stranger))) == "8.9.2/3.1");
  identity.cis.add(rsp::pki::load_certificate(other_pki, rsp::crypto::Curve::nist_p256, rsp::crypto::Role::ci).value());
  CHECK(codes(es11->initiate_authentication(initiate_request(*stranger))) == "8.9.4/3.7");

  // Sessions before authentication are bounded (3 here) and expire.
  REQUIRE(es11->initiate_authentication(initiate_request(*card)));
  REQUIRE(es11->initiate_authentication(initiate_request(*card)));
  REQUIRE(es11->initiate_authentication(initiate_request(*card)));
  CHECK(codes(es11->initiate_authentication(initiate_request(*card))) == "8.9/4.2");
  clock += settings.session_lifetime + 1;
  CHECK(store->remove_expired_sessions(clock).value() == 3);
  CHECK(codes(es11->initiate_authentication(initiate_request(*card))) == "ok");
}

TEST_CASE_METHOD(Es11Fixture, "ES11.AuthenticateClient: transactionId, signature and session refusals",
                 "[smds][es11]") {
  auto initiated = es11->initiate_authentication(initiate_request(*card));
  REQUIRE(initiated);
  Bytes response = authenticate_server(*card, *initiated);
  CHECK(codes(es11->authenticate_client({"00112233445566778899AABBCCDDEEFF", response})) == "8.10.1/3.9");
  CHECK(codes(es11->authenticate_client({"not hex", response})) == "8.10.1/3.9");

  // euiccSignature1 broken: 8.1/6.1; the session is used up either way.
  Bytes broken = response;
  auto ok = rsp::tlv::find(rsp::tlv::read(response)->value, 0xA0).value();
  auto signature = rsp::tlv::find(ok.value, 0x5F37).value();
  broken[static_cast<size_t>(signature.value.data() - response.data()) + signature.value.size() - 1] ^= 0x01;
  auto refused = es11->authenticate_client({initiated->transaction_id, broken});
  CHECK(codes(refused) == "8.1/6.1");
  CHECK(codes(es11->authenticate_client({initiated->transaction_id, response})) == "8.10.1/3.9");

  // A session past its lifetime.
  initiated = es11->initiate_authentication(initiate_request(*card));
  REQUIRE(initiated);
  response = authenticate_server(*card, *initiated);
  clock += settings.session_lifetime + 1;
  CHECK(codes(es11->authenticate_client({initiated->transaction_id, response})) == "8.10.1/3.9");
  clock -= settings.session_lifetime + 1;

  // Not an AuthenticateServerResponse at all.
  initiated = es11->initiate_authentication(initiate_request(*card));
  CHECK(codes(es11->authenticate_client({initiated->transaction_id, rsp::test::hex("BF3803020100")})) == "8.1/2.2");
}

TEST_CASE_METHOD(Es11Fixture, "ES11.AuthenticateClient: the eUICC's certificate chain, each position with its code",
                 "[smds][es11]") {
  using rsp::crypto::Role;
  auto initiated = es11->initiate_authentication(initiate_request(*card));
  REQUIRE(initiated);
  Bytes response = authenticate_server(*card, *initiated);
  auto curve = rsp::crypto::Curve::nist_p256;
  auto eum = rsp::pki::load_certificate(pki, curve, Role::eum).value();
  auto eum_key = rsp::pki::load_key(pki, curve, Role::eum).value();
  auto euicc_key = rsp::pki::load_key(pki, curve, Role::euicc).value();
  // euiccSigned1 as the card signed it, re-signed with the same key under other certificates.
  auto with_chain = [&](const rsp::crypto::Certificate& euicc, const rsp::crypto::Certificate& issuer) {
    auto ok = rsp::tlv::find(rsp::tlv::read(response)->value, 0xA0).value();
    auto signed1 = rsp::tlv::read(ok.value).value();
    Bytes data(signed1.whole.begin(), signed1.whole.end());
    return encode(0xBF38, encode(0xA0, rsp::concat({data, encode(0x5F37, rsp::crypto::sign(euicc_key, data)),
                                                    euicc.der(), issuer.der()})));
  };
  auto issue_euicc = [&](time_t not_after, const rsp::crypto::Certificate& issuer) {
    rsp::pki::CertificateRequest r;
    r.role = Role::euicc;
    r.subject = {{"O", *eum.subject_organization()}, {"serialNumber", eid}, {"CN", "Test eUICC"}};
    r.not_before = time(nullptr) - 86400 * 2;
    r.not_after = not_after;
    return rsp::pki::issue(r, euicc_key, &issuer, eum_key).value();
  };
  auto other_ci = [&](const std::string& name) {
    auto key = rsp::crypto::PrivateKey::generate(curve);
    rsp::pki::CertificateRequest r;
    r.role = Role::ci;
    r.subject = {{"CN", name}};
    auto ci = rsp::pki::issue(r, key, nullptr, key).value();
    rsp::pki::CertificateRequest e;
    e.role = Role::eum;
    e.subject = {{"O", *eum.subject_organization()}, {"CN", "EUM"}};
    e.eid_range = eum.permitted_eid_range();
    return std::pair{ci, rsp::pki::issue(e, eum_key, &ci, key).value()};
  };

  SECTION("the card's own chain, re-signed: accepted") {
    CHECK(codes(es11->authenticate_client({initiated->transaction_id, with_chain(issue_euicc(0, eum), eum)})) == "ok");
  }
  SECTION("an expired eUICC certificate: 8.1.3/6.3") {
    CHECK(codes(es11->authenticate_client(
              {initiated->transaction_id, with_chain(issue_euicc(time(nullptr) - 86400, eum), eum)})) == "8.1.3/6.3");
  }
  SECTION("an EUM under a CI the SM-DS does not know: 8.11.1/3.9") {
    auto [ci, foreign_eum] = other_ci("Unknown CI");
    CHECK(codes(es11->authenticate_client(
              {initiated->transaction_id, with_chain(issue_euicc(0, foreign_eum), foreign_eum)})) == "8.11.1/3.9");
  }
  SECTION("an EUM under a CI the SM-DS knows but the session did not choose: 8.1.2/6.1") {
    auto [ci, foreign_eum] = other_ci("Second known CI");
    identity.cis.add(ci);
    CHECK(codes(es11->authenticate_client(
              {initiated->transaction_id, with_chain(issue_euicc(0, foreign_eum), foreign_eum)})) == "8.1.2/6.1");
  }
}

TEST_CASE_METHOD(Es11Fixture, "ES11 JSON binding: the ES9+ members in, eventEntries always an array out",
                 "[smds][es11]") {
  using nlohmann::json;
  auto request = initiate_request(*card);
  json initiate = {{"euiccChallenge", rsp::to_base64(request.euicc_challenge)},
                   {"euiccInfo1", rsp::to_base64(request.euicc_info1)},
                   {"smdpAddress", kAddress}};
  auto reply = es11_json(*es11, "initiateAuthentication", initiate.dump());
  REQUIRE(reply);
  json answer = json::parse(reply->body);
  REQUIRE(answer["header"]["functionExecutionStatus"]["status"] == "Executed-Success");
  Es11InitiateAuthenticationResponse initiated{answer["transactionId"],
                                               *rsp::from_base64(answer["serverSigned1"].get<std::string>()),
                                               *rsp::from_base64(answer["serverSignature1"].get<std::string>()),
                                               *rsp::from_base64(answer["euiccCiPKIdToBeUsed"].get<std::string>()),
                                               *rsp::from_base64(answer["serverCertificate"].get<std::string>())};
  CHECK(rsp::crypto::Certificate::from_der(initiated.server_certificate)->role() == rsp::crypto::Role::ds_auth);
  json authenticate = {{"transactionId", initiated.transaction_id},
                       {"authenticateServerResponse", rsp::to_base64(authenticate_server(*card, initiated))}};
  reply = es11_json(*es11, "authenticateClient", authenticate.dump());
  REQUIRE(reply);
  answer = json::parse(reply->body);
  CHECK(answer["header"]["functionExecutionStatus"]["status"] == "Executed-Success");
  CHECK(answer["transactionId"] == initiated.transaction_id);
  CHECK(answer["eventEntries"] == json::array());

  // smdsAddress, as one vendor's client names it, is read too; refusals carry the header only.
  initiate.erase("smdpAddress");
  initiate["smdsAddress"] = "wrong.example.org";
  answer = json::parse(es11_json(*es11, "initiateAuthentication", initiate.dump())->body);
  CHECK(answer["header"]["functionExecutionStatus"]["statusCodeData"]["subjectCode"] == "8.9.1");
  CHECK_FALSE(answer.contains("transactionId"));
  answer = json::parse(es11_json(*es11, "authenticateClient", "[]")->body);
  CHECK(answer["header"]["functionExecutionStatus"]["status"] == "Failed");
  CHECK_FALSE(es11_json(*es11, "getBoundProfilePackage", "{}"));
}

TEST_CASE_METHOD(Es11Fixture, "ES11 ASN.1 binding: A2{BF39} in and out, A2{BF40} with the event entries, error codes",
                 "[smds][es11]") {
  add_event("EV1", "smdp.example.com");
  auto request = initiate_request(*card);
  Bytes initiate =
      encode(0xA2, encode(0xBF39, rsp::concat({encode(0x81, request.euicc_challenge),
                                               encode(0x83, rsp::to_bytes(kAddress)), request.euicc_info1})));
  auto reply = es11_asn1(*es11, initiate);
  REQUIRE(reply.status.ok());
  Bytes body(reply.body.begin(), reply.body.end());
  auto outer = rsp::tlv::read(body).value();
  REQUIRE(outer.tag == 0xA2);
  auto choice = rsp::tlv::read(outer.value).value();
  REQUIRE(choice.tag == 0xBF39);
  auto ok = rsp::tlv::read(choice.value).value();
  REQUIRE(ok.tag == 0xA0);
  auto member = [&](rsp::tlv::Tag tag) {
    auto m = rsp::tlv::find(ok.value, tag).value();
    return Bytes(m.whole.begin(), m.whole.end());
  };
  auto id = rsp::tlv::find(ok.value, 0x80).value();
  Es11InitiateAuthenticationResponse initiated{rsp::to_hex(id.value), member(0x30), member(0x5F37), member(0x04), {}};
  // The second '30' is the certificate.
  auto first = rsp::tlv::find(ok.value, 0x30).value();
  size_t after = static_cast<size_t>(first.whole.data() + first.whole.size() - ok.value.data());
  auto certificate = rsp::tlv::find(rsp::ByteView(ok.value).subspan(after), 0x30).value();
  initiated.server_certificate.assign(certificate.whole.begin(), certificate.whole.end());

  Bytes authenticate = encode(0xA2, encode(0xBF3B, rsp::concat({encode(0x80, *rsp::from_hex(initiated.transaction_id)),
                                                                authenticate_server(*card, initiated)})));
  reply = es11_asn1(*es11, authenticate);
  REQUIRE(reply.status.ok());
  Bytes expected = encode(
      0xA2,
      encode(
          0xBF40,
          encode(0xA0,
                 rsp::concat(
                     {encode(0x80, *rsp::from_hex(initiated.transaction_id)),
                      encode(0xA1, encode(0x30, rsp::concat({encode(0x80, rsp::to_bytes("EV1")),
                                                             encode(0x81, rsp::to_bytes("smdp.example.com"))})))}))));
  CHECK(Bytes(reply.body.begin(), reply.body.end()) == expected);

  // The session is used up: invalidTransactionId(7) under one BF40; a wrong address: invalidDpAddress(1).
  reply = es11_asn1(*es11, authenticate);
  CHECK(Bytes(reply.body.begin(), reply.body.end()) == rsp::test::hex("A206BF4003810107"));
  Bytes wrong =
      encode(0xA2, encode(0xBF39, rsp::concat({encode(0x81, request.euicc_challenge),
                                               encode(0x83, rsp::to_bytes("x.example.org")), request.euicc_info1})));
  std::string refused = es11_asn1(*es11, wrong).body;
  CHECK(Bytes(refused.begin(), refused.end()) == rsp::test::hex("A206BF3903810101"));
  CHECK(es11_asn1(*es11, rsp::test::hex("3000")).http_status == 400);
}

TEST_CASE_METHOD(Es11Fixture, "ES11: mutated messages are refused with a code, never accepted, never thrown",
                 "[smds][es11]") {
  add_event("EV1", "smdp.example.com");
  std::mt19937 random(7);
  for (int round = 0; round < 40; ++round) {
    auto initiated = es11->initiate_authentication(initiate_request(*card));
    REQUIRE(initiated);
    Bytes response = authenticate_server(*card, *initiated);
    Bytes mutated = response;
    switch (round % 3) {
      case 0: mutated[random() % mutated.size()] ^= static_cast<uint8_t>(1 + random() % 255); break;
      case 1: mutated.resize(random() % mutated.size()); break;
      default:
        mutated.insert(mutated.begin() + static_cast<long>(random() % mutated.size()), static_cast<uint8_t>(random()));
        break;
    }
    auto r = es11->authenticate_client({initiated->transaction_id, mutated});
    if (r) {
      // A flip in a part no signature covers (e.g. a length-preserving change the card did not sign) would be a bug.
      FAIL("a mutated AuthenticateServerResponse was accepted (round " << round << ")");
    }
    CHECK_FALSE(r.error().subject_code.empty());
  }
  // Random bodies through the ASN.1 binding: 400 or an A2 answer, nothing else.
  for (int round = 0; round < 200; ++round) {
    Bytes body(random() % 64);
    for (auto& b : body) b = static_cast<uint8_t>(random());
    if (round % 2) body = rsp::concat({rsp::test::hex("A2"), Bytes{static_cast<uint8_t>(body.size())}, body});
    auto reply = es11_asn1(*es11, body);
    CHECK((reply.http_status == 400 ||
           (reply.http_status == 200 && !reply.body.empty() && uint8_t(reply.body[0]) == 0xA2)));
  }
}
