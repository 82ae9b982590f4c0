// ES9+ through its ASN.1 binding (SGP.22 v2.5 §6.6): the fixture's download, with each message
// wrapped in a RemoteProfileProvisioningRequest as an LPA would send it to /gsma/rsp2/asn1, and
// each answer checked against RemoteProfileProvisioningResponse before it is unwrapped.
#include <RemoteProfileProvisioningRequest.h>
#include <RemoteProfileProvisioningResponse.h>

#include "es9_fixture.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/iccid.hpp"
#include "smdp/es9plus_asn1.hpp"

using namespace smdp;
using namespace smdp::test;
using rsp::tlv::Tag;

namespace {

Bytes wrap(Tag function, const Bytes& members) { return encode(0xA2, encode(function, members)); }
Bytes whole(const rsp::tlv::Tlv& t) { return Bytes(t.whole.begin(), t.whole.end()); }

// One answer of the binding: the function's Ok alternative (its members) or its error value.
struct Answer {
  bool ok = false;
  std::vector<Bytes> members;  // each whole, in order
  int error = 0;
};

Answer unwrap(const Es9Asn1Reply& reply, Tag function) {
  INFO(reply.status.message);
  REQUIRE(reply.http_status == 200);
  REQUIRE(rsp::asn1::decode(asn_DEF_RemoteProfileProvisioningResponse, reply.body));
  auto outer = rsp::tlv::read(reply.body).value();
  REQUIRE(outer.tag == 0xA2);
  auto alternative = rsp::tlv::read(outer.value).value();
  REQUIRE(alternative.tag == function);
  auto choice = rsp::tlv::read(alternative.value).value();
  Answer a;
  if (choice.tag == 0xA0) {
    a.ok = true;
    for (const auto& m : rsp::tlv::read_all(choice.value).value()) a.members.push_back(whole(m));
    CHECK(reply.status.ok());
  } else {
    REQUIRE(choice.tag == 0x81);
    REQUIRE(choice.value.size() == 1);
    a.error = choice.value[0];
    CHECK_FALSE(reply.status.ok());
  }
  return a;
}

// The fixture's Download for the card's side; its ES9+ calls go through the binding instead.
struct Asn1Download {
  Download d;
  explicit Asn1Download(Es9Fixture& f) : d(f) {}

  Es9Asn1Reply post(const Bytes& body) { return es9plus_asn1(*d.f.es9, body); }
  Bytes transaction_id() const { return rsp::from_hex(d.initiated.transaction_id).value(); }

  Answer initiate(const std::string& address = kAddress) {
    Bytes info1 = Es9Fixture::es10(d.card, rsp::test::hex("BF2000"));
    Bytes challenge_response = Es9Fixture::es10(d.card, rsp::test::hex("BF2E00"));
    auto challenge = find(rsp::tlv::read(challenge_response)->value, 0x80).value();
    Bytes request =
        wrap(0xBF39, rsp::concat({encode(0x81, challenge.value), encode(0x83, rsp::to_bytes(address)), info1}));
    REQUIRE(rsp::asn1::decode(asn_DEF_RemoteProfileProvisioningRequest, request));
    Answer a = unwrap(post(request), 0xBF39);
    if (a.ok) {
      REQUIRE(a.members.size() == 5);
      d.initiated = {rsp::to_hex(rsp::tlv::read(a.members[0])->value), a.members[1], a.members[2], a.members[3],
                     a.members[4]};
    }
    return a;
  }
  Answer authenticate_client(const Bytes& response, std::optional<Bytes> tid = {}) {
    Answer a =
        unwrap(post(wrap(0xBF3B, rsp::concat({encode(0x80, tid.value_or(transaction_id())), response}))), 0xBF3B);
    if (a.ok) {
      REQUIRE(a.members.size() == 5);
      CHECK(rsp::tlv::read(a.members[0])->value.size() == 16);
      d.authenticated = {d.initiated.transaction_id, a.members[1], a.members[2], a.members[3], a.members[4]};
    }
    return a;
  }
  Answer get_bound_profile_package(const Bytes& response, std::optional<Bytes> tid = {}) {
    return unwrap(post(wrap(0xBF3A, rsp::concat({encode(0x80, tid.value_or(transaction_id())), response}))), 0xBF3A);
  }
  // ES10b.CancelSession's answer ('BF41') travels as the implicitly tagged member '[1]' ('A1').
  Answer cancel_session(const Bytes& es10_response, std::optional<Bytes> tid = {}) {
    Bytes member = encode(0xA1, rsp::tlv::read(es10_response)->value);
    return unwrap(post(wrap(0xBF41, rsp::concat({encode(0x80, tid.value_or(transaction_id())), member}))), 0xBF41);
  }
  Es9Asn1Reply handle_notification(const Bytes& pending_notification) {
    return post(wrap(0xBF3D, encode(0xA0, pending_notification)));
  }

