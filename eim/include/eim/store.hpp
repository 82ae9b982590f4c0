#pragma once
// The eIM's state behind one interface (SQLite or PostgreSQL through rsp/sql, as the SM-DP+'s and
// the SM-DS's stores): the devices it manages (SGP.32 v1.2: EID, owner, the eimId it is
// associated under, associationToken, the next counterValue) and the eUICC Packages sent to them,
// each with its state from queued to executed, failed or expired. Counters are handed out by one
// atomic UPDATE ... RETURNING, never twice, also to several instances on one database; a package
// goes from queued to delivered once (of two racing deliverers one wins) and gets one result.
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rsp/bytes.hpp"
#include "rsp/sql/database.hpp"

namespace eim {

using rsp::Bytes;
template <class T>
using StoreResult = rsp::sql::Result<T>;
using StoreError = rsp::sql::Error;
using StoreErrorKind = rsp::sql::ErrorKind;

// Bounds on what a record may hold; longer input is refused (ErrorKind::failed) before the database.
inline constexpr size_t kMaxOwnerLength = 64;
inline constexpr size_t kMaxFleetLength = 64;
inline constexpr size_t kMaxEimIdLength = 128;             // eimId UTF8String (SIZE(1..128))
inline constexpr size_t kMaxTransactionIdLength = 16;      // TransactionId OCTET STRING (SIZE(1..16))
inline constexpr size_t kMaxCertificateLength = 8192;      // CERT.EUICC, CERT.EUM (DER)
inline constexpr size_t kMaxPackageRequestLength = 65536;  // a signed EuiccPackageRequest (DER)
inline constexpr size_t kMaxPackageResultLength = 65536;   // an EuiccPackageResult (DER)
inline constexpr size_t kMaxResultSummaryLength = 16384;
inline constexpr int64_t kMaxCounterValue = std::numeric_limits<int64_t>::max() - 1;

struct DeviceRecord {
  std::string eid;     // 32 digits, the key
  std::string owner;   // the fleet owner's id
  std::string eim_id;  // the eimId the eUICC knows this eIM by
  std::optional<int64_t> association_token;
  int64_t next_counter = 1;  // the counterValue the next package gets (set on add; then reserve_counter only)
  std::optional<Bytes> euicc_certificate;  // CERT.EUICC DER, once known
  std::optional<Bytes> eum_certificate;    // CERT.EUM DER, once known
  int64_t version = 0;                     // set by the store; update_device compares and bumps it
  std::string fleet;                       // the owner's name for a group of its devices; may be empty
  bool operator==(const DeviceRecord&) const = default;
};

enum class PackageState { queued, delivered, executed, failed, expired };
std::string_view name(PackageState state);
std::optional<PackageState> package_state(std::string_view name);

struct PackageRecord {
  int64_t id = 0;  // set by enqueue
  std::string eid;
  int64_t counter_value = 0;  // one reserve_counter() gave
  std::optional<Bytes> eim_transaction_id;
  Bytes request;  // the signed EuiccPackageRequest (DER)
  PackageState state = PackageState::queued;
  std::optional<Bytes> result;                // the EuiccPackageResult (DER) when it came
  std::optional<std::string> result_summary;  // e.g. JSON of each operation's code, or the error's
  int64_t created = 0;                        // unix seconds
  std::optional<int64_t> delivered;
  std::optional<int64_t> finished;  // executed, failed or expired
  int64_t expires = 0;              // not delivered at or after this; expire() ends it
  int64_t version = 0;              // set by the store, bumped by each transition
  bool operator==(const PackageRecord&) const = default;
};

class EimStore {
 public:
  virtual ~EimStore() = default;

  // Adds a device (version set to 1); false, and nothing changed, when the EID is already there.
  virtual StoreResult<bool> add_device(DeviceRecord& record) = 0;
  virtual StoreResult<std::optional<DeviceRecord>> device(std::string_view eid) = 0;
  // The owner's devices (of one fleet when given), by EID, at most `limit`.
  virtual StoreResult<std::vector<DeviceRecord>> devices(std::string_view owner, std::optional<std::string_view> fleet,
                                                         int limit) = 0;
  // Owner, fleet, eimId, token and certificates, if the stored version is still record.version (then
  // bumped in `record`); false when another writer came first (read again and retry). Never
  // touches next_counter.
  virtual StoreResult<bool> update_device(DeviceRecord& record) = 0;
  // The EID's next counterValue, the stored one moved past it atomically: never handed out twice.
  // nullopt for an unknown EID; ErrorKind::failed once kMaxCounterValue is reached.
  virtual StoreResult<std::optional<int64_t>> reserve_counter(std::string_view eid) = 0;

  // Stores `record` as queued (sets id, state, version); its EID must be a device and its
  // counterValue one reserve_counter handed out. A counterValue already used for the EID:
  // ErrorKind::conflict.
  virtual StoreResult<rsp::Ok> enqueue(PackageRecord& record) = 0;
  virtual StoreResult<std::optional<PackageRecord>> package(int64_t id) = 0;
  // The EID's package with that counterValue (an EuiccPackageResult names it), or the first with
  // that eimTransactionId (IpaEuiccDataResponse, ProfileDownloadTriggerResult).
  virtual StoreResult<std::optional<PackageRecord>> package_by_counter(std::string_view eid, int64_t counter_value) = 0;
  virtual StoreResult<std::optional<PackageRecord>> package_by_transaction_id(std::string_view eid,
                                                                              const Bytes& eim_transaction_id) = 0;
  // The EID's oldest queued package not expired at `now`.
  virtual StoreResult<std::optional<PackageRecord>> next_package_for(std::string_view eid, int64_t now) = 0;
  // queued -> delivered, once: false when it is not queued any more (another deliverer won) or
  // expired at `now`.
  virtual StoreResult<bool> mark_delivered(int64_t id, int64_t now) = 0;
  // delivered -> executed or failed (`state`), once, with the result and its summary; false when
  // the package is not delivered (no package, a result already recorded, expired).
  virtual StoreResult<bool> record_result(int64_t id, PackageState state, const Bytes& result, std::string_view summary,
                                          int64_t now) = 0;
  // Queued and delivered packages whose expiry is at or before `now` become expired; how many.
  virtual StoreResult<int64_t> expire(int64_t now) = 0;
  // The EID's packages, oldest first, at most `limit`.
  virtual StoreResult<std::vector<PackageRecord>> packages_for(std::string_view eid, int limit) = 0;
};

// "sqlite:PATH" or "postgresql://...", brought up to the eIM's schema.
StoreResult<std::unique_ptr<EimStore>> open_eim_store(std::string_view url);

}  // namespace eim
