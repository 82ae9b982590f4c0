// An EuiccPackageResult (BF51) as ProvideEimPackageResult brings it (SGP.32 v1.2 §2.11, FACTS
// §5.3): the package it answers found by its counterValue, verified with the device's CERT.EUICC
// and CERT.EUM under the PKI's CIs against the request rebuilt from the package and device
// records. Only a verified result is recorded and acknowledged; an unsigned error or one that
// does not verify leaves the package delivered (it expires if no good answer comes).
#include <nlohmann/json.hpp>

#include "eim/euicc_package.hpp"
#include "esipa/esipa_internal.hpp"
#include "rsp/eid.hpp"

namespace eim::esipa {

namespace {

std::string summary_of(const PackageOutcome& o) {
  if (o.kind == PackageOutcome::Kind::signed_error) return nlohmann::json{{"error", o.error_name}}.dump();
  nlohmann::json results = nlohmann::json::array();
  for (const auto& r : o.results) {
    nlohmann::json entry{{"operation", r.operation}};
    if (r.code) entry["code"] = r.code_name;
    // addEim's token: the new eIM needs it to sign its packages (the owner reads it from status).
    if (r.association_token) entry["associationToken"] = *r.association_token;
    results.push_back(std::move(entry));
  }
  return nlohmann::json{{"results", std::move(results)}}.dump();
}

ResultHandling refused(std::string message) {
  ResultHandling h;
  h.outcome = "refused";
  h.message = std::move(message);
  h.refused = 1;
  return h;
}

// The request as the eUICC saw it (what verification compares the result with).
PackageRequest request_of(const PackageRecord& p, const DeviceRecord& device) {
  PackageRequest r;
  r.eim_id = device.eim_id;
  r.eid = rsp::eid::to_bytes(device.eid).value_or(Bytes{});
  r.counter_value = static_cast<uint64_t>(p.counter_value);
  r.eim_transaction_id = p.eim_transaction_id;
  r.association_token = device.association_token;
  return r;
}

}  // namespace

ResultHandling euicc_package_result(const Context& c, const DeviceRecord& device, const rsp::tlv::Tlv& result) {
  auto choice = rsp::tlv::read(result.value);
  if (!choice) return refused("unreadable EuiccPackageResult");
  if (choice->tag == 0xA2) {
    auto id = rsp::tlv::find(choice->value, 0x82);
    return refused("EuiccPackageErrorUnsigned" +
                   (id ? " for eimTransactionId " + rsp::to_hex(id->value) : std::string()) +
                   ": nobody vouches for it, package left delivered");
  }
  // EuiccPackageResultSigned A0 / EuiccPackageErrorSigned A1 { 30 { 80 eimId, 81 counterValue, ... }, 5F37 }
  auto signed_data = rsp::tlv::read(choice->value);
  auto counter_tlv = signed_data ? rsp::tlv::find(signed_data->value, 0x81) : std::nullopt;
  auto counter = counter_tlv ? integer_value(counter_tlv->value) : std::nullopt;
  if (!counter) return refused("EuiccPackageResult without counterValue");
  std::string which = "counterValue " + std::to_string(*counter);

  auto package = c.store.package_by_counter(device.eid, *counter);
  if (!package) return failed_store("package by counter: " + package.error().message);
  if (!*package) return refused("result for " + which + ", which no package of this device has");
  if (!device.euicc_certificate || !device.eum_certificate)
    return refused("result for " + which +
                   " not verified: CERT.EUICC / CERT.EUM of the device unknown; package left delivered");
  auto euicc_certificate = rsp::crypto::Certificate::from_der(*device.euicc_certificate);
  auto eum_certificate = rsp::crypto::Certificate::from_der(*device.eum_certificate);
  if (!euicc_certificate || !eum_certificate) return refused("stored CERT.EUICC / CERT.EUM unreadable");
  EuiccTrust trust{std::move(*euicc_certificate), std::move(*eum_certificate), c.settings.cis,
                   static_cast<time_t>(c.now)};
  trust.check_signature = !c.settings.fault("skip-result-signature-check");

  PackageOutcome outcome = verify_euicc_package_result(result.whole, request_of(**package, device), trust);
  if (outcome.kind == PackageOutcome::Kind::failed)
    return refused("result for " + which + " refused (" +
                   std::string(verify_failure_name(outcome.failure.value_or(VerifyFailure::malformed))) + ": " +
                   outcome.message + "); package left delivered");

  PackageState state = outcome.all_ok() ? PackageState::executed : PackageState::failed;
  ResultHandling h = record(c, **package, state, result.whole, summary_of(outcome));
  if (h.store_error) return h;
  h.verified = 1;
  // Signed results carry a seqNumber the eUICC keeps until acknowledged; signed errors have none.
  if (outcome.kind == PackageOutcome::Kind::results && outcome.seq_number) h.acknowledge = *outcome.seq_number;
  return h;
}

}  // namespace eim::esipa
