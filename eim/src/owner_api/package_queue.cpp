// SGP.32 v1.2 §6.3.2.1 ESipa.GetEimPackage: the packages an IPA fetches, queued per device.
#include "eim/package_queue.hpp"

#include <IpaEuiccDataRequest.h>
#include <ProfileDownloadTriggerRequest.h>

#include <ctime>
#include <optional>

#include "der.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/eid.hpp"
#include "rsp/tlv.hpp"

namespace eim {
namespace {

using der::tlv;

constexpr size_t kTransactionIdLength = 16;
constexpr size_t kMaxActivationCodeLength = 255;  // ProfileDownloadData activationCode SIZE(0..255)

// `message` as the schema's `type` reads it, and already DER (what goes out is what was checked).
rsp::Expected<Bytes> schema_checked(const rsp::asn1::Type& type, Bytes message) {
  auto decoded = rsp::asn1::decode(type, message);
  if (!decoded) return rsp::fail(std::string("not a valid ") + type.name + ": " + decoded.error().message());
  auto encoded = rsp::asn1::encode(*decoded);
  if (!encoded || *encoded != message) return rsp::fail(std::string(type.name) + " is not DER");
  return message;
}

// The counterValue an EuiccPackageRequest carries (BF51 { 30 { 81 } }); none for other packages.
std::optional<uint64_t> wire_counter(const Bytes& request) {
  auto outer = rsp::tlv::read(request);
  if (!outer || outer->tag != 0xBF51) return std::nullopt;
  auto signed_part = rsp::tlv::read(outer->value);
  auto counter = signed_part ? rsp::tlv::find(signed_part->value, 0x81) : std::nullopt;
  if (!counter || counter->value.empty() || counter->value.size() > 8) return std::nullopt;
  uint64_t value = 0;
  for (uint8_t b : counter->value) value = value << 8 | b;
  return value;
}

// The conformance harness's other-eid-in-package fault: the EID with its last digit before the check
// digits changed, check digits recomputed.
std::string other_eid(const std::string& eid) {
  std::string first30 = eid.substr(0, 30);
  first30.back() = first30.back() == '9' ? '0' : static_cast<char>(first30.back() + 1);
  return rsp::eid::complete(first30).value_or(eid);
}

rsp::Unexpected<QueueError> queue_error(QueueError::Kind kind, std::string message) {
  return {QueueError{kind, std::move(message)}};
}

}  // namespace

std::string_view package_kind(const PackageRecord& package) {
  auto t = rsp::tlv::read_header(package.request);
  if (!t) return "unknown";
  switch (t->tag) {
    case 0xBF51: return "euiccPackage";
    case 0xBF52: return "ipaEuiccDataRequest";
    case 0xBF54: return "profileDownloadTrigger";
    default: return "unknown";
  }
}

PackageQueue::PackageQueue(EimStore& store, EimSigner signer, PackageQueueSettings settings)
    : store_(store), signer_(std::move(signer)), settings_(std::move(settings)) {}

int64_t PackageQueue::now() const { return settings_.clock ? settings_.clock() : static_cast<int64_t>(time(nullptr)); }

Queued<DeviceRecord> PackageQueue::device(std::string_view eid) {
  auto found = store_.device(eid);
  if (!found) return queue_error(QueueError::Kind::store, "store: " + found.error().message);
  if (!*found) return queue_error(QueueError::Kind::unknown_device, "unknown EID");
  return std::move(**found);
}

Queued<PackageRecord> PackageQueue::enqueue(const DeviceRecord& device,
                                            const std::function<rsp::Expected<Bytes>(int64_t, const Bytes&)>& build) {
  auto counter = store_.reserve_counter(device.eid);
  if (!counter) return queue_error(QueueError::Kind::store, "store: " + counter.error().message);
  if (!*counter) return queue_error(QueueError::Kind::unknown_device, "unknown EID");
  PackageRecord record;
  record.eid = device.eid;
  record.counter_value = **counter;
  record.eim_transaction_id = rsp::random_bytes(kTransactionIdLength);
  auto message = build(record.counter_value, *record.eim_transaction_id);
  // The reserved counter stays unused: a gap the eUICC does not mind.
  if (!message) return queue_error(QueueError::Kind::invalid, message.error().message);
  record.request = std::move(*message);
  record.created = now();
  record.expires = record.created + settings_.package_lifetime;
  auto stored = store_.enqueue(record);
  if (!stored) return queue_error(QueueError::Kind::store, "store: " + stored.error().message);
  return record;
}

// SGP.32 v1.2 §2.11 eUICC Package: EuiccPackageRequest
Queued<PackageRecord> PackageQueue::queue_euicc_package(std::string_view eid,
                                                        const std::vector<Operation>& operations) {
  auto d = device(eid);
  if (!d) return rsp::Unexpected{d.error()};
  auto eid_bytes = rsp::eid::to_bytes(d->eid);
  if (!eid_bytes) return queue_error(QueueError::Kind::invalid, "EID: " + eid_bytes.error().message);
  return enqueue(*d, [&](int64_t counter, const Bytes& transaction_id) {
    PackageRequest request;
    request.eim_id = d->eim_id.empty() ? signer_.eim_id : d->eim_id;
    request.eid = *eid_bytes;
    request.counter_value = static_cast<uint64_t>(counter);
    if (settings_.fault("reuse-counter"))
      if (auto waiting = store_.next_package_for(d->eid, now()); waiting && *waiting)
        if (auto reused = wire_counter((*waiting)->request)) request.counter_value = *reused;
    if (settings_.fault("other-eid-in-package"))
      request.eid = rsp::eid::to_bytes(other_eid(d->eid)).value_or(request.eid);
    request.eim_transaction_id = transaction_id;
    request.operations = operations;
    request.association_token = d->association_token;
    auto built = build_euicc_package_request(request, signer_.key);
    if (built && settings_.fault("wrong-package-signature")) built->back() ^= 0x01;  // the last byte is eimSignature's
    return built;
  });
}

// SGP.32 v1.2 ProfileDownloadTriggerRequest
Queued<PackageRecord> PackageQueue::queue_profile_download_trigger(std::string_view eid,
                                                                   const ProfileDownloadTrigger& trigger) {
  Bytes data;
  switch (trigger.kind) {
    case ProfileDownloadTrigger::Kind::activation_code:
      if (trigger.activation_code.size() > kMaxActivationCodeLength)
        return queue_error(QueueError::Kind::invalid, "activationCode longer than 255 bytes");
      data = tlv(0x80, rsp::to_bytes(trigger.activation_code));
      break;
    case ProfileDownloadTrigger::Kind::contact_default_smdp: data = tlv(0x81, Bytes{}); break;
    case ProfileDownloadTrigger::Kind::contact_smds:
      data = tlv(0xA2, trigger.smds_address ? tlv(0x80, rsp::to_bytes(*trigger.smds_address)) : Bytes{});
      break;
  }
  auto d = device(eid);
  if (!d) return rsp::Unexpected{d.error()};
  return enqueue(*d, [&](int64_t, const Bytes& transaction_id) {
    return schema_checked(asn_DEF_ProfileDownloadTriggerRequest,
                          tlv(0xBF54, {tlv(0xA0, data), tlv(0x82, transaction_id)}));
  });
}

// SGP.32 v1.2 IpaEuiccDataRequest
Queued<PackageRecord> PackageQueue::queue_ipa_euicc_data_request(std::string_view eid, const Bytes& tag_list) {
  if (tag_list.empty()) return queue_error(QueueError::Kind::invalid, "empty tag list");
  auto d = device(eid);
  if (!d) return rsp::Unexpected{d.error()};
  return enqueue(*d, [&](int64_t, const Bytes& transaction_id) {
    return schema_checked(asn_DEF_IpaEuiccDataRequest, tlv(0xBF52, {tlv(0x5C, tag_list), tlv(0x83, transaction_id)}));
  });
}

}  // namespace eim
