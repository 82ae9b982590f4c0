// SGP.22 v2.5 §5.6.2 ES9+.AuthenticateClient: the eUICC's chain (CI -> EUM -> eUICC) and
// euiccSignature1, the session's challenge (from its transactionId: initiateAuthentication stored
// nothing), the session stored, then the order the matchingId names (or, without one,
// the order bound to the eUICC's EID), which this eUICC takes (a versioned update: two devices
// cannot both hold it). Answers smdpSigned2 signed with CERT.DPpb over smdpSigned2 || euiccSignature1.
#include <algorithm>

#include "es9_status_codes.hpp"
#include "rsp/common_mutual_authentication.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/server/authentication_status.hpp"
#include "rsp/sql/group_commit.hpp"
#include "rsp/tlv.hpp"
#include "smdp/es9plus.hpp"

namespace smdp {

namespace {

using rsp::tlv::encode;

// Whether the profile's policy rules (StoreMetadataRequest profilePolicyRules, '99') include one
// the eUICC forbids (EUICCInfo2 forbiddenProfilePolicyRules, '99'): both are BIT STRINGs of PprIds.
bool policy_rules_forbidden(ByteView metadata, ByteView euicc_info2) {
  auto contents = [](ByteView object) -> std::optional<rsp::tlv::Tlv> {
    auto outer = rsp::tlv::read(object);
    return outer ? rsp::tlv::find(outer->value, 0x99) : std::nullopt;
  };
  auto rules = contents(metadata);
  auto forbidden = contents(euicc_info2);
  if (!rules || !forbidden) return false;
  // The first byte of each counts the unused bits; the rules start at the second.
  for (size_t i = 1; i < rules->value.size() && i < forbidden->value.size(); ++i)
    if (rules->value[i] & forbidden->value[i]) return true;
  return false;
}

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

Es9Result<ProfileRecord> Es9Plus::order_for_matching_id(const std::string& matching_id) {
  auto lookup = store_.profile_by_matching_id(matching_id);
  if (!lookup) return rsp::Unexpected{es9_status::execution_error("profile store: " + lookup.error().message)};
  if (!*lookup) return rsp::Unexpected{es9_status::matching_id_refused("unknown matchingId")};
  return std::move(**lookup);
}

// The order bound to `eid`: a released one first; else a downloaded one (this eUICC again: a retry
// of a download whose result has not come, which may well be installed already); else the first
// pending one (its refusal says why not yet); else none for this EID.
Es9Result<ProfileRecord> Es9Plus::order_for_eid(const std::string& eid) {
  auto orders = store_.orders_for_eid(eid);
  if (!orders) return rsp::Unexpected{es9_status::execution_error("profile store: " + orders.error().message)};
  if (orders->empty()) return rsp::Unexpected{es9_status::eid_refused("no download order for this EID")};
  for (ProfileState wanted : {ProfileState::released, ProfileState::downloaded})
    for (auto& order : *orders)
      if (order.state == wanted && !order_refusal(order, eid, now())) return std::move(order);
  return std::move(orders->front());
}

Es9Result<AuthenticateClientResponse> Es9Plus::authenticate_client(const AuthenticateClientRequest& request) {
  const rsp::sql::DeferredSync one_sync;  // this call's commits share one sync, awaited before it answers
  auto found = session_to_authenticate(request.transaction_id);
  if (!found) return rsp::Unexpected{found.error()};
  SessionRecord session = std::move(*found);

  Bytes transaction_id = rsp::from_hex(session.transaction_id).value();
  rsp::authentication::SessionExpectation expected{transaction_id, session.server_challenge, session.smdp_address,
                                                   session.euicc_ci_pkid};
  expected.check_euicc_signature1 = !settings_.fault("skip-signature-check");
  expected.check_transaction_id = expected.check_server_challenge = !settings_.fault("accept-any-challenge");
  expected.check_eid_range = !settings_.fault("skip-eid-range-check");
  expected.check_server_address = !settings_.fault("skip-address-check");
  expected.check_certificates = !settings_.fault("skip-certificate-check");
  auto authenticated = rsp::authentication::verify_authenticate_server_response(request.authenticate_server_response,
                                                                                expected, identity_.cis, now());
  if (!authenticated) return rsp::Unexpected{rsp::server::authentication_refusal(authenticated.error(), "8.8.1")};
  const std::string& eid = authenticated->eid;

  // Only now, with the eUICC's signature verified under a CI we trust, does the session get a row.
  // The row's key is what refuses this transactionId to anyone after (a replayed response); it is
  // claimed before the order is looked at, so a replay is refused without reaching the operator.
  session.eid = eid;
  session.euicc_certificate = authenticated->euicc_certificate.der();
  if (session.version == 0) {
    if (auto added = store_.add_session(session); !added) {
      if (added.error().kind == StoreErrorKind::exists)
        return rsp::Unexpected{es9_status::unknown_transaction("transactionId already used")};
      return rsp::Unexpected{es9_status::execution_error("session store: " + added.error().message)};
    }
  } else if (auto claimed = store_.update_session(session); !claimed || !*claimed) {
    return rsp::Unexpected{claimed ? es9_status::unknown_transaction("the session changed concurrently")
                                   : es9_status::execution_error("session store: " + claimed.error().message)};
  }

  // ctxParams1's matchingId names the order (an activation code or an SM-DS event); without one
  // (absent or empty) the order is the one bound to this EID (the default SM-DP+, §5.6.2). This
  // eUICC and session take it; a concurrent writer makes us re-read and re-decide.
  ProfileRecord profile;
  const std::string matching_id = authenticated->matching_id.value_or("");
  for (int attempt = 0;; ++attempt) {
    auto lookup = matching_id.empty() ? order_for_eid(eid) : order_for_matching_id(matching_id);
    if (!lookup) return rsp::Unexpected{lookup.error()};
    profile = std::move(*lookup);
    auto refusal = order_refusal(profile, eid, now());
    if (!refusal && policy_rules_forbidden(profile.metadata, authenticated->euicc_info2))
      refusal = es9_status::policy_rules_not_allowed("the eUICC forbids a profile policy rule of this profile");
    if (refusal) {
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
  const Bytes& euicc_signature1 = authenticated->euicc_signature1;
  AuthenticateClientResponse response;
  response.transaction_id = session.transaction_id;
  response.profile_metadata = profile.metadata;
  response.smdp_signed2 = encode(
      0x30, rsp::concat({encode(0x80, transaction_id), encode(0x01, Bytes{cc_required ? uint8_t(0xFF) : uint8_t(0)})}));
  response.smdp_signature2 =
      encode(0x5F37, rsp::crypto::sign(credentials->dp_pb_key, rsp::concat({response.smdp_signed2, euicc_signature1})));
  response.smdp_certificate = credentials->dp_pb.der();

  session.state = SessionState::authenticated;
  session.iccid = profile.iccid;
  session.cc_required = cc_required;
  session.smdp_signature2 = response.smdp_signature2;
  auto saved = store_.update_session(session);
  if (!saved) return rsp::Unexpected{es9_status::execution_error("session store: " + saved.error().message)};
  if (!*saved) return rsp::Unexpected{es9_status::unknown_transaction("the session changed concurrently")};
  report(profile, NotificationPoint::eligibility_and_retry_limit, FunctionStatus::success());
  return response;
}

}  // namespace smdp
