// The eIM role's eUICC Package cases (SGP.32 v1.2 §2.11 eUICC Packages, §6.3.2.1 ESipa.GetEimPackage,
// §6.3.2.2 ESipa.ProvideEimPackageResult; FACTS §5.3): the harness, as the IPA and the eUICC, checks
// what the eIM signs and counts, and that it believes only results of packages it sent to that EID.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <variant>

#include "eim/euicc_package.hpp"
#include "eim_device.hpp"
#include "ipa/sgp32_es10b.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/eid.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/tlv.hpp"

namespace conformance {
namespace {

using rsp::Bytes;

// A counterValue no eIM reaches in a test run, within the eUICC's range (0..2^31-1).
constexpr uint64_t kUnsentCounter = 0x70000000;

// GetEimPackage for a getRAT queued through the owner API: the registered eUICC and the BF51.
struct Fetched {
  RegisteredEuicc device;
  Bytes request;
};
std::variant<Fetched, Outcome> queue_and_fetch(const EimTarget& t) {
  auto made = register_harness_euicc(t);
  if (auto* o = std::get_if<Outcome>(&made)) return *o;
  Fetched f{std::move(std::get<RegisteredEuicc>(made)), {}};
  if (auto refused = queue_get_rat(t, f.device.eid)) return *refused;
  auto fetched = fetch_euicc_package(t, f.device.eid);
  if (auto* o = std::get_if<Outcome>(&fetched)) return *o;
  f.request = std::move(std::get<Bytes>(fetched));
  return f;
}

// The package run by the harness eUICC and its result handed back, so that nothing stays delivered.
void finish(const EimTarget& t, RegisteredEuicc& device, const Bytes& request) {
  if (auto result = ipa::sgp32::load_euicc_package(device.euicc->channel(), request))
    (void)provide_result(t, device.eid, *result);
}

// SGP.32 v1.2 §2.11: every package for one eUICC counts up, also for packages queued later.
Outcome replayed_counter(EimTarget& t) {
  auto made = register_harness_euicc(t);
  if (auto* o = std::get_if<Outcome>(&made)) return *o;
  auto& device = std::get<RegisteredEuicc>(made);
  std::vector<long> counters;
  // Runs one package on the eUICC and reports its result; a counter not above all before fails.
  auto take = [&](const Bytes& request) -> std::optional<Outcome> {
    auto summary = ipa::esipa::read_euicc_package_request(request);
    if (!summary) return fail("expected an EuiccPackageRequest, got " + summary.error().message);
    for (long earlier : counters)
      if (summary->counter_value <= earlier)
        return fail("expected counterValue above " +
                    std::to_string(*std::max_element(counters.begin(), counters.end())) + ", got " +
                    std::to_string(summary->counter_value));
    counters.push_back(summary->counter_value);
    auto result = ipa::sgp32::load_euicc_package(device.euicc->channel(), request);
    if (!result) return fail("the harness eUICC refused the eIM's package: " + result.error().message);
    if (!ipa::esipa::euicc_package_result_seq_number(*result))
      return fail("expected the eUICC to run counterValue " + std::to_string(summary->counter_value) +
                  ", got a signed error (replay?)");
    if (auto answer = provide_result(t, device.eid, *result); !answer)
      return fail("ProvideEimPackageResult: " + answer.error().message);
    return std::nullopt;
  };
  // Two queued together, then one queued after they were executed.
  for (int queued : {2, 1}) {
    std::vector<Bytes> requests;
    for (int i = 0; i < queued; ++i)
      if (auto refused = queue_get_rat(t, device.eid)) return *refused;
    for (int i = 0; i < queued; ++i) {
      auto fetched = fetch_euicc_package(t, device.eid);
      if (auto* o = std::get_if<Outcome>(&fetched)) return *o;
      requests.push_back(std::move(std::get<Bytes>(fetched)));
    }
    for (const auto& request : requests)
      if (auto stop = take(request)) return *stop;
  }
  // Nothing more is queued: any package now must still count up.
  auto answer = t.get_eim_package(rsp::eid::to_bytes(device.eid).value());
  if (!answer) return fail("expected noEimPackageAvailable, got " + answer.error().message);
  auto package = ipa::esipa::read_get_eim_package_response(*answer);
  if (!package) return fail("expected a GetEimPackageResponse, got " + package.error().message);
  if (package->kind == ipa::esipa::EimPackage::Kind::euicc_package_request)
    if (auto stop = take(package->tlv)) return *stop;
  std::string list;
  for (long c : counters) list += (list.empty() ? "" : " < ") + std::to_string(c);
  return pass("counterValues " + list);
}

// SGP.32 v1.2 §2.11: eimSignature over euiccPackageSigned and the associationToken (FACTS §5.3).
Outcome eim_signature(EimTarget& t) {
  auto made = queue_and_fetch(t);
  if (auto* o = std::get_if<Outcome>(&made)) return *o;
  auto& f = std::get<Fetched>(made);
  auto cert = eim_certificate(t);
  if (!cert) return not_applicable(cert.error().message);
  auto key = cert->public_key();
  if (!key) return not_applicable("the eIM's certificate has no usable key: " + key.error().message);
  auto outer = rsp::tlv::read(f.request);
  auto parts = outer ? rsp::tlv::read_all(outer->value) : rsp::Expected<std::vector<rsp::tlv::Tlv>>(rsp::fail("empty"));
  if (!parts || parts->size() != 2 || (*parts)[0].tag != 0x30 || (*parts)[1].tag != 0x5F37)
    return fail("expected BF51 { 30 euiccPackageSigned, 5F37 eimSignature }");
  bool good = rsp::crypto::verify(
      *key, rsp::concat({(*parts)[0].whole, eim::association_token_tlv(f.device.association_token)}),
      (*parts)[1].value);
  finish(t, f.device, f.request);
  if (!good)
    return fail(
        "expected eimSignature to verify with the PKI's eIM certificate over euiccPackageSigned and the associationToken, got a signature that does not");
  return pass("verifies with the PKI's eIM certificate");
}

// SGP.32 v1.2 §2.11: the package names the eUICC it is for.
Outcome eid_matches(EimTarget& t) {
  auto made = queue_and_fetch(t);
  if (auto* o = std::get_if<Outcome>(&made)) return *o;
  auto& f = std::get<Fetched>(made);
  auto outer = rsp::tlv::read(f.request);
  auto signed_part = outer ? rsp::tlv::read(outer->value) : rsp::Expected<rsp::tlv::Tlv>(rsp::fail("empty"));
  auto eid = signed_part ? rsp::tlv::find(signed_part->value, 0x5A) : std::nullopt;
  std::string named = eid ? rsp::to_hex(eid->value) : "(none)";
  finish(t, f.device, f.request);
  if (named != f.device.eid) return fail("expected eidValue " + f.device.eid + " in euiccPackageSigned, got " + named);
  return pass(named);
}

bool acknowledges(const rsp::Expected<ipa::esipa::ProvideEimPackageResultAnswer>& answer, long seq) {
  return answer &&
         std::find(answer->acknowledged.begin(), answer->acknowledged.end(), seq) != answer->acknowledged.end();
}

// SGP.32 v1.2 §6.3.2.2: a result the eUICC signed for a package the eIM never sent.
Outcome unknown_package(EimTarget& t) {
  // The harness eUICC knows the eIM's eimId with a key of the harness's, so the harness can make a
  // package the eUICC runs and signs a genuine result for, with a counterValue the eIM never used.
  // On the eIM's curve, as the eUICC may take eIM keys of its curves only.
  auto eim_cert = eim_certificate(t);
  auto eim_key = eim_cert ? eim_cert->public_key() : rsp::Expected<rsp::crypto::PublicKey>(rsp::fail("no certificate"));
  auto harness_key = rsp::crypto::PrivateKey::generate(eim_key ? eim_key->curve() : rsp::crypto::Curve::nist_p256);
  auto made = register_harness_euicc(t, &harness_key);
  if (auto* o = std::get_if<Outcome>(&made)) return *o;
  auto& device = std::get<RegisteredEuicc>(made);
  eim::PackageRequest request;
  request.eim_id = t.eim_id;
  request.eid = rsp::eid::to_bytes(device.eid).value();
  request.counter_value = kUnsentCounter;
  request.eim_transaction_id = rsp::random_bytes(16);
  request.operations = {eim::psmo::get_rat()};
  request.association_token = device.association_token;
  auto package = eim::build_euicc_package_request(request, harness_key);
  if (!package) return fail("the harness could not build its package: " + package.error().message);
  auto result = ipa::sgp32::load_euicc_package(device.euicc->channel(), *package);
  if (!result) return fail("the harness eUICC refused the harness's package: " + result.error().message);
  auto seq = ipa::esipa::euicc_package_result_seq_number(*result);
  if (!seq) return fail("the harness eUICC's result has no seqNumber");
  auto before = executed_packages(t, device.eid);
  if (!before) return fail("owner API status: " + before.error().message);
  auto answer = provide_result(t, device.eid, *result);
  auto after = executed_packages(t, device.eid);
  if (acknowledges(answer, *seq))
    return fail("expected seqNumber " + std::to_string(*seq) +
                " of a package never sent not acknowledged, got it acknowledged");
  if (!after || *after != *before)
    return fail("expected nothing recorded executed for a package never sent, got a change");
  return pass(answer ? "not acknowledged, nothing recorded"
                     : "refused (" + answer.error().message + "), nothing recorded");
}

// SGP.32 v1.2 §6.3.2.2: one eUICC's genuine result sent under another device's EID.
Outcome other_eid_result(EimTarget& t) {
  auto made = queue_and_fetch(t);
  if (auto* o = std::get_if<Outcome>(&made)) return *o;
  auto& f = std::get<Fetched>(made);
  std::string other = fresh_eid();
  if (auto added = t.owner_call("/eim/v1/devices/add", nlohmann::json{{"eid", other}}.dump()); !added)
    return not_applicable("the owner API did not register " + other + ": " + added.error().message);
  auto result = ipa::sgp32::load_euicc_package(f.device.euicc->channel(), f.request);
  if (!result) return fail("the harness eUICC refused the eIM's package: " + result.error().message);
  auto seq = ipa::esipa::euicc_package_result_seq_number(*result);
  if (!seq) return fail("the harness eUICC's result has no seqNumber");
  auto before = executed_packages(t, f.device.eid);
  if (!before) return fail("owner API status: " + before.error().message);
  auto answer = provide_result(t, other, *result);
  auto after = executed_packages(t, f.device.eid);
  auto others = executed_packages(t, other);
  (void)provide_result(t, f.device.eid, *result);  // its own device's answer, so nothing stays delivered
  if (acknowledges(answer, *seq))
    return fail("expected seqNumber " + std::to_string(*seq) + " sent under EID " + other +
                " not acknowledged, got it acknowledged");
  if (!after || *after != *before || !others || *others != 0)
    return fail("expected nothing recorded executed for a result sent under another EID, got a change");
  return pass(answer ? "not acknowledged, nothing recorded"
                     : "refused (" + answer.error().message + "), nothing recorded");
}

Case package_case(std::string id, std::string section, std::string sends, std::string expects,
                  Outcome (*run)(EimTarget&)) {
  Case c{std::move(id), "eim", std::move(section), std::move(sends), std::move(expects), nullptr};
  c.run_eim = run;
  return c;
}

}  // namespace

std::vector<Case> eim_package_cases() {
  const std::string owner = "; n/a without the owner API";
  std::vector<Case> cases = {
      package_case(
          "ESipa.GetEimPackage.ReplayedCounter", "SGP.32 v1.2 §2.11, §6.3.2.1",
          "owner API: two getRAT PSMOs queued together, fetched, run by the harness eUICC and answered; a third queued after; "
          "one more GetEimPackage",
          "every EuiccPackageRequest's counterValue above all before it for this eUICC (the eUICC runs each)" + owner,
          replayed_counter),
      package_case(
          "ESipa.GetEimPackage.EimSignature", "SGP.32 v1.2 §2.11, §6.3.2.1", "GetEimPackage for a queued getRAT PSMO",
          "eimSignature verifies with the eIM's certificate (--pki's eim of its first curve) over euiccPackageSigned and 84 associationToken" +
              owner,
          eim_signature),
      package_case("ESipa.GetEimPackage.EidMatches", "SGP.32 v1.2 §2.11, §6.3.2.1",
                   "GetEimPackage for a queued getRAT PSMO",
                   "euiccPackageSigned's eidValue is the EID that asked" + owner, eid_matches),
      package_case("ESipa.ProvideEimPackageResult.UnknownPackage", "SGP.32 v1.2 §6.3.2.2",
                   "a result the eUICC signed for a package (counterValue 0x70000000) the eIM never sent",
                   "seqNumber not acknowledged; nothing recorded executed" + owner, unknown_package),
      package_case("ESipa.ProvideEimPackageResult.OtherEid", "SGP.32 v1.2 §6.3.2.2",
                   "the eUICC's genuine result sent with the eidValue of another device of the eIM",
                   "seqNumber not acknowledged; nothing recorded executed for either device" + owner, other_eid_result),
  };
  for (auto& c : eim_indirect_cases()) cases.push_back(std::move(c));
  return cases;
}

}  // namespace conformance
