// The eIM role's result cases (SGP.32 v1.2 ESipa.ProvideEimPackageResult): the harness is the IPA and
// the eUICC (in-process, the PKI's credentials, the eIM under test added as its eIM), the owner API
// registers the card and queues a getRAT PSMO; the eUICC runs it and the harness reports the result.
#include <algorithm>
#include <variant>

#include "eim_device.hpp"
#include "ipa/sgp32_es10b.hpp"

namespace conformance {
namespace {

using rsp::Bytes;

bool has(const std::vector<long>& acks, long seq) { return std::find(acks.begin(), acks.end(), seq) != acks.end(); }

Outcome run_result(EimTarget& t, bool forge, bool resend) {
  auto made = register_harness_euicc(t);
  if (auto* o = std::get_if<Outcome>(&made)) return *o;
  auto& r = std::get<RegisteredEuicc>(made);
  if (auto refused = queue_get_rat(t, r.eid)) return *refused;
  auto fetched = fetch_euicc_package(t, r.eid);
  if (auto* o = std::get_if<Outcome>(&fetched)) return *o;
  const Bytes& request = std::get<Bytes>(fetched);
  auto before = executed_packages(t, r.eid);
  if (!before) return fail("owner API status: " + before.error().message);
  auto result = ipa::sgp32::load_euicc_package(r.euicc->channel(), request);
  if (!result) return fail("the harness eUICC refused the eIM's package: " + result.error().message);
  auto seq = ipa::esipa::euicc_package_result_seq_number(*result);
  if (!seq) return fail("the harness eUICC's result has no seqNumber");
  Bytes sent = *result;
  if (forge) sent.back() ^= 0x01;  // the last byte is inside euiccSignEPR
  auto answer = provide_result(t, r.eid, sent);
  if (!answer) return fail("expected a ProvideEimPackageResultResponse, got " + answer.error().message);
  auto after = executed_packages(t, r.eid);
  if (!after) return fail("owner API status: " + after.error().message);
  if (forge) {
    if (has(answer->acknowledged, *seq)) return fail("expected seqNumber " + std::to_string(*seq) + " not acknowledged for a forged signature, got it acknowledged");
    if (*after != *before) return fail("expected the forged result not recorded as executed, got " + std::to_string(*after - *before) + " more executed");
    return pass("not acknowledged, not recorded");
  }
  if (!has(answer->acknowledged, *seq)) return fail("expected seqNumber " + std::to_string(*seq) + " in EimAcknowledgements, got none");
  if (*after != *before + 1) return fail("expected the package recorded executed once, got " + std::to_string(*after - *before));
  if (!resend) return pass("seqNumber " + std::to_string(*seq) + " acknowledged, recorded executed");
  auto again = provide_result(t, r.eid, sent);
  if (!again) return fail("expected a ProvideEimPackageResultResponse to the re-sent result, got " + again.error().message);
  auto final_count = executed_packages(t, r.eid);
  if (!has(again->acknowledged, *seq)) return fail("expected the re-sent seqNumber " + std::to_string(*seq) + " acknowledged again, got none");
  if (!final_count || *final_count != *after) return fail("expected the re-sent result recorded once, got it recorded again");
  return pass("re-sent seqNumber " + std::to_string(*seq) + " acknowledged again, recorded once");
}

Case result_case(std::string id, std::string sends, std::string expects, std::function<Outcome(EimTarget&)> run) {
  Case c{std::move(id), "eim", "SGP.32 v1.2 §6.3.2.2", std::move(sends), std::move(expects), nullptr};
  c.run_eim = std::move(run);
  return c;
}

}  // namespace

// SGP.32 v1.2 §6.3.2.2 ESipa.ProvideEimPackageResult
std::vector<Case> eim_result_cases() {
  return {
      result_case("ESipa.ProvideEimPackageResult.Acknowledged", "the eUICC's signed result of a queued getRAT PSMO",
                  "its seqNumber in EimAcknowledgements; the owner API lists the package executed",
                  [](EimTarget& t) { return run_result(t, false, false); }),
      result_case("ESipa.ProvideEimPackageResult.ForgedSignature", "the signed result with one bit of euiccSignEPR flipped",
                  "seqNumber not acknowledged; the package not recorded executed", [](EimTarget& t) { return run_result(t, true, false); }),
      result_case("ESipa.ProvideEimPackageResult.Resent", "the signed result twice", "acknowledged both times; recorded executed once",
                  [](EimTarget& t) { return run_result(t, false, true); }),
  };
}

}  // namespace conformance