  // Up to the signed PrepareDownloadResponse.
  Bytes prepare(const std::string& matching_id, std::optional<std::string> confirmation_code = {}) {
    REQUIRE(initiate().ok);
    REQUIRE(authenticate_client(d.authenticate_server(matching_id)).ok);
    return d.prepare_download(std::move(confirmation_code));
  }
};

}  // namespace

TEST_CASE("ES9+ ASN.1 binding: a full download installs the profile", "[es9][asn1]") {
  Es9Fixture f;
  f.add_profile(kIccid, "MATCH-1");
  Asn1Download a(f);
  Answer bpp = a.get_bound_profile_package(a.prepare("MATCH-1"));
  REQUIRE(bpp.ok);
  REQUIRE(bpp.members.size() == 2);
  CHECK(rsp::tlv::read(bpp.members[0])->value.size() == 16);
  CHECK(rsp::tlv::read(bpp.members[1])->tag == 0xBF36);
  Bytes result = a.d.load(bpp.members[1]);
  REQUIRE(rsp::tlv::read(result)->tag == 0xBF37);

  Es9Asn1Reply handled = a.handle_notification(result);
  CHECK(handled.http_status == 204);
  CHECK(handled.body.empty());
  CHECK(handled.function == "handleNotification");
  CHECK(handled.status.ok());
  CHECK(f.profile(kIccid).state == ProfileState::installed);
  CHECK(installed_on_card(f, kIccid));
}

TEST_CASE("ES9+ ASN.1 binding: a refusal is the function's error alternative", "[es9][asn1]") {
  Es9Fixture f;
  f.add_profile(kIccid, "MATCH-1");
  f.add_profile("8949449999999990031", "MATCH-CC", {}, "12345678");
  Asn1Download a(f);
  Bytes unknown = Bytes(16, 0x5A);

  SECTION("another SM-DP+ address: invalidDpAddress") { CHECK(a.initiate("other.example.org").error == 1); }
  SECTION("unknown transactionId: invalidTransactionId in each function") {
    REQUIRE(a.initiate().ok);
    Bytes response = a.d.authenticate_server("MATCH-1");
    CHECK(a.authenticate_client(response, unknown).error == 10);
    REQUIRE(a.authenticate_client(response).ok);
    Bytes prepared = a.d.prepare_download();
    CHECK(a.get_bound_profile_package(prepared, unknown).error == 95);
    Bytes cancelled = f.es10(encode(0xBF41, rsp::concat({encode(0x80, a.transaction_id()), encode(0x81, Bytes{1})})));
    CHECK(a.cancel_session(cancelled, unknown).error == 1);
    Answer ok = a.cancel_session(cancelled);
    CHECK(ok.ok);
    CHECK(ok.members.empty());  // cancelSessionOk is an empty SEQUENCE
  }
  SECTION("euiccSignature1 altered: euiccSignatureInvalid") {
    REQUIRE(a.initiate().ok);
    Bytes bad = a.d.authenticate_server("MATCH-1");
    Bytes signature_tag{0x5F, 0x37, 0x40};
    auto sig = std::search(bad.begin(), bad.end(), signature_tag.begin(), signature_tag.end());
    REQUIRE(sig != bad.end());
    sig[10] ^= 0x01;
    Es9Asn1Reply reply = a.post(wrap(0xBF3B, rsp::concat({encode(0x80, a.transaction_id()), bad})));
    check_status(reply.status, "8.1", "6.1");
    CHECK(reply.transaction_id == a.d.initiated.transaction_id);
    CHECK(unwrap(reply, 0xBF3B).error == 5);
  }
  SECTION("euiccSignature2 altered: euiccSignatureInvalid") {
    Bytes bad = a.prepare("MATCH-1");
    bad[bad.size() - 5] ^= 0x01;
    CHECK(a.get_bound_profile_package(bad).error == 1);
  }
  SECTION("a wrong confirmation code: confirmationCodeRefused") {
    CHECK(a.get_bound_profile_package(a.prepare("MATCH-CC", "00000000")).error == 3);
  }
  SECTION("a refusal the enumeration does not name: undefinedError") {
    REQUIRE(a.initiate().ok);
    Bytes response = a.d.authenticate_server("MATCH-1");
    auto p = f.profile(kIccid);
    p.order_expires = f.clock - 1;  // 8.8.5/4.10 has a value in getBoundProfilePackage's list only
    REQUIRE(f.store->update_profile(p).value());
    CHECK(a.authenticate_client(response).error == 127);
  }
}

