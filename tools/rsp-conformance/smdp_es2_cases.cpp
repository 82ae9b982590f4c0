// The SM-DP+ role's ES2+ cases (SGP.22 v2.5 §5.3, JSON binding §6.5.2) with the operator's
// credentials: the order life cycle (DownloadOrder, ConfirmOrder, ReleaseProfile, CancelOrder), the
// refusals in a wrong state, and operator isolation (a second operator's credentials, --operator2-*,
// cannot confirm, cancel or release the first's order; a functionRequesterIdentifier naming another
// operator is refused). Where an order's effect shows on ES9+ (not released, cancelled), the case
// asks ES9+ in the run's binding. Every case gives back the profile it ordered (CancelOrder Available).
#include "auth_steps.hpp"
#include "case.hpp"
#include "smdp_session.hpp"

namespace conformance {
namespace {

using nlohmann::json;

// A Failed answer with `subject` and one of `reasons` (any reason when empty).
Outcome expect_failed(const rsp::Expected<Es2Answer>& answer, const std::string& subject,
                      const std::vector<std::string>& reasons) {
  std::string wanted = "Failed " + subject + "/";
  for (size_t i = 0; i < reasons.size(); ++i) wanted += (i ? " or " : "") + reasons[i];
  if (reasons.empty()) wanted += "(any reason)";
  if (!answer) return fail("expected " + wanted + ", got no answer: " + answer.error().message);
  if (answer->http_status == 200 && answer->status == "Failed" && answer->subject_code == subject &&
      (reasons.empty() || std::ranges::find(reasons, answer->reason_code) != reasons.end()))
    return pass(answer->describe().substr(7));
  return fail("expected " + wanted + ", got " + answer->describe());
}

// An order of the case's own for a fresh harness eUICC: its ICCID and EID (the operator's
// DownloadOrder, then ConfirmOrder when `confirm`, releaseFlag `release`).
struct Order {
  std::string eid, iccid, matching_id;
};
rsp::Expected<Order> order(SmdpTarget& target, bool confirm, bool release) {
  auto euicc = target.new_euicc();
  if (!euicc) return rsp::fail(euicc.error().message);
  const Es2Operator& op = *target.operator_es2;
  Order o{(*euicc)->eid(), {}, {}};
  auto iccid = download_order(op, o.eid);
  if (!iccid) return rsp::fail(iccid.error().message);
  o.iccid = *iccid;
  if (!confirm) return o;
  auto confirmed = es2_request(op, "confirmOrder", {{"iccid", o.iccid}, {"eid", o.eid}, {"releaseFlag", release}});
  if (!confirmed || !confirmed->ok())
    return rsp::fail("ES2+ confirmOrder: " + (confirmed ? confirmed->describe() : confirmed.error().message));
  o.matching_id = confirmed->body.value("matchingId", "");
  return o;
}

// CancelOrder Available: the profile goes back to the pool (the answer does not matter here).
void give_back(const SmdpTarget& target, const Order& o) {
  (void)es2_request(*target.operator_es2, "cancelOrder",
                    {{"iccid", o.iccid}, {"finalProfileStatusIndicator", "Available"}});
}

// authenticateClient for `matching_id` from a fresh harness eUICC (not the one the order names:
// while the order stands the SM-DP+ answers 8.1.1/3.8, once it is gone 8.2.6/3.8).
ipa::Es9Result<ipa::AuthenticateClientResponse> es9_for(SmdpTarget& target, const std::string& matching_id) {
  auto a = authenticate(target, matching_id);
  if (!a) {
    ipa::Es9Error e;
    e.kind = ipa::Es9Error::Kind::protocol;
    e.message = a.error().message;
    return rsp::Unexpected{e};
  }
  return a->session.client->authenticate_client(a->transaction_id, a->response);
}

Outcome unknown_iccid(SmdpTarget& target) {
  if (!target.operator_es2) return not_applicable(kNeedsOrder);
  return expect_failed(es2_request(*target.operator_es2, "downloadOrder", {{"iccid", "8999000000000000017"}}), "8.2.1",
                       {"3.9"});
}

// ConfirmOrder twice: the second finds no order waiting for confirmation.
Outcome confirm_twice(SmdpTarget& target) {
  if (!target.operator_es2) return not_applicable(kNeedsOrder);
  auto o = order(target, true, true);
  if (!o) return fail(o.error().message);
  auto again = es2_request(*target.operator_es2, "confirmOrder", {{"iccid", o->iccid}, {"releaseFlag", true}});
  give_back(target, *o);
  return expect_failed(again, "8.2.1", {});
}

// ConfirmOrder releaseFlag false: ES9+ refuses the order as not released (8.2/1.2) until
// ReleaseProfile; after it authenticateClient succeeds. ReleaseProfile again is refused.
Outcome release_nominal(SmdpTarget& target) {
  if (!target.operator_es2) return not_applicable(kNeedsOrder);
  auto first = open_session(target);
  if (!first) return fail(first.error().message);
  const Es2Operator& op = *target.operator_es2;
  auto iccid = download_order(op, first->euicc->eid());
  if (!iccid) return fail(iccid.error().message);
  Order o{first->euicc->eid(), *iccid, {}};
  auto confirmed = es2_request(op, "confirmOrder", {{"iccid", o.iccid}, {"eid", o.eid}, {"releaseFlag", false}});
  if (!confirmed || !confirmed->ok())
    return fail("ES2+ confirmOrder: " + (confirmed ? confirmed->describe() : confirmed.error().message));
  o.matching_id = confirmed->body.value("matchingId", "");
  auto before = authenticate(target, std::move(*first), o.matching_id);
  if (!before) return fail(before.error().message);
  // 8.2/1.2 not released: AuthenticateClientErrorCode has no value for it.
  auto held = expect_codes_json(
      target, before->session.client->authenticate_client(before->transaction_id, before->response), {{"8.2", "1.2"}});
  if (held.verdict != Verdict::pass) return give_back(target, o), fail("before ReleaseProfile: " + held.detail);
  auto released = es2_request(op, "releaseProfile", {{"iccid", o.iccid}});
  if (!released || !released->ok())
    return give_back(target, o),
           fail("ES2+ releaseProfile: " + (released ? released->describe() : released.error().message));
  auto after = authenticate(target, std::move(before->session), o.matching_id);
  if (!after) return give_back(target, o), fail(after.error().message);
  auto answer = after->session.client->authenticate_client(after->transaction_id, after->response);
  auto twice = es2_request(op, "releaseProfile", {{"iccid", o.iccid}});
  give_back(target, o);
  if (!answer)
    return fail("after ReleaseProfile expected authenticateClient to succeed, got " + answer.error().describe());
  auto refused = expect_failed(twice, "8.2.1", {});
  if (refused.verdict != Verdict::pass) return fail("ReleaseProfile of a released order: " + refused.detail);
  return pass(held.detail + " before, success after; released again: " + refused.detail);
}

// CancelOrder: the matchingId no longer downloads (8.2.6/3.8), the ICCID can be ordered again, and
// a second CancelOrder finds no order (8.2.1, any reason).
Outcome cancel_nominal(SmdpTarget& target) {
  if (!target.operator_es2) return not_applicable(kNeedsOrder);
  auto o = order(target, true, true);
  if (!o) return fail(o.error().message);
  const Es2Operator& op = *target.operator_es2;
  auto cancelled = es2_request(op, "cancelOrder",
                               {{"iccid", o->iccid}, {"eid", o->eid}, {"finalProfileStatusIndicator", "Available"}});
  if (!cancelled || !cancelled->ok())
    return fail("ES2+ cancelOrder: " + (cancelled ? cancelled->describe() : cancelled.error().message));
  auto gone = expect_codes(es9_for(target, o->matching_id), {{"8.2.6", "3.8"}});
  if (gone.verdict != Verdict::pass) return fail("the cancelled matchingId on ES9+: " + gone.detail);
  auto twice = expect_failed(
      es2_request(op, "cancelOrder", {{"iccid", o->iccid}, {"finalProfileStatusIndicator", "Available"}}), "8.2.1", {});
  if (twice.verdict != Verdict::pass) return fail("CancelOrder of a cancelled order: " + twice.detail);
  auto reordered = es2_request(op, "downloadOrder", {{"iccid", o->iccid}});
  if (!reordered || !reordered->ok())
    return fail("DownloadOrder of the cancelled ICCID: " +
                (reordered ? reordered->describe() : reordered.error().message));
  give_back(target, *o);
  return pass("8.2.6/3.8 on ES9+, cancelled again: " + twice.detail + ", ordered again");
}

// Operator isolation: `function` by the second operator on the first's order is refused (8.2.1
// 1.2 not allowed, or 3.9 unknown, which hides that the order exists), and the order is intact:
// the first operator's own call of it still succeeds.
Outcome other_operator(SmdpTarget& target, const std::string& function, bool confirmed, bool released) {
  if (!target.operator_es2) return not_applicable(kNeedsOrder);
  if (!target.operator2_es2)
    return not_applicable("needs a second operator: give --operator2-cert, --operator2-key and --operator2-id");
  auto o = order(target, confirmed, released);
  if (!o) return fail(o.error().message);
  json body = {{"iccid", o->iccid}};
  if (function == "confirmOrder") body["releaseFlag"] = true;
  if (function == "cancelOrder") body["finalProfileStatusIndicator"] = "Available";
  auto foreign = expect_failed(es2_request(*target.operator2_es2, function, body), "8.2.1", {"1.2", "3.9"});
  auto own = es2_request(*target.operator_es2, function, body);
  give_back(target, *o);
  if (foreign.verdict != Verdict::pass) return fail("the second operator's " + function + ": " + foreign.detail);
  if (!own || !own->ok())
    return fail("the order was not intact: its own operator's " + function + " got " +
                (own ? own->describe() : own.error().message));
  return pass(foreign.detail);
}
Outcome other_confirms(SmdpTarget& t) { return other_operator(t, "confirmOrder", false, false); }
Outcome other_cancels(SmdpTarget& t) { return other_operator(t, "cancelOrder", true, true); }
Outcome other_releases(SmdpTarget& t) { return other_operator(t, "releaseProfile", true, false); }

// The operator's TLS identity with a functionRequesterIdentifier naming the second operator: refused
// (a Failed answer with an access reason 1.x, or HTTP 401/403); an order placed is a finding. Only
// with the second operator: identifiers are free-form (test tools send "TTCN3-..."), so one that
// names no operator the SM-DP+ serves may be taken.
Outcome other_requester(SmdpTarget& target) {
  if (!target.operator_es2) return not_applicable(kNeedsOrder);
  if (!target.operator2_es2)
    return not_applicable("needs --operator2-*: the name of another operator the SM-DP+ serves");
  Es2Operator pretending = *target.operator_es2;
  pretending.operator_id = target.operator2_es2->operator_id;
  auto euicc = target.new_euicc();
  if (!euicc) return fail(euicc.error().message);
  auto answer =
      es2_request(pretending, "downloadOrder", {{"eid", (*euicc)->eid()}, {"profileType", pretending.profile_type}});
  if (!answer) return fail("expected a refusal, got no answer: " + answer.error().message);
  if (answer->http_status == 401 || answer->http_status == 403) return pass(answer->describe());
  if (answer->http_status == 200 && answer->status == "Failed" && answer->reason_code.starts_with("1."))
    return pass(answer->describe().substr(7));
  if (answer->ok() && answer->body.contains("iccid")) give_back(target, {"", answer->body.value("iccid", ""), ""});
  return fail("expected Failed with reason 1.x (or HTTP 401/403) for functionRequesterIdentifier " +
              pretending.operator_id + ", got " + answer->describe());
}

}  // namespace

std::vector<Case> smdp_es2_cases() {
  const std::string n_a = "; n/a without operator credentials";
  return {
      smdp_case("ES2p.DownloadOrder.UnknownIccid", "SGP.22 v2.5 §5.3.1",
                "downloadOrder for an ICCID the SM-DP+ does not hold", "Failed 8.2.1/3.9" + n_a, unknown_iccid),
      smdp_case("ES2p.ConfirmOrder.AlreadyConfirmed", "SGP.22 v2.5 §5.3.2",
                "downloadOrder, confirmOrder, then confirmOrder again", "the second Failed 8.2.1 (any reason)" + n_a,
                confirm_twice),
      smdp_case(
          "ES2p.ReleaseProfile.Nominal", "SGP.22 v2.5 §5.3.2, §5.3.4, §5.6.3",
          "confirmOrder with releaseFlag false; ES9+ authenticateClient; releaseProfile; authenticateClient; releaseProfile again",
          "8.2/1.2 (ASN.1: any authenticateClientError) before the release, success after it, the second release Failed 8.2.1" +
              n_a,
          release_nominal),
      smdp_case(
          "ES2p.CancelOrder.Nominal", "SGP.22 v2.5 §5.3.3, §5.6.3",
          "a confirmed order cancelled (Available); its matchingId on ES9+; cancelOrder again; downloadOrder of the ICCID",
          "success; ES9+ 8.2.6/3.8; the second cancel Failed 8.2.1; the ICCID can be ordered again" + n_a,
          cancel_nominal),
      smdp_case("ES2p.ConfirmOrder.OtherOperator", "SGP.22 v2.5 §5.3.2",
                "the second operator confirms the first operator's order",
                "Failed 8.2.1/1.2 or 3.9, the order intact; n/a without --operator2-*", other_confirms),
      smdp_case("ES2p.CancelOrder.OtherOperator", "SGP.22 v2.5 §5.3.3",
                "the second operator cancels the first operator's confirmed order",
                "Failed 8.2.1/1.2 or 3.9, the order intact; n/a without --operator2-*", other_cancels),
      smdp_case("ES2p.ReleaseProfile.OtherOperator", "SGP.22 v2.5 §5.3.4",
                "the second operator releases the first operator's order confirmed with releaseFlag false",
                "Failed 8.2.1/1.2 or 3.9, the order intact; n/a without --operator2-*", other_releases),
      smdp_case(
          "ES2p.DownloadOrder.OtherRequesterIdentifier", "SGP.22 v2.5 §5.3.1, §6.5.1",
          "downloadOrder over the operator's TLS identity with a functionRequesterIdentifier naming the second operator",
          "Failed with an access reason (1.x) or HTTP 401/403; never an order; n/a without --operator2-*",
          other_requester),
  };
}

}  // namespace conformance
