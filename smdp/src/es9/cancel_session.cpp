// SGP.22 v2.5 §5.6.5 ES9+.CancelSession: the eUICC's signed reason ends the session. Reasons a
// device may retry after (postponed, timeout, loadBppExecutionError, undefined) give the order
// back to this eUICC; the end user's rejection, PPR not allowed and metadata mismatch end it.
#include <algorithm>

#include <CancelSessionResponse.h>

#include "es9_message.hpp"
#include "es9_status_codes.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/sql/group_commit.hpp"
#include "rsp/tlv.hpp"
#include "smdp/es9plus.hpp"

namespace smdp {

namespace {

using rsp::tlv::find;

// CancelSessionReason (RSPDefinitions)
enum Reason : int {
  end_user_rejection = 0,
  postponed = 1,
  timeout = 2,
  ppr_not_allowed = 3,
  metadata_mismatch = 4,
  load_bpp_execution_error = 5,
  undefined_reason = 127
};

bool ends_order(int reason) {
  return reason == end_user_rejection || reason == ppr_not_allowed || reason == metadata_mismatch;
}

}  // namespace

FunctionStatus Es9Plus::cancel_session(const CancelSessionRequest& request) {
  const rsp::sql::DeferredSync one_sync;  // this call's commits share one sync, awaited before it answers
  auto found = live_session(request.transaction_id);
  if (!found) {
    // Before authenticateClient nothing is stored (initiateAuthentication keeps no session), so a
    // transactionId we issued that has no row yet is cancelled by writing nothing: the eUICC has
    // ended its side, and storing a row for an unverifiable request is what issue 13 finding 3
    // forbids. Its message is checked below as far as it can be without CERT.EUICC.
    auto issued = issued_session(request.transaction_id);
    if (!issued) return issued.error();
    if (!*issued) return found.error();
    auto stored = store_.session(request.transaction_id);
    if (!stored || *stored) return found.error();  // a stored session that ended or expired stays refused
    found = std::move(**issued);
  }
  SessionRecord session = std::move(*found);
  if (auto malformed = es9_message::malformed(asn_DEF_CancelSessionResponse, request.cancel_session_response,
                                              "cancelSessionResponse"))
    return *malformed;
  auto choice =
      rsp::tlv::read(rsp::tlv::read(request.cancel_session_response)->value).value();  // DER-like: checked above
  if (choice.tag != 0xA0) return es9_status::euicc_signature_invalid("the eUICC refused CancelSession");
  auto ok = es9_message::members(choice.value, {0x30, 0x5F37}, "cancelSessionResponseOk");
  if (!ok) return ok.error();
  const auto& signed_part = (*ok)[0];
  const auto& signature = (*ok)[1];
  auto fields = es9_message::members(signed_part.value, {0x80, 0x82}, "euiccCancelSessionSigned");
  if (!fields) return fields.error();
  const auto& tid = (*fields)[0];
  const auto& reason_tlv = (*fields)[1];
  Bytes transaction_id = rsp::from_hex(session.transaction_id).value();
  if (!std::ranges::equal(tid.value, transaction_id))
    return es9_status::unknown_transaction("euiccCancelSessionSigned carries another transactionId");
  // Before authenticateClient the SM-DP+ has no eUICC certificate to verify with, and holds no order.
  if (!session.euicc_certificate.empty() && !settings_.fault("skip-signature-check") &&
      !es9_message::signed_by_euicc(session, signed_part.whole, signature.value))
    return es9_status::euicc_signature_invalid("euiccCancelSessionSignature does not verify");
  auto oid = find(signed_part.value, 0x81);
  if (!oid || oid->value.empty()) return es9_status::malformed("8.1", "euiccCancelSessionSigned has no smdpOid");
  if (const auto* credentials = identity_.for_ci(session.ci_pkid)) {
    auto ours = credentials->dp_auth.registered_id_der();
    if (ours && !std::ranges::equal(oid->value, *ours))
      return es9_status::invalid_smdp_oid("euiccCancelSessionSigned names another SM-DP+");
  }
  int reason = 0;
  for (auto b : reason_tlv.value.first(std::min<size_t>(reason_tlv.value.size(), 2))) reason = (reason << 8) | b;

  for (int attempt = 0; attempt < 4 && !session.iccid.empty(); ++attempt) {
    auto lookup = store_.profile(session.iccid);
    if (!lookup) return es9_status::execution_error("profile store: " + lookup.error().message);
    if (!*lookup || (*lookup)->transaction_id != session.transaction_id) break;
    ProfileRecord profile = std::move(**lookup);
    if (profile.state == ProfileState::installed) break;
    profile.state = ends_order(reason) ? ProfileState::error : ProfileState::released;
    profile.transaction_id.reset();
    auto updated = store_.update_profile(profile);
    if (!updated) return es9_status::execution_error("profile store: " + updated.error().message);
    if (!*updated) continue;
    if (ends_order(reason))
      report(profile, NotificationPoint::bpp_download,
             FunctionStatus::failure("8.2", "3.8", "the download was cancelled by the device"));
    break;
  }
  if (session.version == 0) return FunctionStatus::success();  // never stored: nothing to end
  session.state = SessionState::cancelled;
  session.bound_profile_package.clear();
  auto saved = store_.update_session(session);
  if (!saved || !*saved) return es9_status::execution_error("the session changed concurrently");
  return FunctionStatus::success();
}

}  // namespace smdp
