// SGP.22 v2.5 §3.1.2 Common Mutual Authentication, server side (SM-DP+ ES9+, SM-DS ES11).
#include "rsp/common_mutual_authentication.hpp"

#include <algorithm>
#include <vector>

#include <AuthenticateServerResponse.h>
#include <EUICCInfo1.h>

#include "rsp/asn1/codec.hpp"
#include "rsp/crypto/certificate_cache.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/tlv.hpp"

namespace rsp::authentication {

namespace {

using crypto::Certificate;
using crypto::ChainError;
using Failure = EuiccAuthenticationFailure;

// SGP.22 v2 servers speak to v2 eUICCs (SVN major 2).
constexpr uint8_t kSupportedSvnMajor = 2;

// Why `message` is not a DER-like `type`, or nullopt.
std::optional<std::string> malformed(const asn1::Type& type, ByteView message) {
  if (auto decoded = asn1::decode(type, message); !decoded) return decoded.error().message();
  if (auto why = tlv::not_der_like(message)) return "not DER: " + *why;
  return std::nullopt;
}

std::vector<ByteView> ci_list(ByteView euicc_info1, tlv::Tag tag) {
  std::vector<ByteView> out;
  auto list = tlv::find(euicc_info1, tag);
  if (!list) return out;
  if (auto items = tlv::read_all(list->value))
    for (const auto& item : *items) out.push_back(item.value);
  return out;
}

bool contains(const std::vector<ByteView>& list, ByteView ski) {
  return std::ranges::any_of(list, [&](ByteView s) { return std::ranges::equal(s, ski); });
}

Unexpected<EuiccAuthenticationError> refuse(Failure kind, std::string message, long euicc_error = 0) {
  return Unexpected{EuiccAuthenticationError{kind, std::move(message), euicc_error}};
}

bool expiry(ChainError e) { return e == ChainError::expired || e == ChainError::not_yet_valid; }

const Certificate* ci_with_ski(const crypto::TrustedCis& cis, ByteView ski) {
  for (const auto& ci : cis.all())
    if (auto own = ci.subject_key_id(); own && std::ranges::equal(*own, ski)) return &ci;
  return nullptr;
}

}  // namespace

Expected<CiChoice, CiChoiceError> choose_cis(ByteView euicc_info1, const std::function<bool(ByteView)>& has_credentials,
                                             const std::function<bool(ByteView)>& knows_ci) {
  auto refuse = [](CiChoiceFailure kind, std::string message) {
    return Unexpected{CiChoiceError{kind, std::move(message)}};
  };
  if (auto why = malformed(asn_DEF_EUICCInfo1, euicc_info1))
    return refuse(CiChoiceFailure::malformed, "euiccInfo1: " + *why);
  ByteView info = tlv::read(euicc_info1)->value;  // DER-like: checked above
  auto svn = tlv::find(info, 0x82);
  if (!svn || svn->value.size() != 3 || svn->value[0] != kSupportedSvnMajor)
    return refuse(CiChoiceFailure::svn_not_supported, "the eUICC's SGP.22 version is not 2.x");

  auto verification = ci_list(info, 0xA9);
  auto signing = ci_list(info, 0xAA);
  auto usable_for_server = [&](ByteView ski) { return knows_ci(ski) && has_credentials(ski); };
  // The common one first.
  for (auto ski : verification)
    if (usable_for_server(ski) && contains(signing, ski))
      return CiChoice{Bytes(ski.begin(), ski.end()), Bytes(ski.begin(), ski.end())};

  auto server = std::ranges::find_if(verification, usable_for_server);
  auto euicc = std::ranges::find_if(signing, knows_ci);
  bool verification_known = std::ranges::any_of(verification, knows_ci);
  const char* none = "none of the eUICC's CI key identifiers is supported";
  if (server == verification.end() && verification_known)
    return refuse(CiChoiceFailure::no_credentials_for_ci,
                  "no authentication certificate under a CI the eUICC verifies with");
  if (server == verification.end() || euicc == signing.end()) return refuse(CiChoiceFailure::no_supported_ci, none);
  return CiChoice{Bytes(server->begin(), server->end()), Bytes(euicc->begin(), euicc->end())};
}

Bytes server_signed1(ByteView transaction_id, ByteView euicc_challenge, std::string_view server_address,
                     ByteView server_challenge) {
  using tlv::encode;
  return encode(0x30, concat({encode(0x80, transaction_id), encode(0x81, euicc_challenge),
                              encode(0x83, to_bytes(server_address)), encode(0x84, server_challenge)}));
}

Expected<AuthenticatedEuicc, EuiccAuthenticationError> verify_authenticate_server_response(
    ByteView response, const SessionExpectation& expected, const crypto::TrustedCis& cis, time_t now) {
  if (auto why = malformed(asn_DEF_AuthenticateServerResponse, response))
    return refuse(Failure::malformed, "authenticateServerResponse: " + *why);
  auto outer = tlv::read(response).value();  // DER-like: checked above
  auto choice = tlv::read(outer.value).value();
  if (choice.tag != 0xA0) {
    auto code = tlv::find(choice.value, 0x81);
    long euicc_error = 0;
    if (code)
      for (uint8_t b : code->value) euicc_error = euicc_error << 8 | b;
    return refuse(Failure::refused_by_euicc, "the eUICC refused AuthenticateServer", euicc_error);
  }
  auto parts = tlv::read_all(choice.value).value();  // shape checked by the decoder
  if (parts.size() < 4 || parts[0].tag != 0x30) return refuse(Failure::malformed, "authenticateResponseOk is not DER");
  const auto& euicc_signed1 = parts[0];

  // CI -> EUM -> eUICC, each position with its own failure.
  auto eum = crypto::certificate_from_der(parts[3].whole);
  if (!eum) return refuse(Failure::eum_certificate_invalid, "eumCertificate: " + eum.error().message);
  auto euicc = crypto::certificate_from_der(parts[2].whole);
  if (!euicc) return refuse(Failure::euicc_certificate_invalid, "euiccCertificate: " + euicc.error().message);
  // The EUM must chain to the session's CI, whatever its authorityKeyIdentifier says; a CI the
  // server does not know at all is a failure of its own.
  const Certificate* ci = ci_with_ski(cis, expected.euicc_ci);
  if (!ci) return refuse(Failure::unknown_ci, "the session's CI is not known");
  auto eum_link = crypto::verify_link(*eum, crypto::Role::eum, *ci, now);
  if (!eum_link && expected.check_certificates) {
    auto named = eum->authority_key_id();
    if (eum_link.error().error == ChainError::bad_signature && (!named || !ci_with_ski(cis, *named)))
      return refuse(Failure::unknown_ci, "the EUM certificate is not issued by a CI this server knows");
    return refuse(expiry(eum_link.error().error) ? Failure::eum_certificate_expired : Failure::eum_certificate_invalid,
                  eum_link.error().message);
  }
  auto euicc_link = crypto::verify_link(*euicc, crypto::Role::euicc, *eum, now);
  if (!euicc_link && expected.check_certificates &&
      (expected.check_eid_range || euicc_link.error().error != ChainError::eid_outside_range))
    return refuse(
        expiry(euicc_link.error().error) ? Failure::euicc_certificate_expired : Failure::euicc_certificate_invalid,
        euicc_link.error().message);
  if (eum_link && euicc_link) {  // the session's later calls read these again
    crypto::remember_certificate(parts[3].whole, *eum);
    crypto::remember_certificate(parts[2].whole, *euicc);
  }
  auto euicc_key = euicc->public_key();
  if (!euicc_key ||
      (expected.check_euicc_signature1 && !crypto::verify(*euicc_key, euicc_signed1.whole, parts[1].value)))
    return refuse(Failure::euicc_signature_invalid, "euiccSignature1 does not verify");

  // What the eUICC signed must be this session.
  auto transaction_id = tlv::find(euicc_signed1.value, 0x80);
  auto address = tlv::find(euicc_signed1.value, 0x83);
  auto challenge = tlv::find(euicc_signed1.value, 0x84);
  auto ctx = tlv::find(euicc_signed1.value, 0xA0);
  if (!transaction_id || !address || !challenge || !ctx)
    return refuse(Failure::malformed, "euiccSigned1 lacks a member in DER form");
  if (expected.check_transaction_id && !std::ranges::equal(transaction_id->value, expected.transaction_id))
    return refuse(Failure::transaction_id_mismatch, "euiccSigned1 carries another transactionId");
  if (expected.check_server_challenge && !std::ranges::equal(challenge->value, expected.server_challenge))
    return refuse(Failure::server_challenge_mismatch, "serverChallenge does not match");
  if (expected.check_server_address && !std::ranges::equal(address->value, to_bytes(expected.server_address)))
    return refuse(Failure::server_address_mismatch, "euiccSigned1 names another server address");

  AuthenticatedEuicc out{euicc->subject_serial_number().value_or(""),
                         std::move(*euicc),
                         Bytes(euicc_signed1.whole.begin(), euicc_signed1.whole.end()),
                         Bytes(parts[1].whole.begin(), parts[1].whole.end()),
                         {},
                         Bytes(ctx->whole.begin(), ctx->whole.end()),
                         std::nullopt};
  if (auto info2 = tlv::find(euicc_signed1.value, 0xBF22))
    out.euicc_info2.assign(info2->whole.begin(), info2->whole.end());
  if (auto matching_id = tlv::find(ctx->value, 0x80))
    out.matching_id.emplace(matching_id->value.begin(), matching_id->value.end());
  return out;
}

}  // namespace rsp::authentication