// A body that names an ES9+ function gets that function's refusal (undefinedError, or 204 for
// handleNotification), as a malformed JSON body gets the function's "Failed" status; one that
// names none has no response alternative to answer with, so it is HTTP 400 without a body.
TEST_CASE("ES9+ ASN.1 binding: malformed bodies", "[es9][asn1]") {
  Es9Fixture f;
  auto bad_request = [&](const Bytes& body) {
    Es9Asn1Reply reply = es9plus_asn1(*f.es9, body);
    CHECK(reply.http_status == 400);
    CHECK(reply.body.empty());
    CHECK_FALSE(reply.status.ok());
  };
  auto refused = [&](const Bytes& body, Tag function) {
    Es9Asn1Reply reply = es9plus_asn1(*f.es9, body);
    INFO(reply.status.message);
    CHECK_FALSE(reply.status.ok());
    return unwrap(reply, function).error;
  };
  Bytes tid = encode(0x80, Bytes(16, 1));

  SECTION("not a RemoteProfileProvisioningRequest: 400") {
    bad_request({});
    bad_request(rsp::to_bytes("{\"transactionId\":\"00\"}"));
    bad_request(encode(0xBF3B, tid));                            // no 'A2' around the alternative
    bad_request(rsp::concat({wrap(0xBF3B, tid), Bytes{0x00}}));  // a byte after it
    bad_request(rsp::test::hex("A2 05 BF 3B"));                  // truncated
    bad_request(wrap(0xBF40, tid));                              // ES11's alternative is a response only
    bad_request(encode(0xA2, Bytes{}));
  }
  SECTION("a function with malformed members: its undefinedError") {
    CHECK(refused(wrap(0xBF3B, tid), 0xBF3B) == 127);  // no authenticateServerResponse
    CHECK(refused(wrap(0xBF3A, rsp::concat({encode(0x80, Bytes(17, 1)), encode(0xBF21, Bytes{})})), 0xBF3A) ==
          127);  // transactionId too long
    CHECK(refused(wrap(0xBF41, Bytes{0x01}), 0xBF41) == 127);
    CHECK(refused(wrap(0xBF39, encode(0x81, Bytes(16, 1))), 0xBF39) == 127);
  }
  SECTION("handleNotification: 204 whatever it carries") {
    Es9Asn1Reply reply = es9plus_asn1(*f.es9, wrap(0xBF3D, encode(0xA0, rsp::test::hex("BF3700"))));
    CHECK(reply.http_status == 204);
    CHECK(reply.body.empty());
    CHECK_FALSE(reply.status.ok());
  }
}
