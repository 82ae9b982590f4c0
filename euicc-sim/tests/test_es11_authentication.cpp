// The card's AuthenticateServer (SGP.22 v2.5 §5.7.13) on the ES11 path (§3.1.2, §5.8): an SM-DS
// authenticates with CERT.DSauth like an SM-DP+ with CERT.DPauth, and its session has no download;
// and the CI choice, with both readings of euiccCiPKIdToBeUsed accepted. The SM-DS side is built
// from the crypto core with the test PKI's ds-auth credentials.
#include "download_fixture.hpp"
#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/files.hpp"

using namespace euicc;
using namespace euicc::test;
using rsp::tlv::find;

namespace {

// The SM-DS side: `rsp-pki make`'s CERT.DSauth (or another role's certificate) and key in place of
// the SM-DP+'s, and the SM-DS's address.
void use_server_certificate(TestSmdp& server, const std::filesystem::path& pki,
                            crypto::Role role = crypto::Role::ds_auth) {
  server.auth = rsp::pki::load_certificate(pki, crypto::Curve::nist_p256, role).value();
  server.auth_key = rsp::pki::load_key(pki, crypto::Curve::nist_p256, role).value();
  server.address = "testrootsmds.example.com";
}

Bytes challenge(CardFixture& f) {
  Bytes r = f.call(encode(0xBF2E, Bytes{}));
  auto c = find(rsp::tlv::read(r)->value, 0x80).value();
  return Bytes(c.value.begin(), c.value.end());
}

int error_code(const Bytes& response) {  // BF38 / BF21 { A1 { 80 tid, 02 code } }
  auto error = find(rsp::tlv::read(response)->value, 0xA1).value();
  return find(error.value, 0x02)->value[0];
}

// The parts of an AuthenticateServerResponse's ok alternative; the TLVs point into `response`, which must outlive them.
struct Authenticated {
  rsp::tlv::Tlv euicc_signed1, signature;
  crypto::Certificate euicc;
};
Authenticated authenticated(CardFixture& f, const Bytes& response) {
  auto ok = f.child(response, 0xA0);
  auto parts = rsp::tlv::read_all(ok.value).value();
  REQUIRE(parts.size() == 4);
  return {parts[0], parts[1], crypto::Certificate::from_der(parts[2].whole).value()};
}

}  // namespace

TEST_CASE(
    "ES11: the card authenticates an SM-DS by its CERT.DSauth, with no matchingId, and refuses a download in that session") {
  CardFixture f;
  TestSmdp smds(f.pki, crypto::Curve::nist_p256);
  use_server_certificate(smds, f.pki);
  Bytes response = f.call(smds.authenticate_server(challenge(f), std::nullopt));
  auto a = authenticated(f, response);
  // euiccSigned1 { 80 transactionId, 83 serverAddress, 84 serverChallenge, BF22 euiccInfo2, A0 ctxParams1 }
  auto address = find(a.euicc_signed1.value, 0x83)->value;
  CHECK(std::string(address.begin(), address.end()) == "testrootsmds.example.com");
  auto ctx = find(a.euicc_signed1.value, 0xA0).value();
  CHECK_FALSE(find(ctx.value, 0x80));  // no matchingId
  CHECK(find(ctx.value, 0xA1));        // deviceInfo
  auto key = a.euicc.public_key().value();
  CHECK(crypto::verify(key, a.euicc_signed1.whole, a.signature.value));
  CHECK(a.euicc.subject_serial_number() == f.card->eid);

  SECTION("PrepareDownload after an SM-DS session: noSessionContext, and the session is gone") {
    TestSmdp smdp(f.pki, crypto::Curve::nist_p256);
    CHECK(error_code(f.call(smdp.prepare_download(a.signature.whole))) == 4);
    CHECK(error_code(f.call(smdp.prepare_download(a.signature.whole))) == 4);
  }
  SECTION("a fresh challenge starts an ordinary download session with an SM-DP+") {
    TestSmdp smdp(f.pki, crypto::Curve::nist_p256);
    Bytes dp_response = f.call(smdp.authenticate_server(challenge(f), std::nullopt));
    auto dp = authenticated(f, dp_response);
    Bytes prepared = f.call(smdp.prepare_download(dp.signature.whole));
    CHECK(f.child(prepared, 0xA0).tag == 0xA0);
  }
  SECTION("CancelSession of the SM-DS session is signed with the SM-DS's OID") {
    Bytes cancel = f.call(encode(0xBF41, rsp::concat({encode(0x80, smds.transaction_id), encode(0x81, Bytes{0x05})})));
    auto ok = f.child(cancel, 0xA0);
    auto signed_part = find(ok.value, 0x30).value();
    CHECK(find(signed_part.value, 0x81)->value.size() > 0);
  }
}

