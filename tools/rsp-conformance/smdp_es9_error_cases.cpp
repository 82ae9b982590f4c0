// The SM-DP+ role's ES9+ error cases on the eUICC's side of mutual authentication (SGP.22 v2.5
// §5.6.3 AuthenticateClient, §5.6.2 GetBoundProfilePackage): certificates made to order from
// --pki's EUM key (smdp_made_certs.hpp), a serverChallenge other than the session's signed by the
// eUICC's own key, and an altered euiccSignature2. Where the spec lets the SM-DP+ choose between
// codes, every one of them passes.
#include "auth_steps.hpp"
#include "case.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/tlv.hpp"
#include "smdp_made_certs.hpp"
#include "smdp_session.hpp"

namespace conformance {
namespace {

using ipa::Bytes;
using ipa::ByteView;
using Codes = std::vector<std::pair<std::string, std::string>>;

// authenticateClient from a harness eUICC holding credentials made with `defect`; no matchingId,
// so that an SM-DP+ that let the chain through answers for the order of this EID instead.
Outcome made_certificate_case(SmdpTarget& target, CertDefect defect, const Codes& allowed) {
  MadeCredentials credentials(target, defect);
  if (!credentials.made) {
    if (credentials.made.error().message.starts_with("needs ")) return not_applicable(credentials.made.error().message);
    return fail("could not make the certificates: " + credentials.made.error().message);
  }
  auto a = authenticate(target, std::nullopt);
  if (!a) return fail(a.error().message);
  return expect_codes(a->session.client->authenticate_client(a->transaction_id, a->response), allowed);
}

Outcome expired_euicc(SmdpTarget& t) { return made_certificate_case(t, CertDefect::expired_euicc, {{"8.1.3", "6.3"}}); }
// 8.1.3/6.1 is the eUICC certificate failing verification; osmo-smdpp answers 8.1.4/6.1 (FACTS §2).
Outcome eid_outside_range(SmdpTarget& t) {
  return made_certificate_case(t, CertDefect::eid_outside_range, {{"8.1.3", "6.1"}, {"8.1.4", "6.1"}});
}
// A chain the SM-DP+ cannot build: the unknown CI (8.11.1/3.9) or the EUM certificate (8.1.2/6.1).
Outcome unknown_ci(SmdpTarget& t) {
  return made_certificate_case(t, CertDefect::eum_under_unknown_ci, {{"8.11.1", "3.9"}, {"8.1.2", "6.1"}});
}
Outcome not_signed_by_eum(SmdpTarget& t) {
  return made_certificate_case(t, CertDefect::euicc_not_signed_by_eum, {{"8.1.3", "6.1"}});
}
Outcome expired_eum(SmdpTarget& t) { return made_certificate_case(t, CertDefect::expired_eum, {{"8.1.2", "6.3"}}); }

// AuthenticateServerResponse with one member of euiccSigned1 (`tag`: '80' transactionId, '84'
// serverChallenge) altered and signed again with the key of the harness eUICC's certificate
// (--pki's eUICC key); empty when that fails.
Bytes with_signed1_member_altered(ByteView response, const std::filesystem::path& pki, rsp::tlv::Tag tag) {
  auto outer = rsp::tlv::read(response);
  auto ok = outer ? rsp::tlv::find(outer->value, 0xA0) : std::nullopt;
  if (!ok) return {};
  auto parts = rsp::tlv::read_all(ok->value);
  if (!parts || parts->size() < 3) return {};
  const auto& signed1 = (*parts)[0];
  auto member = rsp::tlv::find(signed1.value, tag);
  auto signature = rsp::tlv::find(ok->value, 0x5F37);
  if (!member || !signature) return {};
  auto key = euicc_key_of(pki, (*parts)[2].whole);
  if (!key) return {};
  Bytes altered(response.begin(), response.end());
  auto offset = [&](ByteView inner) { return static_cast<size_t>(inner.data() - response.data()); };
  for (size_t i = 0; i < member->value.size(); ++i) altered[offset(member->value) + i] ^= 0x5A;
  ByteView new_signed1(altered.data() + offset(signed1.whole), signed1.whole.size());
  Bytes new_signature = rsp::crypto::sign(*key, new_signed1);
  if (new_signature.size() != signature->value.size()) return {};
  std::ranges::copy(new_signature, altered.begin() + static_cast<ptrdiff_t>(offset(signature->value)));
  return altered;
}

// authenticateClient under the session's transactionId with euiccSigned1's `tag` altered, validly signed.
// `asn1_has_code`: false when the ASN.1 binding's AuthenticateClientErrorCode has no value for the
// refusal (§6.6), so that there any error answer passes.
Outcome signed1_altered(SmdpTarget& target, rsp::tlv::Tag tag, const Codes& allowed, bool asn1_has_code = true) {
  auto a = authenticate(target, std::nullopt);
  if (!a) return fail(a.error().message);
  Bytes altered = with_signed1_member_altered(a->response, target.pki, tag);
  if (altered.empty()) return not_applicable("needs --pki's eUICC key (the harness signs euiccSigned1 itself)");
  auto answer = a->session.client->authenticate_client(a->transaction_id, altered);
  return asn1_has_code ? expect_codes(answer, allowed) : expect_codes_json(target, answer, allowed);
}
Outcome other_server_challenge(SmdpTarget& t) { return signed1_altered(t, 0x84, {{"8.1", "6.1"}}); }
Outcome other_signed_address(SmdpTarget& t) { return signed1_altered(t, 0x83, {{"8.8.1", "3.8"}}, false); }
// The session's transactionId is unknown to what the eUICC signed (8.10.1/3.9), or the eUICC's
// signed data fails verification against the session (8.1/6.1).
Outcome other_signed_transaction_id(SmdpTarget& t) {
  return signed1_altered(t, 0x80, {{"8.10.1", "3.9"}, {"8.1", "6.1"}});
}

// SGP.22 v2.5 §5.6.2: euiccSignature2 ('5F37' in downloadResponseOk) with its last byte flipped.
Outcome altered_euicc_signature2(SmdpTarget& target) {
  if (!target.operator_es2) return not_applicable(kNeedsOrder);
  auto p = prepare_ordered(target);
  if (!p) return fail(p.error().message);
  // BF21 { A0 { 30 euiccSigned2, 5F37 } }: the shape of AuthenticateServerResponse's.
  Bytes altered = with_altered_euicc_signature1(p->prepare_download_response);
  if (altered.empty()) return fail("the harness eUICC's PrepareDownloadResponse has no euiccSignature2");
  p->prepare_download_response = std::move(altered);
  return expect_codes(get_package(*p), {{"8.1", "6.1"}});
}

}  // namespace

std::vector<Case> smdp_es9_error_cases() {
  const std::string section = "SGP.22 v2.5 §5.6.3, §4.5.2";
  return {
      smdp_case("ES9p.AuthenticateClient.ExpiredEuiccCertificate", section,
                "authenticateClient from an eUICC whose CERT.EUICC (issued by --pki's EUM) expired yesterday",
                "Failed 8.1.3/6.3", expired_euicc),
      smdp_case("ES9p.AuthenticateClient.EidOutsideEumRange", section,
                "authenticateClient from an eUICC whose CERT.EUICC names an EID outside the EUM's permitted range",
                "Failed 8.1.3/6.1 (or 8.1.4/6.1)", eid_outside_range),
      smdp_case("ES9p.AuthenticateClient.EumUnderUnknownCi", section,
                "authenticateClient from an eUICC whose CERT.EUM is issued by a CI the SM-DP+ does not know",
                "Failed 8.11.1/3.9 or 8.1.2/6.1", unknown_ci),
      smdp_case(
          "ES9p.AuthenticateClient.EuiccCertificateNotSignedByEum", section,
          "authenticateClient from an eUICC whose CERT.EUICC names the EUM as issuer but is signed by another key",
          "Failed 8.1.3/6.1", not_signed_by_eum),
      smdp_case("ES9p.AuthenticateClient.ExpiredEumCertificate", section,
                "authenticateClient from an eUICC whose CERT.EUM (issued by --pki's CI) expired yesterday",
                "Failed 8.1.2/6.3; n/a without --pki's CI key", expired_eum),
      smdp_case(
          "ES9p.AuthenticateClient.OtherServerChallenge", "SGP.22 v2.5 §5.6.3",
          "authenticateClient whose euiccSigned1 carries another serverChallenge, validly signed with the eUICC's key",
          "Failed 8.1/6.1", other_server_challenge),
      smdp_case(
          "ES9p.AuthenticateClient.OtherSignedServerAddress", "SGP.22 v2.5 §5.6.3",
          "authenticateClient whose euiccSigned1 carries another serverAddress, validly signed with the eUICC's key",
          "Failed 8.8.1/3.8 (ASN.1: any authenticateClientError, it has no code for it)", other_signed_address),
      smdp_case(
          "ES9p.AuthenticateClient.OtherSignedTransactionId", "SGP.22 v2.5 §5.6.3",
          "authenticateClient under the session's transactionId whose euiccSigned1 carries another transactionId, validly "
          "signed with the eUICC's key (osmo-smdpp does not compare them, FACTS §2)",
          "Failed 8.10.1/3.9 or 8.1/6.1", other_signed_transaction_id),
      smdp_case("ES9p.GetBoundProfilePackage.AlteredEuiccSignature2", "SGP.22 v2.5 §5.6.2",
                "getBoundProfilePackage on an order of the case's own with euiccSignature2's last byte flipped",
                "Failed 8.1/6.1; n/a without operator credentials", altered_euicc_signature2),
  };
}

}  // namespace conformance
