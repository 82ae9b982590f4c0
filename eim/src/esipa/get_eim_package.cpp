// SGP.32 v1.2 §6.3.2.1 ESipa.GetEimPackage: the IPA polls; the device's oldest queued package that
// has not expired goes out once (queued -> delivered), wrapped in GetEimPackageResponse BF4F.
#include "esipa/esipa_internal.hpp"

namespace eim::esipa {

namespace {

namespace eim_package_error {
constexpr long kNoEimPackageAvailable = 1, kEidNotFound = 2, kUndefinedError = 127;
}  // namespace eim_package_error

// Racing deliverers each take one package; after this many lost races give up for this poll.
constexpr int kMaxDeliveryAttempts = 16;
// The deliver-twice fault looks this far back for a delivered package.
constexpr int kRedeliveryScan = 1000;

EsipaReply package_error(EsipaReply r, long code) { return error_answer(std::move(r), 0xBF4F, code); }

const char* package_kind(ByteView request) {
  auto t = rsp::tlv::read(request);
  if (t && t->tag == 0xBF51) return "euiccPackageRequest";
  if (t && t->tag == 0xBF52) return "ipaEuiccDataRequest";
  if (t && t->tag == 0xBF54) return "profileDownloadTriggerRequest";
  return nullptr;
}

// notifyStateChange and its cause, for the log: the device's profile state changed without this eIM.
std::string state_change(const std::vector<rsp::tlv::Tlv>& members) {
  static const std::pair<long, const char*> kCauses[] = {
      {0, "otherEim"},     {1, "fallback"},   {2, "emergencyProfile"},
      {3, "local"},        {4, "reset"},      {5, "immediateEnableProfile"},
      {6, "deviceChange"}, {127, "undefined"}};
  bool notify = false;
  std::string cause;
  for (const auto& m : members) {
    if (m.tag == 0x80) notify = true;
    if (m.tag != 0x81) continue;
    auto value = integer_value(m.value);
    cause = value ? std::to_string(*value) : "?";
    for (const auto& [code, name] : kCauses)
      if (value && *value == code) cause = name;
  }
  if (!notify) return "";
  return "; notifyStateChange" + (cause.empty() ? std::string() : " stateChangeCause=" + cause);
}

}  // namespace

std::optional<EsipaReply> get_eim_package(const Context& c, const rsp::tlv::Tlv& request, bool schema_ok) {
  EsipaReply r;
  r.function = "GetEimPackage";
  auto members = rsp::tlv::read_all(request.value);
  if (!members) return std::nullopt;
  auto eid = eid_of(*members);
  if (eid.error) return package_error(std::move(r), eid.error);
  if (!schema_ok) return std::nullopt;
  r.eid = eid.eid;
  std::string notified = state_change(*members);

  auto device = c.store.device(eid.eid);
  if (!device) return store_failure(std::move(r), "device: " + device.error().message);
  if (!*device) return package_error(std::move(r), eim_package_error::kEidNotFound);

  for (int attempt = 0; attempt < kMaxDeliveryAttempts; ++attempt) {
    auto next = c.store.next_package_for(eid.eid, c.now);
    if (!next) return store_failure(std::move(r), "next package: " + next.error().message);
    if (!*next && c.settings.fault("deliver-twice")) {
      // Conformance harness fault: the last package delivered and not answered goes out again.
      auto sent = c.store.packages_for(eid.eid, kRedeliveryScan);
      if (sent)
        for (auto p = sent->rbegin(); p != sent->rend(); ++p)
          if (p->state == PackageState::delivered) {
            r.message = "deliver-twice fault: package " + std::to_string(p->id) + " again";
            return answer(r, rsp::tlv::encode(0xBF4F, p->request));
          }
    }
    if (!*next) {
      r.message = "nothing queued" + notified;
      return package_error(std::move(r), eim_package_error::kNoEimPackageAvailable);
    }
    const PackageRecord& p = **next;
    auto delivered = c.store.mark_delivered(p.id, c.now);
    if (!delivered) return store_failure(std::move(r), "mark delivered: " + delivered.error().message);
    if (!*delivered) continue;  // another instance delivered it first: the next one
    const char* kind = package_kind(p.request);
    EsipaReply sent = answer(r, rsp::tlv::encode(0xBF4F, p.request));
    if (kind && sent.http_status == 200) {
      sent.outcome = "delivered";
      sent.message = std::string(kind) + " counterValue " + std::to_string(p.counter_value) + notified;
      return sent;
    }
    // A stored request the schema refuses would block the queue for good: it ends as failed.
    auto ended =
        c.store.record_result(p.id, PackageState::failed, {}, R"({"error":"stored request fails the schema"})", c.now);
    if (!ended) return store_failure(std::move(r), "record result: " + ended.error().message);
    r.message = "package " + std::to_string(p.id) + " failed: its stored request fails the schema";
  }
  return package_error(std::move(r), eim_package_error::kUndefinedError);
}

}  // namespace eim::esipa
