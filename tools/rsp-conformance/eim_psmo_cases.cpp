// The eIM role's result cases (SGP.32 v1.2 ESipa.ProvideEimPackageResult): the harness is the IPA and
// the eUICC (in-process, the PKI's credentials, the eIM under test added as its eIM), the owner API
// registers the card and queues a getRAT PSMO; the eUICC runs it and the harness reports the result.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <variant>

#include "eim_run.hpp"
#include "ipa/esipa_messages.hpp"
#include "ipa/sgp32_es10b.hpp"
#include "rsp/eid.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/pki/test_pki.hpp"
#include "rsp/tlv.hpp"
#include "smdp_target.hpp"

namespace conformance {
namespace {

using rsp::Bytes;
using nlohmann::json;

// The eUICC with the eIM under test as its eIM, known to the eIM with its certificates, and the
// EuiccPackageRequest the eIM delivered for a getRAT PSMO queued through the owner API.
struct Round {
  std::unique_ptr<HarnessEuicc> euicc;
  std::string eid;
  Bytes request;  // BF51
};

std::variant<Round, Outcome> queue_and_fetch(const EimTarget& t) {
  if (!t.owner) return not_applicable("needs --owner-url, --owner-cert and --owner-key to register the harness's eUICC and queue a PSMO");
  SmdpTarget maker;
  maker.pki = t.pki;
  maker.work_dir = t.work_dir;
  auto euicc = maker.new_euicc();
  if (!euicc) return not_applicable(euicc.error().message);
  Round r{std::move(*euicc), {}, {}};
  r.eid = r.euicc->eid();
  auto cert = rsp::pki::load_certificate(t.pki, rsp::crypto::Curve::nist_p256, rsp::crypto::Role::eim);
  if (!cert) return not_applicable("--pki has no nist eim certificate (the eIM under test's)");
  Bytes der = cert->der();
  auto sequence = rsp::tlv::read(der);
  Bytes members = rsp::tlv::encode(0x80, rsp::to_bytes(t.eim_id));
  Bytes key = rsp::tlv::encode(0xA5, rsp::tlv::encode(0xA1, Bytes(sequence->value.begin(), sequence->value.end())));
  members.insert(members.end(), key.begin(), key.end());
  if (auto added = ipa::sgp32::add_initial_eim(r.euicc->channel(), {rsp::tlv::encode(0x30, members)}); !added)
    return fail("the harness eUICC refused AddInitialEim: " + added.error().message);
  auto certs = ipa::sgp32::get_certs(r.euicc->channel());
  if (!certs) return fail("the harness eUICC's GetCerts: " + certs.error().message);
  json device{{"eid", r.eid}, {"eimId", t.eim_id}, {"euiccCertificate", rsp::to_base64(certs->euicc_certificate)},
              {"eumCertificate", rsp::to_base64(certs->eum_certificate)}};
  auto added = t.owner_call("/eim/v1/devices/add", device.dump());
  if (!added && added.error().message.find("HTTP 409") == std::string::npos)  // 409: registered by an earlier run
    return not_applicable("the owner API did not register " + r.eid + ": " + added.error().message);
  auto queued = t.owner_call("/eim/v1/psmo", json{{"target", {{"eid", r.eid}}}, {"operations", json::array({{{"getRAT", json::object()}}})}}.dump());
  if (!queued) return not_applicable("the owner API did not queue a getRAT PSMO: " + queued.error().message);
  for (int round = 0; round < 5; ++round) {
    auto answer = t.get_eim_package(rsp::eid::to_bytes(r.eid).value());
    if (!answer) return fail("expected the queued euiccPackageRequest, got " + answer.error().message);
    auto package = ipa::esipa::read_get_eim_package_response(*answer);
    if (!package) return fail("expected a GetEimPackageResponse, got " + package.error().message);
    if (package->kind == ipa::esipa::EimPackage::Kind::euicc_package_request) {
      r.request = package->tlv;
      return r;
    }
    if (package->kind == ipa::esipa::EimPackage::Kind::eim_package_error)
      return fail("expected the queued euiccPackageRequest, got " + ipa::esipa::eim_package_error_name(package->eim_package_error));
  }
  return fail("expected the queued euiccPackageRequest within 5 packages");
}

// ProvideEimPackageResult with `result` (BF51): the eIM's acknowledgements, or why there are none.
rsp::Expected<ipa::esipa::ProvideEimPackageResultAnswer> provide(const EimTarget& t, const std::string& eid, const Bytes& result) {
  auto message = ipa::esipa::provide_eim_package_result(rsp::eid::to_bytes(eid).value(), result);
  if (!message) return rsp::fail(message.error().message);
  auto answer = t.call(*message);
  if (!answer) return rsp::fail(answer.error().message);
  return ipa::esipa::read_provide_eim_package_result_response(*answer);
}

// How many of the device's packages the owner API lists as executed.
rsp::Expected<int> executed(const EimTarget& t, const std::string& eid) {
  auto status = t.owner_call("/eim/v1/status", json{{"target", {{"eid", eid}}}}.dump());
  if (!status) return rsp::fail(status.error().message);
  int n = 0;
  json answer = json::parse(*status, nullptr, false);
  if (answer.is_discarded() || !answer.contains("devices") || answer["devices"].empty()) return rsp::fail("owner API status: not the device list");
  for (const auto& p : answer["devices"][0]["packages"])
    if (p.value("state", "") == "executed") ++n;
  return n;
}

bool has(const std::vector<long>& acks, long seq) { return std::find(acks.begin(), acks.end(), seq) != acks.end(); }

Outcome run_result(EimTarget& t, bool forge, bool resend) {
  auto made = queue_and_fetch(t);
  if (auto* o = std::get_if<Outcome>(&made)) return *o;
  auto& r = std::get<Round>(made);
  auto before = executed(t, r.eid);
  if (!before) return fail("owner API status: " + before.error().message);
  auto result = ipa::sgp32::load_euicc_package(r.euicc->channel(), r.request);
  if (!result) return fail("the harness eUICC refused the eIM's package: " + result.error().message);
  auto seq = ipa::esipa::euicc_package_result_seq_number(*result);
  if (!seq) return fail("the harness eUICC's result has no seqNumber");
  Bytes sent = *result;
  if (forge) sent.back() ^= 0x01;  // the last byte is inside euiccSignEPR
  auto answer = provide(t, r.eid, sent);
  if (!answer) return fail("expected a ProvideEimPackageResultResponse, got " + answer.error().message);
  auto after = executed(t, r.eid);
  if (!after) return fail("owner API status: " + after.error().message);
  if (forge) {
    if (has(answer->acknowledged, *seq)) return fail("expected seqNumber " + std::to_string(*seq) + " not acknowledged for a forged signature, got it acknowledged");
    if (*after != *before) return fail("expected the forged result not recorded as executed, got " + std::to_string(*after - *before) + " more executed");
    return pass("not acknowledged, not recorded");
  }
  if (!has(answer->acknowledged, *seq)) return fail("expected seqNumber " + std::to_string(*seq) + " in EimAcknowledgements, got none");
  if (*after != *before + 1) return fail("expected the package recorded executed once, got " + std::to_string(*after - *before));
  if (!resend) return pass("seqNumber " + std::to_string(*seq) + " acknowledged, recorded executed");
  auto again = provide(t, r.eid, sent);
  if (!again) return fail("expected a ProvideEimPackageResultResponse to the re-sent result, got " + again.error().message);
  auto final_count = executed(t, r.eid);
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
