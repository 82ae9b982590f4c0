#pragma once
// What queues work for one device (SGP.32 v1.2 §2.11, §6.3.2.1 ESipa.GetEimPackage): an
// EuiccPackageRequest (BF51) signed with the eIM's key, a ProfileDownloadTriggerRequest (BF54) or
// an IpaEuiccDataRequest (BF52), each checked against the schema and stored as a queued package
// the device's IPA fetches. Every kind gets a counter from the store: it orders the device's
// packages and keeps (EID, counter) unique; only BF51 carries it on the wire, and gaps are
// harmless because the eUICC only requires a greater value than the last it accepted.
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "eim/euicc_package.hpp"
#include "eim/store.hpp"
#include "rsp/crypto/keys.hpp"
#include "rsp/expected.hpp"

namespace eim {

// The eIM's identity toward the eUICCs: its default eimId and the key behind eimSignature.
struct EimSigner {
  std::string eim_id;
  rsp::crypto::PrivateKey key;
};

struct PackageQueueSettings {
  int64_t package_lifetime = 7 * 24 * 3600;  // seconds a package waits for delivery before it expires
  std::function<int64_t()> clock;            // unix seconds; empty: the system clock
  // Conformance harness faults (EimConfig::faults) only. reuse-counter: an eUICC Package queued while
  // another still waits for delivery carries that one's counterValue (the stored record keeps its
  // own, unique); other-eid-in-package: eUICC Packages name another EID (signed as such);
  // wrong-package-signature: one bit of eimSignature flipped.
  std::set<std::string> faults = {};
  bool fault(const std::string& name) const { return faults.count(name) != 0; }
};

// ProfileDownloadData: what the IPA is told to download from (one of three).
struct ProfileDownloadTrigger {
  enum class Kind { activation_code, contact_default_smdp, contact_smds } kind = Kind::contact_default_smdp;
  std::string activation_code;              // Kind::activation_code: "1$addr$matchingId..." (at most 255 bytes)
  std::optional<std::string> smds_address;  // Kind::contact_smds: absent means the eUICC's root SM-DS
};

struct QueueError {
  enum class Kind {
    unknown_device,  // no such EID in the store
    invalid,         // the request is not valid by the schema or the package rules
    store,           // the store failed
  } kind;
  std::string message;
};
template <class T>
using Queued = rsp::Expected<T, QueueError>;

// Which message a stored package holds, by its outer tag: "euiccPackage" (BF51),
// "ipaEuiccDataRequest" (BF52), "profileDownloadTrigger" (BF54), else "unknown".
std::string_view package_kind(const PackageRecord& package);

class PackageQueue {
 public:
  PackageQueue(EimStore& store, EimSigner signer, PackageQueueSettings settings = {});

  // A signed EuiccPackageRequest with `operations` (all PSMOs or all eCOs), under the device's
  // eimId and associationToken, a reserved counterValue and a fresh 16-byte eimTransactionId.
  Queued<PackageRecord> queue_euicc_package(std::string_view eid, const std::vector<Operation>& operations);
  // BF54 { A0 { 80 activationCode | 81 00 | A2 { 80 smdsAddress? } }, 82 eimTransactionId }.
  Queued<PackageRecord> queue_profile_download_trigger(std::string_view eid, const ProfileDownloadTrigger& trigger);
  // BF52 { 5C tagList, 83 eimTransactionId }; `tag_list` names IpaEuiccData members by their tags (A5 A6:
  // certificates).
  Queued<PackageRecord> queue_ipa_euicc_data_request(std::string_view eid, const Bytes& tag_list);

  const std::string& eim_id() const { return signer_.eim_id; }

 private:
  int64_t now() const;
  Queued<DeviceRecord> device(std::string_view eid);
  // Reserves the counter and stores `message` (built from the counter and the transaction id).
  Queued<PackageRecord> enqueue(
      const DeviceRecord& device,
      const std::function<rsp::Expected<Bytes>(int64_t counter, const Bytes& transaction_id)>& build);

  EimStore& store_;
  EimSigner signer_;
  PackageQueueSettings settings_;
};

}  // namespace eim
