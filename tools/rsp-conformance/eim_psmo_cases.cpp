// The eIM role's result cases (SGP.32 v1.2 ESipa.ProvideEimPackageResult): the harness is the IPA and
// the eUICC (in-process, the PKI's credentials, the eIM under test added as its eIM), the owner API
// registers the card and queues a getRAT PSMO; the eUICC runs it and the harness reports the result.
#include <algorithm>
#include <variant>

#include "eim_device.hpp"
#include "ipa/sgp32_es10b.hpp"
#include "rsp/eid.hpp"
#include "rsp/tlv.hpp"

namespace conformance {
namespace {

using rsp::Bytes;

bool has(const std::vector<long>& acks, long seq) { return std::find(acks.begin(), acks.end(), seq) != acks.end(); }

// The signed result in HandleNotification (BF3D { BF50 { 5A EID, BF51 } }): no answer (HTTP 204) to
// acknowledge with, so only the owner API shows what the eIM made of it.
Outcome notify_result(EimTarget& t, const RegisteredEuicc& r, const Bytes& sent, bool forge, int before) {
  auto message = ipa::esipa::provide_eim_package_result(rsp::eid::to_bytes(r.eid).value(), sent);
  if (!message) return fail("the harness could not build ProvideEimPackageResult: " + message.error().message);
  auto answer = t.call(rsp::tlv::encode(0xBF3D, *message));
  if (!answer) return fail("expected HandleNotification taken (HTTP 204), got " + answer.error().message);
  auto after = executed_packages(t, r.eid);
  if (!after) return fail("owner API status: " + after.error().message);
  int recorded = *after - before;
  if (forge)
    return recorded == 0
               ? pass("not recorded")
               : fail("expected the forged result not recorded, got " + std::to_string(recorded) + " more executed");
  return recorded == 1 ? pass("recorded executed")
                       : fail("expected the package recorded executed once, got " + std::to_string(recorded));
}

Outcome run_result(EimTarget& t, bool forge, bool resend, bool notify = false) {
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
  if (notify) return notify_result(t, r, sent, forge, *before);
  auto answer = provide_result(t, r.eid, sent);
  if (!answer) return fail("expected a ProvideEimPackageResultResponse, got " + answer.error().message);
  auto after = executed_packages(t, r.eid);
  if (!after) return fail("owner API status: " + after.error().message);
  if (forge) {
    if (has(answer->acknowledged, *seq))
      return fail("expected seqNumber " + std::to_string(*seq) +
                  " not acknowledged for a forged signature, got it acknowledged");
    if (*after != *before)
      return fail("expected the forged result not recorded as executed, got " + std::to_string(*after - *before) +
                  " more executed");
    return pass("not acknowledged, not recorded");
  }
  if (!has(answer->acknowledged, *seq))
    return fail("expected seqNumber " + std::to_string(*seq) + " in EimAcknowledgements, got none");
  if (*after != *before + 1)
    return fail("expected the package recorded executed once, got " + std::to_string(*after - *before));
  if (!resend) return pass("seqNumber " + std::to_string(*seq) + " acknowledged, recorded executed");
  auto again = provide_result(t, r.eid, sent);
  if (!again)
    return fail("expected a ProvideEimPackageResultResponse to the re-sent result, got " + again.error().message);
  auto final_count = executed_packages(t, r.eid);
  if (!has(again->acknowledged, *seq))
    return fail("expected the re-sent seqNumber " + std::to_string(*seq) + " acknowledged again, got none");
  if (!final_count || *final_count != *after)
    return fail("expected the re-sent result recorded once, got it recorded again");
  return pass("re-sent seqNumber " + std::to_string(*seq) + " acknowledged again, recorded once");
}

Case result_case(std::string id, std::string sends, std::string expects, std::function<Outcome(EimTarget&)> run,
                 std::string section = "SGP.32 v1.2 §6.3.2.2") {
  Case c{std::move(id), "eim", std::move(section), std::move(sends), std::move(expects), nullptr};
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
      result_case("ESipa.ProvideEimPackageResult.ForgedSignature",
                  "the signed result with one bit of euiccSignEPR flipped",
                  "seqNumber not acknowledged; the package not recorded executed",
                  [](EimTarget& t) { return run_result(t, true, false); }),
      result_case("ESipa.ProvideEimPackageResult.Resent", "the signed result twice",
                  "acknowledged both times; recorded executed once",
                  [](EimTarget& t) { return run_result(t, false, true); }),
      result_case(
          "ESipa.HandleNotification.EuiccPackageResult",
          "the eUICC's signed result of a queued getRAT PSMO in HandleNotification",
          "taken without an answer (HTTP 204); the owner API lists the package executed",
          [](EimTarget& t) { return run_result(t, false, false, true); },
          "SGP.32 v1.2 §6.3.2 ESipa.HandleNotification"),
      result_case(
          "ESipa.HandleNotification.ForgedSignature",
          "the signed result with one bit of euiccSignEPR flipped, in HandleNotification",
          "the package not recorded executed", [](EimTarget& t) { return run_result(t, true, false, true); },
          "SGP.32 v1.2 §6.3.2 ESipa.HandleNotification"),
  };
}

}  // namespace conformance
