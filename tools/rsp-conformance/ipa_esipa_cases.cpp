// The IPA role's ESipa cases (SGP.32 v1.2 §3.1.1, §6.3.2): one poll round of the IPA under test
// against the harness eIM, which hands out one signed EuiccPackageRequest (getRAT) for the card.
// The IPA asks with its card's EID, passes the package to the card unchanged, returns the card's
// result unchanged, and removes it from the card only once the eIM acknowledged its seqNumber.
// Without --ipa-poll-command every case is not applicable.
#include "ipa/esipa_messages.hpp"
#include "ipa_timeline.hpp"
#include "rsp/esipa/esipa.hpp"

namespace conformance {
namespace {

using rsp::Bytes;
using rsp::ByteView;
namespace tlv = rsp::tlv;

const char* const kNoPollCommand =
    "needs --ipa-poll-command (the command that runs one ESipa poll round of the IPA under test)";

// The poll round's steps: the first GetEimPackage, the card's LoadEuiccPackage after it, and the
// ProvideEimPackageResult after that, or why they are not there.
struct PollSteps {
  size_t get_package, load, provide;
};
rsp::Expected<PollSteps> poll_steps(const IpaRun& run) {
  const Timeline& t = run.timeline;
  auto fail_with = [&](const std::string& what) { return rsp::fail(what + "; got " + steps(t) + ending(run)); };
  auto get_package = first_http(t, "getEimPackage");
  if (!get_package) return fail_with("expected GetEimPackage");
  auto load = first_es10(t, 0xBF51, *get_package);
  if (!load) return fail_with("expected LoadEuiccPackage with the eIM's package after GetEimPackage");
  auto provide = first_http(t, "provideEimPackageResult", *load);
  if (!provide) return fail_with("expected ProvideEimPackageResult after LoadEuiccPackage");
  return PollSteps{*get_package, *load, *provide};
}

// One poll round in `scenario`, its steps handed to `judge`.
template <class Judge>
Outcome with_poll(IpaTarget& target, const EsipaScenario& scenario, Judge judge) {
  auto run = target.poll(scenario);
  if (!run) return not_applicable(kNoPollCommand);
  auto s = poll_steps(*run);
  if (!s) return fail(s.error().message);
  return judge(*run, *s);
}

// SGP.32 v1.2 §6.3.2.1: GetEimPackageRequest names the eUICC the IPA serves (eidValue = its EID).
Outcome asks_with_eid(IpaTarget& target) {
  return with_poll(target, {}, [](const IpaRun& run, const PollSteps& s) {
    auto der = esipa_request(run.timeline[s.get_package]);
    auto top = der ? tlv::read(*der) : rsp::Expected<tlv::Tlv>(rsp::fail("none"));
    auto eid = top ? tlv::find(top->value, 0x5A) : std::nullopt;
    if (!eid)
      return fail("expected eidValue (5A) in GetEimPackageRequest, got " +
                  (der ? rsp::to_hex(*der) : std::string("no request")));
    if (!std::equal(eid->value.begin(), eid->value.end(), run.eid.begin(), run.eid.end()))
      return fail("expected eidValue " + rsp::to_hex(run.eid) + " (the card's EID), got " + rsp::to_hex(eid->value));
    return pass();
  });
}

// SGP.32 v1.2 §3.1.1, ES10b.LoadEuiccPackage: the eIM's EuiccPackageRequest reaches the card as the eIM sent it.
Outcome package_relayed(IpaTarget& target) {
  return with_poll(target, {}, [](const IpaRun& run, const PollSteps& s) {
    const Bytes& got = run.timeline[s.load].sent;
    if (got != run.eim_package)
      return fail("expected LoadEuiccPackage with the eIM's EuiccPackageRequest byte for byte (" +
                  std::to_string(run.eim_package.size()) + " bytes), got " + std::to_string(got.size()) +
                  " bytes that differ");
    return pass();
  });
}

// SGP.32 v1.2 §6.3.2.2: the card's EuiccPackageResult reaches the eIM unchanged.
Outcome result_relayed(IpaTarget& target) {
  return with_poll(target, {}, [](const IpaRun& run, const PollSteps& s) {
    auto der = esipa_request(run.timeline[s.provide]);
    return relayed({run.timeline[s.load].received}, der.value_or(Bytes{}), "the card's EuiccPackageResult",
                   "ProvideEimPackageResult");
  });
}

// The seqNumber of the card's result, and the first RemoveNotificationFromList naming it.
struct Removal {
  std::optional<long> seq;
  std::optional<size_t> at;
};
Removal removal_of_result(const IpaRun& run, const PollSteps& s) {
  Removal r{ipa::esipa::euicc_package_result_seq_number(run.timeline[s.load].received), std::nullopt};
  if (r.seq) r.at = first(run.timeline, [&](const Exchange& e) { return removed_sequence_number(e) == r.seq; });
  return r;
}

// SGP.32 v1.2 §6.3.2.2: the result is removed from the card (RemoveNotificationFromList with its
// seqNumber) once the eIM acknowledged it, not before.
Outcome package_result_removed_after_acknowledgement(IpaTarget& target) {
  return with_poll(target, {}, [](const IpaRun& run, const PollSteps& s) {
    Removal r = removal_of_result(run, s);
    if (!r.seq)
      return fail("expected a signed EuiccPackageResult with a seqNumber from the card, got " +
                  rsp::to_hex(run.timeline[s.load].received));
    if (!r.at)
      return fail("expected RemoveNotificationFromList for seqNumber " + std::to_string(*r.seq) +
                  " once the eIM acknowledged it; got " + steps(run.timeline) + ending(run));
    if (*r.at < s.provide)
      return fail("RemoveNotificationFromList for seqNumber " + std::to_string(*r.seq) +
                  " came before ProvideEimPackageResult; expected it after the eIM's acknowledgement");
    return pass();
  });
}

// SGP.32 v1.2 §6.3.2.2: an eIM that acknowledges nothing (emptyResponse) leaves the result on the card.
Outcome package_result_kept_when_not_acknowledged(IpaTarget& target) {
  EsipaScenario scenario;
  scenario.acknowledge = false;
  return with_poll(target, scenario, [](const IpaRun& run, const PollSteps& s) {
    Removal r = removal_of_result(run, s);
    if (!r.seq)
      return fail("expected a signed EuiccPackageResult with a seqNumber from the card, got " +
                  rsp::to_hex(run.timeline[s.load].received));
    if (r.at)
      return fail("expected the result kept on the card; the IPA removed seqNumber " + std::to_string(*r.seq) +
                  " though the eIM acknowledged nothing (emptyResponse)");
    return pass();
  });
}

}  // namespace

std::vector<Case> ipa_esipa_cases() {
  const std::string round =
      "one poll round: the harness eIM hands out a signed getRAT EuiccPackageRequest for the card, then "
      "noEimPackageAvailable, and acknowledges the result's seqNumber";
  return {
      ipa_case("ESipa.GetEimPackage.Eid", "SGP.32 v1.2 §3.1.1, §6.3.2.1", round,
               "GetEimPackageRequest with eidValue = the card's EID", asks_with_eid),
      ipa_case("ES10b.LoadEuiccPackage.RelayedUnchanged", "SGP.32 v1.2 §3.1.1, ES10b.LoadEuiccPackage", round,
               "LoadEuiccPackage with the eIM's EuiccPackageRequest byte for byte", package_relayed),
      ipa_case("ESipa.ProvideEimPackageResult.RelayedUnchanged", "SGP.32 v1.2 §6.3.2.2", round,
               "ProvideEimPackageResult with the card's EuiccPackageResult byte for byte", result_relayed),
      ipa_case("ESipa.ProvideEimPackageResult.RemovedAfterAcknowledgement", "SGP.32 v1.2 §6.3.2.2", round,
               "RemoveNotificationFromList with the result's seqNumber after the eIM's eimAcknowledgements, not before",
               package_result_removed_after_acknowledgement),
      ipa_case("ESipa.ProvideEimPackageResult.NotAcknowledged", "SGP.32 v1.2 §6.3.2.2",
               "one poll round as above, the eIM answering ProvideEimPackageResult with emptyResponse",
               "no RemoveNotificationFromList for the result's seqNumber: it stays on the card",
               package_result_kept_when_not_acknowledged),
  };
}

}  // namespace conformance
