// The IPA's own answers inside ProvideEimPackageResult (FACTS §5.1): IpaEuiccDataResponse (BF52) and
// ProfileDownloadTriggerResult (BF54), each found by its eimTransactionId and recorded with a
// summary. The certificates an IpaEuiccData brings are kept only when they chain to one of the
// PKI's CIs and CERT.EUICC names the device's EID: later results are verified with them.
#include <nlohmann/json.hpp>

#include <variant>

#include "esipa/esipa_internal.hpp"

namespace eim::esipa {

namespace {

using nlohmann::json;

ResultHandling unmatched(const std::string& what) {
  ResultHandling h;
  h.outcome = "unknown-package";
  h.message = what + " for no package of this device: not recorded";
  return h;
}

// The device's package with the eimTransactionId in `id` (absent: none), or the reason it has none.
std::variant<PackageRecord, ResultHandling> package_for(const Context& c, const DeviceRecord& device,
                                                        std::optional<rsp::tlv::Tlv> id, const std::string& what) {
  if (!id) return unmatched(what + " without eimTransactionId");
  auto package = c.store.package_by_transaction_id(device.eid, Bytes(id->value.begin(), id->value.end()));
  if (!package) return failed_store("package by transaction id: " + package.error().message);
  if (!*package) return unmatched(what);
  return std::move(**package);
}

// IpaEuiccData's members by their tags.
const char* member_name(rsp::tlv::Tag tag) {
  switch (tag) {
    case 0xA0: return "notificationsList";
    case 0x81: return "defaultSmdpAddress";
    case 0xA2: return "euiccPackageResultList";
    case 0xBF20: return "euiccInfo1";
    case 0xBF22: return "euiccInfo2";
    case 0x83: return "rootSmdsAddress";
    case 0x84: return "associationToken";
    case 0xA5: return "eumCertificate";
    case 0xA6: return "euiccCertificate";
    case 0x87: return "eimTransactionId";
    case 0xA8: return "ipaCapabilities";
    case 0xA9: return "deviceInfo";
  }
  return "unknown";
}

// CERT.EUM (A5) and CERT.EUICC (A6), implicitly tagged: checked, then stored in the device record.
// "" when stored, else why not.
std::string keep_certificates(const Context& c, const DeviceRecord& device, const rsp::tlv::Tlv& eum,
                              const rsp::tlv::Tlv& euicc, std::optional<std::string>& store_error) {
  auto eum_certificate = rsp::crypto::Certificate::from_der(rsp::tlv::encode(0x30, eum.value));
  auto euicc_certificate = rsp::crypto::Certificate::from_der(rsp::tlv::encode(0x30, euicc.value));
  if (!eum_certificate || !euicc_certificate) return "unreadable certificate";
  auto chain = rsp::crypto::verify_chain(*euicc_certificate, rsp::crypto::Role::euicc, {*eum_certificate},
                                         c.settings.cis, static_cast<time_t>(c.now));
  if (!chain) return "chain: " + chain.error().message;
  if (euicc_certificate->subject_serial_number() != device.eid) return "CERT.EUICC names another EID";
  DeviceRecord d = device;
  for (int attempt = 0; attempt < 8; ++attempt) {
    d.eum_certificate = eum_certificate->der();
    d.euicc_certificate = euicc_certificate->der();
    auto updated = c.store.update_device(d);
    if (!updated) {
      store_error = "update device: " + updated.error().message;
      return "not stored";
    }
    if (*updated) return "";
    auto again = c.store.device(device.eid);  // another writer came first: read again
    if (!again || !*again) {
      store_error = "device: " + (again ? std::string("gone") : again.error().message);
      return "not stored";
    }
    d = std::move(**again);
  }
  return "the device record kept changing";
}

std::string ipa_euicc_data_error_name(std::optional<int64_t> code) {
  if (!code) return "?";
  switch (*code) {
    case 1: return "incorrectTagList";
    case 5: return "euiccCiPKIdNotFound";
    case 104: return "ecallActive";
    case 127: return "undefinedError";
  }
  return std::to_string(*code);
}

}  // namespace

ResultHandling ipa_euicc_data_response(const Context& c, const DeviceRecord& device, const rsp::tlv::Tlv& result) {
  auto choice = rsp::tlv::read(result.value);
  if (!choice) return unmatched("unreadable IpaEuiccDataResponse");
  bool data = choice->tag == 0xA0;
  auto found = package_for(c, device, rsp::tlv::find(choice->value, data ? 0x87 : 0x80), "IpaEuiccDataResponse");
  if (auto* h = std::get_if<ResultHandling>(&found)) return *h;
  const auto& package = std::get<PackageRecord>(found);

  if (!data) {  // IpaEuiccDataResponseError A1 { 80 eimTransactionId?, 02 code }
    auto code = rsp::tlv::find(choice->value, 0x02);
    std::string name = ipa_euicc_data_error_name(code ? integer_value(code->value) : std::nullopt);
    return record(c, package, PackageState::failed, result.whole, json{{"ipaEuiccDataError", name}}.dump());
  }
  auto members = rsp::tlv::read_all(choice->value);
  if (!members) return unmatched("unreadable IpaEuiccData");
  json summary{{"ipaEuiccData", json::array()}};
  for (const auto& m : *members) summary["ipaEuiccData"].push_back(member_name(m.tag));
  auto eum = rsp::tlv::find(choice->value, 0xA5);
  auto euicc = rsp::tlv::find(choice->value, 0xA6);
  PackageState state = PackageState::executed;
  if (eum && euicc) {
    std::optional<std::string> store_error;
    std::string refusal = keep_certificates(c, device, *eum, *euicc, store_error);
    if (store_error) return failed_store(*store_error);
    summary["certificates"] = refusal.empty() ? "stored" : "refused: " + refusal;
    // Certificates the eIM asked for and cannot use: the package did not do its job.
    if (!refusal.empty()) state = PackageState::failed;
  }
  return record(c, package, state, result.whole, summary.dump());
}

ResultHandling profile_download_trigger_result(const Context& c, const DeviceRecord& device,
                                               const rsp::tlv::Tlv& result) {
  auto found = package_for(c, device, rsp::tlv::find(result.value, 0x82), "ProfileDownloadTriggerResult");
  if (auto* h = std::get_if<ResultHandling>(&found)) return *h;
  const auto& package = std::get<PackageRecord>(found);

  json summary;
  PackageState state = PackageState::failed;
  if (auto installation = rsp::tlv::find(result.value, 0xBF37)) {
    // The ProfileInstallationResult's finalResult A2 { A0 successResult | A1 errorResult }: as the
    // IPA reports it; its euiccSignPIR is for the SM-DP+, which verifies it.
    auto data = rsp::tlv::find(installation->value, 0xBF27);
    auto final_result = data ? rsp::tlv::find(data->value, 0xA2) : std::nullopt;
    auto outcome = final_result ? rsp::tlv::read(final_result->value) : rsp::Expected<rsp::tlv::Tlv>(rsp::fail(""));
    if (outcome && outcome->tag == 0xA0) {
      state = PackageState::executed;
      summary["profileInstallationResult"] = "successResult";
    } else {
      summary["profileInstallationResult"] = "errorResult";
      if (outcome)
        for (auto [tag, key] : {std::pair{0x80u, "bppCommandId"}, std::pair{0x81u, "errorReason"}})
          if (auto v = rsp::tlv::find(outcome->value, tag))
            if (auto n = integer_value(v->value)) summary[key] = *n;
    }
  } else if (auto error = rsp::tlv::find(result.value, 0x30)) {
    auto reason = rsp::tlv::find(error->value, 0x80);
    auto code = reason ? integer_value(reason->value) : std::nullopt;
    summary["profileDownloadError"] = !code          ? "?"
                                      : *code == 104 ? "ecallActive"
                                      : *code == 127 ? "undefinedError"
                                                     : std::to_string(*code);
  }
  return record(c, package, state, result.whole, summary.dump());
}

}  // namespace eim::esipa
