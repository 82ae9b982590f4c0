// SGP.22 v2.5 §5.6.2 ES9+.AuthenticateClient: the eUICC's chain (CI -> EUM -> eUICC) and
// euiccSignature1, the session's challenge, then the order the matchingId names, which this
// eUICC takes (a versioned update: two devices cannot both hold it). Answers smdpSigned2 signed
// with CERT.DPpb over smdpSigned2 || euiccSignature1.
#include <algorithm>

#include <AuthenticateServerResponse.h>

#include "es9_message.hpp"
#include "es9_status_codes.hpp"
#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/tlv.hpp"
#include "smdp/es9plus.hpp"

namespace smdp {

namespace {

using rsp::crypto::Certificate;
using rsp::crypto::ChainError;
using rsp::tlv::encode;
using rsp::tlv::find;

bool expiry(ChainError e) { return e == ChainError::expired || e == ChainError::not_yet_valid; }

// Why this order cannot go to this eUICC now, or nothing if it can.
std::optional<FunctionStatus> order_refusal(const ProfileRecord& p, const std::string& eid, int64_t now) {
  if (p.eid && *p.eid != eid) return es9_status::eid_refused("the order is for another eUICC");
  if (p.order_expires && p.order_expires <= now) return es9_status::order_expired("the download order expired");
  if (!p.confirmation_code_hash.empty() && p.confirmation_attempts_left <= 0)
    return es9_status::order_retries_exceeded("no confirmation code attempts left");
  switch (p.state) {
    case ProfileState::released: return std::nullopt;
    case ProfileState::downloaded: return std::nullopt;  // this eUICC again (eid checked above): a retry
    case ProfileState::allocated:
    case ProfileState::linked:
    case ProfileState::confirmed: return es9_status::profile_not_released("the profile is not released yet");
    default: return es9_status::matching_id_refused("the order for this matchingId is not downloadable");
  }
}

}  // namespace

Es9Result<AuthenticateClientResponse> Es9Plus::authenticate_client(const AuthenticateClientRequest& request) {
  auto found = live_session(request.transaction_id);
  if (!found) return rsp::Unexpected{found.error()};
  SessionRecord session = std::move(*found);
  if (session.state != SessionState::initiated)
    return rsp::Unexpected{es9_status::unknown_transaction("the session is past authentication")};

  if (auto malformed = es9_message::malformed(asn_DEF_AuthenticateServerResponse, request.authenticate_server_response,
                                              "authenticateServerResponse"))
    return rsp::Unexpected{*malformed};
  auto outer = rsp::tlv::read(request.authenticate_server_response).value();  // DER-like: checked above
  auto choice = rsp::tlv::read(outer.value).value();
  if (choice.tag != 0xA0)
    return rsp::Unexpected{es9_status::euicc_signature_invalid("the eUICC refused AuthenticateServer")};
  auto parts = rsp::tlv::read_all(choice.value).value();  // shape checked by the decoder
  if (parts.size() < 4 || parts[0].tag != 0x30)
    return rsp::Unexpected{es9_status::malformed("8.1", "authenticateResponseOk is not DER")};
  const auto& euicc_signed1 = parts[0];
  ByteView euicc_signature1 = parts[1].value;

  // CI -> EUM -> eUICC, each position with its own status code.
  auto eum = Certificate::from_der(parts[3].whole);
  if (!eum) return rsp::Unexpected{es9_status::eum_certificate_invalid("eumCertificate: " + eum.error().message)};
  if (!std::ranges::equal(eum->der(), parts[3].whole)) return rsp::Unexpected{es9_status::eum_certificate_invalid("eumCertificate is not DER")};
  auto euicc = Certificate::from_der(parts[2].whole);
  if (!euicc) return rsp::Unexpected{es9_status::euicc_certificate_invalid("euiccCertificate: " + euicc.error().message)};
  if (!std::ranges::equal(euicc->der(), parts[2].whole))
    return rsp::Unexpected{es9_status::euicc_certificate_invalid("euiccCertificate is not DER")};
  auto ci_ski = eum->authority_key_id();
  const Certificate* ci = ci_ski ? identity_.ci(*ci_ski) : nullptr;
  if (!ci) return rsp::Unexpected{es9_status::unknown_ci("the EUM certificate is not issued by a CI this SM-DP+ knows")};
  if (auto link = rsp::crypto::verify_link(*eum, rsp::crypto::Role::eum, *ci, now()); !link)
    return rsp::Unexpected{expiry(link.error().error) ? es9_status::eum_certificate_expired(link.error().message)
                                                      : es9_status::eum_certificate_invalid(link.error().message)};
  if (auto link = rsp::crypto::verify_link(*euicc, rsp::crypto::Role::euicc, *eum, now()); !link)
    return rsp::Unexpected{expiry(link.error().error) ? es9_status::euicc_certificate_expired(link.error().message)
                                                      : es9_status::euicc_certificate_invalid(link.error().message)};
  auto euicc_key = euicc->public_key();
  if (!euicc_key || !rsp::crypto::verify(*euicc_key, euicc_signed1.whole, euicc_signature1))
    return rsp::Unexpected{es9_status::euicc_signature_invalid("euiccSignature1 does not verify")};

  // What the eUICC signed must be this session.
  Bytes transaction_id = rsp::from_hex(session.transaction_id).value();
  auto signed1 = es9_message::members(euicc_signed1.value, {0x80, 0x83, 0x84}, "euiccSigned1");
  if (!signed1) return rsp::Unexpected{signed1.error()};
  if (!std::ranges::equal((*signed1)[0].value, transaction_id))
    return rsp::Unexpected{es9_status::unknown_transaction("euiccSigned1 carries another transactionId")};
  if (!std::ranges::equal((*signed1)[2].value, session.server_challenge))
    return rsp::Unexpected{es9_status::euicc_signature_invalid("serverChallenge does not match")};
  if (!std::ranges::equal((*signed1)[1].value, rsp::to_bytes(session.smdp_address)))
    return rsp::Unexpected{es9_status::invalid_smdp_address("euiccSigned1 names another SM-DP+ address")};
  std::string eid = euicc->subject_serial_number().value_or("");

  // ctxParams1 (ctxParamsForCommonAuthentication): the matchingId of the order.
  auto ctx = find(euicc_signed1.value, 0xA0);
  auto matching_id_tlv = ctx ? find(ctx->value, 0x80) : std::nullopt;
  std::string matching_id = matching_id_tlv ? std::string(matching_id_tlv->value.begin(), matching_id_tlv->value.end()) : "";
  if (matching_id.empty())
    return rsp::Unexpected{es9_status::matching_id_refused("a matchingId is required (orders by EID alone are not served)")};

  // Take the order for this eUICC and session; a concurrent writer makes us re-read and re-decide.
  ProfileRecord profile;
  for (int attempt = 0;; ++attempt) {
    auto lookup = store_.profile_by_matching_id(matching_id);
    if (!lookup) return rsp::Unexpected{es9_status::execution_error("profile store: " + lookup.error().message)};
    if (!*lookup) return rsp::Unexpected{es9_status::matching_id_refused("unknown matchingId")};
    profile = std::move(**lookup);
    if (auto refusal = order_refusal(profile, eid, now())) {
      report(profile, NotificationPoint::eligibility_and_retry_limit, *refusal);
      return rsp::Unexpected{*refusal};
    }
    profile.eid = eid;
    profile.transaction_id = session.transaction_id;
    auto updated = store_.update_profile(profile);
    if (!updated) return rsp::Unexpected{es9_status::execution_error("profile store: " + updated.error().message)};
    if (*updated) break;
    if (attempt == 3) return rsp::Unexpected{es9_status::execution_error("the order is being changed concurrently")};
  }

  const DpCredentials* credentials = identity_.for_ci(session.ci_pkid);
  if (!credentials) return rsp::Unexpected{es9_status::execution_error("the session's credentials are gone")};
  bool cc_required = !profile.confirmation_code_hash.empty();
  AuthenticateClientResponse response;
  response.transaction_id = session.transaction_id;
  response.profile_metadata = profile.metadata;
  response.smdp_signed2 = encode(0x30, rsp::concat({encode(0x80, transaction_id), encode(0x01, Bytes{cc_required ? uint8_t(0xFF) : uint8_t(0)})}));
  response.smdp_signature2 = encode(0x5F37, rsp::crypto::sign(credentials->dp_pb_key, rsp::concat({response.smdp_signed2, parts[1].whole})));
  response.smdp_certificate = credentials->dp_pb.der();

  session.state = SessionState::authenticated;
  session.eid = eid;
  session.iccid = profile.iccid;
  session.cc_required = cc_required;
  session.euicc_certificate = euicc->der();
  session.smdp_signature2 = response.smdp_signature2;
  auto saved = store_.update_session(session);
  if (!saved) return rsp::Unexpected{es9_status::execution_error("session store: " + saved.error().message)};
  if (!*saved) return rsp::Unexpected{es9_status::unknown_transaction("the session changed concurrently")};
  report(profile, NotificationPoint::eligibility_and_retry_limit, FunctionStatus::success());
  return response;
}

}  // namespace smdp
