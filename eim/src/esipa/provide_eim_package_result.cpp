// SGP.32 v1.2 ESipa.ProvideEimPackageResult: BF50 { 5A EID?, EimPackageResult }. The
// device is the one the EID names; the result goes to its kind's handler; the answer acknowledges
// the seqNumber of every verified signed result, so the IPA deletes it from the eUICC.
#include <nlohmann/json.hpp>

#include "esipa/esipa_internal.hpp"
#include "rsp/der_integer.hpp"

namespace eim::esipa {

namespace {

namespace provide_eim_package_result_error {
constexpr long kEidNotFound = 2;
}  // namespace provide_eim_package_result_error

// The conformance harness's acknowledge-unverified fault: the seqNumber a signed result names
// (BF51 { A0 { 30 { ... 83 seqNumber ... } } }), whether or not it verified.
std::optional<int64_t> unverified_seq_number(const rsp::tlv::Tlv& result) {
  auto package_result = result.tag == 0xBF51 ? rsp::Expected<rsp::tlv::Tlv>(result) : rsp::tlv::read(result.value);
  auto choice =
      package_result ? rsp::tlv::read(package_result->value) : rsp::Expected<rsp::tlv::Tlv>(rsp::fail("empty"));
  auto signed_data = choice && choice->tag == 0xA0 ? rsp::tlv::read(choice->value)
                                                   : rsp::Expected<rsp::tlv::Tlv>(rsp::fail("unsigned"));
  auto seq = signed_data ? rsp::tlv::find(signed_data->value, 0x83) : std::nullopt;
  return seq ? integer_value(seq->value) : std::nullopt;
}

EsipaReply result_error(EsipaReply r, long code) { return error_answer(std::move(r), 0xBF50, code); }

// EimPackageResultResponseError A0 { 80 eimTransactionId?, 02 code }: the IPA could not use a
// package. Its word decides the IPA's own packages (IpaEuiccDataRequest,
// ProfileDownloadTriggerRequest); an eUICC Package waits for the eUICC's signed answer or expires.
ResultHandling eim_package_result_error(const Context& c, const DeviceRecord& device, const rsp::tlv::Tlv& result) {
  ResultHandling h;
  auto members = rsp::tlv::read_all(result.value);
  auto code_tlv = members ? rsp::tlv::find(result.value, 0x02) : std::nullopt;
  auto code = code_tlv ? integer_value(code_tlv->value) : std::nullopt;
  std::string name = !code        ? "?"
                     : *code == 1 ? "invalidPackageFormat"
                     : *code == 2 ? "unknownPackage"
                                  : "undefinedError";
  auto id = rsp::tlv::find(result.value, 0x80);
  h.outcome = "ipa-error";
  if (!id) {
    h.message = "eimPackageResultResponseError " + name + " without eimTransactionId";
    return h;
  }
  auto package = c.store.package_by_transaction_id(device.eid, Bytes(id->value.begin(), id->value.end()));
  if (!package) return failed_store("package by transaction id: " + package.error().message);
  if (!*package) {
    h.message = "eimPackageResultResponseError " + name + " for no known eimTransactionId";
    return h;
  }
  auto first = rsp::tlv::read((*package)->request);
  if (first && first->tag == 0xBF51) {
    h.message = "eimPackageResultResponseError " + name + " for eUICC Package counterValue " +
                std::to_string((*package)->counter_value) + ": left delivered (only the eUICC's signed result counts)";
    return h;
  }
  h = record(c, **package, PackageState::failed, result.whole, nlohmann::json{{"eimPackageResultError", name}}.dump());
  h.message = "eimPackageResultResponseError " + name + "; " + h.message;
  return h;
}

}  // namespace

ResultHandling record(const Context& c, const PackageRecord& p, PackageState state, ByteView result,
                      const std::string& summary) {
  ResultHandling h;
  std::string which = "package " + std::to_string(p.id) + " (counterValue " + std::to_string(p.counter_value) + ")";
  auto recorded = c.store.record_result(p.id, state, Bytes(result.begin(), result.end()), summary, c.now);
  if (!recorded) return failed_store("record result: " + recorded.error().message);
  if (*recorded) {
    h.outcome = std::string(name(state));
    h.message = which + " " + std::string(name(state)) + " " + summary;
    return h;
  }
  auto now = c.store.package(p.id);
  if (!now) return failed_store("package: " + now.error().message);
  PackageState current = *now ? (*now)->state : PackageState::expired;
  if (current == PackageState::executed || current == PackageState::failed) {
    h.outcome = "repeated";
    h.message = which + " already " + std::string(name(current)) + ": acknowledged again, not recorded twice";
  } else {
    h.outcome = "not-recorded";
    h.message = which + " is " + std::string(name(current)) + ": result not recorded";
  }
  return h;
}

EsipaReply provide_eim_package_result(const Context& c, const rsp::tlv::Tlv& request) {
  EsipaReply r;
  r.function = "ProvideEimPackageResult";
  auto members = rsp::tlv::read_all(request.value);
  if (!members || members->empty()) return refusal(r.function, "empty ProvideEimPackageResult");
  auto eid = eid_of(*members);
  if (eid.error) return result_error(std::move(r), eid.error);
  r.eid = eid.eid;
  auto device = c.store.device(eid.eid);
  if (!device) return store_failure(std::move(r), "device: " + device.error().message);
  if (!*device) return result_error(std::move(r), provide_eim_package_result_error::kEidNotFound);

  const rsp::tlv::Tlv& result = members->back();
  ResultHandling h;
  std::string notifications;
  switch (result.tag) {
    case 0xBF51: h = euicc_package_result(c, **device, result); break;
    case 0x30: {  // ePRAndNotifications { BF51 EuiccPackageResult, A0 notificationList }
      auto parts = rsp::tlv::read_all(result.value);
      if (!parts || parts->size() != 2) return refusal(r.function, "ePRAndNotifications without its two members");
      h = euicc_package_result(c, **device, (*parts)[0]);
      auto list = rsp::tlv::read_all((*parts)[1].value);
      // Relaying profile notifications to their SM-DP+ comes with the indirect profile download.
      notifications = "; " + std::to_string(list ? list->size() : 0) + " profile notifications not relayed";
      break;
    }
    case 0xBF52: h = ipa_euicc_data_response(c, **device, result); break;
    case 0xBF54: h = profile_download_trigger_result(c, **device, result); break;
    case 0xA0: h = eim_package_result_error(c, **device, result); break;
    default: return refusal(r.function, "unknown EimPackageResult alternative");
  }
  if (h.store_error) return store_failure(std::move(r), *h.store_error);
  r.outcome = h.outcome;
  r.message = h.message + notifications;
  r.results_verified = h.verified;
  r.results_refused = h.refused;
  if (!h.acknowledge && c.settings.fault("acknowledge-unverified")) h.acknowledge = unverified_seq_number(result);
  // EimAcknowledgements BF53 { 80 seqNumber }, or the empty SEQUENCE when there is nothing to acknowledge.
  Bytes body = h.acknowledge ? rsp::tlv::encode(0xBF53, rsp::der::integer(0x80, *h.acknowledge))
                             : rsp::tlv::encode(0x30, Bytes{});
  return answer(std::move(r), rsp::tlv::encode(0xBF50, body));
}

}  // namespace eim::esipa
