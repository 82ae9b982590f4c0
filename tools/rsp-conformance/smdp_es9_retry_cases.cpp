// The SM-DP+ role's retry and session-end cases (SGP.22 v2.5 §3.1.3, §5.6.2, §5.6.4, §5.6.5), each
// on an ES2+ order of its own: getBoundProfilePackage asked again in one session and in a retried
// download, a finished session's transactionId used again, and CancelSession with a reason after
// which the order stays (postponed) or ends (the end user's rejection). Where the spec leaves the
// SM-DP+ a choice (the same package again, a new binding, or no package for a new binding), every
// answer it allows passes, and what comes of it is checked: a package must install on the eUICC.
#include "auth_steps.hpp"
#include "case.hpp"
#include "smdp_session.hpp"

namespace conformance {
namespace {

using ipa::Bytes;

// Whether a getBoundProfilePackage refusal is one the spec allows for a package asked again:
// 8.2/3.7 (BPP not available for a new binding).
bool refused_rebinding(const ipa::Es9Error& e) {
  return e.is_function() && e.subject_code == "8.2" && e.reason_code == "3.7";
}

// The eUICC installs `bpp` and the SM-DP+ takes its ProfileInstallationResult.
Outcome install_and_notify(Prepared& p, const Bytes& bpp, const std::string& how) {
  auto installed = install(*p.authenticated.session.euicc, bpp);
  if (!installed) return fail(how + ", but " + installed.error().message);
  auto notified = p.authenticated.session.client->handle_notification(installed->tlv);
  if (!notified) return fail(how + " and installed, but handleNotification: " + notified.error().describe());
  return pass(how + "; installed " + installed->iccid);
}

// An order of the case's own prepared, and the first getBoundProfilePackage's package.
struct Packaged {
  Prepared prepared;
  Bytes bpp;
};
rsp::Expected<Packaged> ordered_package(SmdpTarget& target, std::string* matching_id = nullptr) {
  auto p = prepare_ordered(target, matching_id);
  if (!p) return rsp::fail(p.error().message);
  auto bpp = get_package(*p);
  if (!bpp) return rsp::fail("getBoundProfilePackage: " + bpp.error().describe());
  return Packaged{std::move(*p), std::move(bpp->bound_profile_package)};
}

// SGP.22 v2.5 §5.6.2: the same PrepareDownloadResponse twice in one session (the IPA lost the
// first answer): the same package, another binding to the same otPK.EUICC, or 8.2/3.7.
Outcome retry_same_otpk(SmdpTarget& target) {
  if (!target.operator_es2) return not_applicable(kNeedsOrder);
  auto first = ordered_package(target);
  if (!first) return fail(first.error().message);
  auto second = get_package(first->prepared);
  if (!second) {
    if (!refused_rebinding(second.error()))
      return fail("the second getBoundProfilePackage: expected a BPP or Failed 8.2/3.7, got " +
                  second.error().describe());
    return install_and_notify(first->prepared, first->bpp, "refused again with 8.2/3.7");
  }
  bool same = second->bound_profile_package == first->bpp;
  return install_and_notify(first->prepared, second->bound_profile_package,
                            same ? "the same BPP again" : "a new binding to the same otPK.EUICC");
}

// SGP.22 v2.5 §3.1.3: a retried download, a new session of the same eUICC for the same order after
// a package was sent and never installed: 8.2/3.7, or a new binding under a fresh otPK.DP.
Outcome retry_new_otpk(SmdpTarget& target) {
  if (!target.operator_es2) return not_applicable(kNeedsOrder);
  std::string matching_id;
  auto first = ordered_package(target, &matching_id);
  if (!first) return fail(first.error().message);
  auto again = authenticate(target, std::move(first->prepared.authenticated.session), matching_id);
  if (!again) return fail("the retried download: " + again.error().message);
  auto retried = prepare(std::move(*again));
  if (!retried) return fail("the retried download: " + retried.error().message);
  auto second = get_package(*retried);
  if (!second) {
    if (refused_rebinding(second.error())) return pass("8.2/3.7: no package for a new binding");
    return fail("the retried getBoundProfilePackage: expected a BPP or Failed 8.2/3.7, got " +
                second.error().describe());
  }
  Bytes before = smdp_otpk_of(first->bpp), now = smdp_otpk_of(second->bound_profile_package);
  if (now.empty()) return fail("the retried BPP has no otPK.DP (BF23 '5F49')");
  if (now == before) return fail("expected a fresh otPK.DP for the new binding, got the first download's one again");
  return install_and_notify(*retried, second->bound_profile_package, "a new binding with a fresh otPK.DP");
}

// SGP.22 v2.5 §5.6.4: once the installation result is in, the session is over; its transactionId
// used again (authenticateClient, getBoundProfilePackage) is unknown.
Outcome finished_transaction(SmdpTarget& target) {
  if (!target.operator_es2) return not_applicable(kNeedsOrder);
  auto done = ordered_package(target);
  if (!done) return fail(done.error().message);
  Prepared& p = done->prepared;
  if (auto installed = install_and_notify(p, done->bpp, "downloaded"); installed.verdict != Verdict::pass)
    return installed;
  auto& client = *p.authenticated.session.client;
  auto replayed = expect_codes(client.authenticate_client(p.authenticated.transaction_id, p.authenticated.response),
                               {{"8.10.1", "3.9"}});
  if (replayed.verdict != Verdict::pass) return fail("authenticateClient again: " + replayed.detail);
  auto package = expect_codes(get_package(p), {{"8.10.1", "3.9"}});
  if (package.verdict != Verdict::pass) return fail("getBoundProfilePackage again: " + package.detail);
  return pass("8.10.1/3.9 to both");
}

// SGP.22 v2.5 §5.6.5: CancelSession with `reason` after PrepareDownload; the session is over
// (getBoundProfilePackage 8.10.1/3.9); then a new session of the same eUICC for the same order,
// authenticated up to authenticateClient.
rsp::Expected<Authenticated> cancel_then_again(SmdpTarget& target, ipa::es10b::CancelSessionReason reason) {
  std::string matching_id;
  auto p = prepare_ordered(target, &matching_id);
  if (!p) return rsp::fail(p.error().message);
  auto& a = p->authenticated;
  auto signed_reason = ipa::es10b::cancel_session(a.session.euicc->channel(), a.transaction_id, reason);
  if (!signed_reason || !signed_reason->ok()) return rsp::fail("the harness eUICC refused CancelSession");
  if (auto cancelled = a.session.client->cancel_session(a.transaction_id, signed_reason->tlv); !cancelled)
    return rsp::fail("expected cancelSession to succeed, got " + cancelled.error().describe());
  auto after = expect_codes(get_package(*p), {{"8.10.1", "3.9"}});
  if (after.verdict != Verdict::pass) return rsp::fail("getBoundProfilePackage after cancelSession: " + after.detail);
  auto again = authenticate(target, std::move(a.session), matching_id);
  if (!again) return rsp::fail("the new session: " + again.error().message);
  return std::move(*again);
}

// postponed: the order stays; the new session downloads and installs the profile.
Outcome cancel_postponed(SmdpTarget& target) {
  if (!target.operator_es2) return not_applicable(kNeedsOrder);
  auto again = cancel_then_again(target, ipa::es10b::CancelSessionReason::postponed);
  if (!again) return fail(again.error().message);
  auto p = prepare(std::move(*again));
  if (!p) return fail("the new session: " + p.error().message);
  auto bpp = get_package(*p);
  if (!bpp) return fail("the new session's getBoundProfilePackage: " + bpp.error().describe());
  return install_and_notify(*p, bpp->bound_profile_package, "downloaded in a new session");
}

// endUserRejection: the order ends; the new session gets no profile (any Failed answer).
Outcome cancel_rejected(SmdpTarget& target) {
  if (!target.operator_es2) return not_applicable(kNeedsOrder);
  auto again = cancel_then_again(target, ipa::es10b::CancelSessionReason::endUserRejection);
  if (!again) return fail(again.error().message);
  auto& client = *again->session.client;
  auto answer = client.authenticate_client(again->transaction_id, again->response);
  if (!answer) {
    if (answer.error().is_function() && answer.error().status == "Failed")
      return pass("authenticateClient " + answer.error().subject_code + "/" + answer.error().reason_code);
    return fail("expected a Failed authenticateClient, got " + answer.error().describe());
  }
  return fail(
      "expected the order ended after endUserRejection, got authenticateClient success (profile metadata offered again)");
}

// euiccCancelSessionSignature with its last byte flipped: refused (8.1/6.1), and the session goes
// on (getBoundProfilePackage gives the package, which the eUICC installs).
Outcome cancel_forged(SmdpTarget& target) {
  if (!target.operator_es2) return not_applicable(kNeedsOrder);
  auto p = prepare_ordered(target);
  if (!p) return fail(p.error().message);
  auto& a = p->authenticated;
  auto signed_reason = ipa::es10b::cancel_session(a.session.euicc->channel(), a.transaction_id,
                                                  ipa::es10b::CancelSessionReason::postponed);
  if (!signed_reason || !signed_reason->ok()) return fail("the harness eUICC refused CancelSession");
  // BF41 { A0 { 30 euiccCancelSessionSigned, 5F37 } }: the shape of AuthenticateServerResponse's.
  Bytes forged = with_altered_euicc_signature1(signed_reason->tlv);
  if (forged.empty()) return fail("the harness eUICC's CancelSessionResponse has no euiccCancelSessionSignature");
  auto refused = expect_codes(a.session.client->cancel_session(a.transaction_id, forged), {{"8.1", "6.1"}});
  if (refused.verdict != Verdict::pass) return refused;
  // The eUICC ended its side with CancelSession: a new PrepareDownload is not possible, so the
  // session's own PrepareDownloadResponse asks for the package.
  auto bpp = get_package(*p);
  if (!bpp)
    return fail("after the refused cancelSession expected the session to go on, getBoundProfilePackage: " +
                bpp.error().describe());
  return pass(refused.detail + "; the session went on");
}

}  // namespace

std::vector<Case> smdp_es9_retry_cases() {
  const std::string n_a = "; n/a without operator credentials";
  return {
      smdp_case(
          "ES9p.GetBoundProfilePackage.RetrySameOtpk", "SGP.22 v2.5 §5.6.2",
          "getBoundProfilePackage twice with the same PrepareDownloadResponse in one session",
          "the same BPP, another BPP bound to the same otPK.EUICC, or Failed 8.2/3.7; the eUICC installs the package" +
              n_a,
          retry_same_otpk),
      smdp_case(
          "ES9p.GetBoundProfilePackage.RetryNewOtpk", "SGP.22 v2.5 §3.1.3, §5.6.2",
          "after a BPP was sent and not installed, a new session of the same eUICC for the same order (a new otPK.EUICC)",
          "Failed 8.2/3.7, or a BPP under a fresh otPK.DP that the eUICC installs" + n_a, retry_new_otpk),
      smdp_case("ES9p.AuthenticateClient.FinishedTransactionId", "SGP.22 v2.5 §5.6.4",
                "a complete download, then authenticateClient and getBoundProfilePackage again with its transactionId",
                "Failed 8.10.1/3.9 to both" + n_a, finished_transaction),
      smdp_case(
          "ES9p.CancelSession.Postponed", "SGP.22 v2.5 §5.6.5",
          "cancelSession (postponed) after PrepareDownload, getBoundProfilePackage, then a new session for the order",
          "cancelSession succeeds, getBoundProfilePackage Failed 8.10.1/3.9, the new session installs the profile" +
              n_a,
          cancel_postponed),
      smdp_case(
          "ES9p.CancelSession.EndUserRejection", "SGP.22 v2.5 §5.6.5",
          "cancelSession (endUserRejection) after PrepareDownload, getBoundProfilePackage, then a new session for the order",
          "cancelSession succeeds, getBoundProfilePackage Failed 8.10.1/3.9, the new session's authenticateClient Failed" +
              n_a,
          cancel_rejected),
      smdp_case(
          "ES9p.CancelSession.AlteredSignature", "SGP.22 v2.5 §5.6.5",
          "cancelSession after PrepareDownload with euiccCancelSessionSignature's last byte flipped, then getBoundProfilePackage",
          "Failed 8.1/6.1; the session goes on (a BPP)" + n_a, cancel_forged),
  };
}

}  // namespace conformance