TEST_CASE("ES11: certificates an SM-DS may not authenticate with are refused: invalidCertificate") {
  CardFixture f;
  TestSmdp smds(f.pki, crypto::Curve::nist_p256);
  SECTION("CERT.DS.TLS in place of CERT.DSauth") { use_server_certificate(smds, f.pki, crypto::Role::ds_tls); }
  SECTION("a CERT.DSauth under a CI the card does not trust") {
    rsp::test::TempDir other;
    REQUIRE(rsp::pki::make(other.path(), rsp::pki::MakeOptions{}));
    use_server_certificate(smds, other.path());
  }
  CHECK(error_code(f.call(smds.authenticate_server(challenge(f), std::nullopt))) == 1);
}

TEST_CASE(
    "AuthenticateServer: verified under the server certificate's CI, signed under euiccCiPKIdToBeUsed or else that CI") {
  // The card has credentials under its own CI, and trusts a second CI for verification only.
  CardFixture f;
  rsp::test::TempDir second;
  REQUIRE(rsp::pki::make(second.path(), rsp::pki::MakeOptions{}));
  auto second_ci = rsp::pki::load_certificate(second.path(), crypto::Curve::nist_p256, crypto::Role::ci).value();
  std::filesystem::create_directories(f.dir.path() / "card" / "trusted-cis");
  REQUIRE(rsp::files::write_atomic(f.dir.path() / "card" / "trusted-cis" / "second.der", second_ci.der()));
  f.reopen();
  const Bytes own_ski = f.card->credentials.at(0).ci_ski;
  const Bytes second_ski = *second_ci.subject_key_id();
  REQUIRE(f.card->trusted_ci(second_ski));

  SECTION("a DPauth under the second CI, euiccCiPKIdToBeUsed the card's own CI: the card signs under its own") {
    TestSmdp smdp(second.path(), crypto::Curve::nist_p256);
    smdp.ci_ski = own_ski;
    Bytes response = f.call(smdp.authenticate_server(challenge(f)));  // `a` points into it
    auto a = authenticated(f, response);
    CHECK(a.euicc.authority_key_id() != std::nullopt);
    CHECK(rsp::to_hex(f.card->credentials.at(0).euicc.der()) == rsp::to_hex(a.euicc.der()));
  }
  SECTION("a DPauth under the card's CI, euiccCiPKIdToBeUsed the verification-only CI: signed under the DPauth's CI") {
    TestSmdp smdp(f.pki, crypto::Curve::nist_p256);
    smdp.ci_ski = second_ski;
    Bytes response = f.call(smdp.authenticate_server(challenge(f)));  // `a` points into it
    auto a = authenticated(f, response);
    CHECK(a.euicc.subject_serial_number() == f.card->eid);
    // The download goes on: the DPpb is verified under the DPauth's CI.
    Bytes prepared = f.call(smdp.prepare_download(a.signature.whole));
    CHECK(f.child(prepared, 0xA0).tag == 0xA0);
  }
  SECTION(
      "a DPauth under the second CI and euiccCiPKIdToBeUsed naming it: the card has nothing to sign with, ciPKUnknown") {
    TestSmdp smdp(second.path(), crypto::Curve::nist_p256);
    smdp.ci_ski = second_ski;
    CHECK(error_code(f.call(smdp.authenticate_server(challenge(f)))) == 7);
  }
  SECTION("euiccCiPKIdToBeUsed in neither list: ciPKUnknown") {
    TestSmdp smdp(f.pki, crypto::Curve::nist_p256);
    smdp.ci_ski = Bytes(20, 0x42);
    CHECK(error_code(f.call(smdp.authenticate_server(challenge(f)))) == 7);
  }
}
