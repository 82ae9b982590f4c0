#pragma once
// The SM-DP+'s state behind one interface: SQLite (embedded default, WAL) or PostgreSQL (several
// SM-DP+ instances serving one fleet). Profiles with their order, ES9+ sessions, the notifications
// received and the ES2+ callbacks still to deliver.
//
// Concurrency: every record carries a version; update_*() writes only if the stored version is
// still the one read, and bumps it. The services read, decide, and write back; a lost race comes
// back as `false` and the caller re-reads or refuses. That is what keeps one profile from going to
// two devices even when two instances share one PostgreSQL.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"
#include "rsp/sql/database.hpp"

namespace rsp::crypto {
class SealingKey;
}

namespace smdp {

using rsp::Bytes;
using rsp::ByteView;

// SGP.22 v2.5 §3.1.1 / §5.3: the states of a profile at the SM-DP+.
enum class ProfileState {
  available,
  allocated,
  linked,
  confirmed,
  released,
  downloaded,
  installed,
  error,
  unavailable
};
std::string_view to_string(ProfileState state);
std::optional<ProfileState> profile_state_from(std::string_view text);

// One profile of the inventory and the order placed on it (at most one order per profile).
struct ProfileRecord {
  std::string iccid;        // digits only, 18-20, no 'F' padding
  std::string operator_id;  // the operator that owns it (ES2+ client identity)
  std::string profile_type;
  ProfileState state = ProfileState::available;
  Bytes package;   // the unprotected SAIP profile package (ProfileElement stream, DER)
  Bytes metadata;  // BF25 StoreMetadataRequest sent in the BPP and in profileMetadata
  // Profile protection keys (ReplaceSessionKeys) when the profile has them; empty otherwise.
  Bytes ppk_enc, ppk_mac, ppk_initial_mcv;

  // The order (DownloadOrder / ConfirmOrder); empty while the profile is available.
  std::optional<std::string> eid;          // 32 digits: the only eUICC that may download it
  std::optional<std::string> matching_id;  // unique over all profiles while set
  Bytes confirmation_code_hash;            // SHA-256(confirmation code); empty: none required
  int confirmation_attempts_left = 0;
  bool released = false;      // ConfirmOrder releaseFlag or ReleaseProfile
  int64_t order_expires = 0;  // unix seconds; 0: no order
  std::optional<std::string> smds_address;
  std::optional<std::string> transaction_id;  // hex: the ES9+ session that holds the order now

  int64_t version = 0;  // set by the store
  bool operator==(const ProfileRecord&) const = default;
};

// SGP.22 ES9+ session (one transactionId), from initiateAuthentication to the installation result.
enum class SessionState { initiated, authenticated, bpp_sent, finished, cancelled };
std::string_view to_string(SessionState state);
std::optional<SessionState> session_state_from(std::string_view text);

struct SessionRecord {
  std::string transaction_id;  // upper-case hex, the primary key
  SessionState state = SessionState::initiated;
  std::string smdp_address;
  Bytes euicc_challenge;   // 16 bytes; empty since initiateAuthentication stores no session
  Bytes server_challenge;  // 16 bytes
  Bytes ci_pkid;           // the CI the SM-DP+'s credentials chain to (SKI)
  Bytes euicc_ci_pkid;     // the CI the eUICC's chain must end at (euiccCiPKIdToBeUsed)
  std::string eid;         // known from authenticateClient
  std::string iccid;       // the profile the session downloads
  bool cc_required = false;
  Bytes euicc_certificate;      // DER, from authenticateClient: verifies euiccSignature2 and results
  Bytes smdp_signature2;        // the 5F37 TLV sent in authenticateClient; euiccSignature2 covers it
  Bytes euicc_otpk;             // otPK.EUICC the last BPP was bound to
  Bytes bound_profile_package;  // the last BPP built, re-sent when the same otPK comes back
  int64_t created = 0;          // unix seconds
  int64_t expires = 0;          // unix seconds

  int64_t version = 0;  // set by the store
  bool operator==(const SessionRecord&) const = default;
};

// A notification received with ES9+ handleNotification (SGP.22 v2.5 §5.6.4).
struct NotificationRecord {
  std::string eid;
  int64_t sequence_number = 0;
  std::string event;  // install, enable, disable, delete
  std::string iccid;
  std::string transaction_id;  // for installation results
  bool success = true;
  Bytes pending_notification;  // the DER as received (BF37 or 30)
  int64_t received = 0;        // unix seconds
  bool operator==(const NotificationRecord&) const = default;
};

// An ES2+ HandleDownloadProgressInfo call to an operator, queued and retried.
struct CallbackRecord {
  int64_t id = 0;  // set by the store
  std::string operator_id;
  std::string url;
  std::string body;  // the JSON request
  int attempts = 0;
  int64_t next_attempt = 0;  // unix seconds
  bool operator==(const CallbackRecord&) const = default;
};

// The SQL layer's errors (rsp/sql): exists (add_*() of a key that is already there), conflict (a
// unique value such as a matchingId is held by another record), unavailable, failed.
using StoreErrorKind = rsp::sql::ErrorKind;
using StoreError = rsp::sql::Error;
template <class T>
using StoreResult = rsp::sql::Result<T>;

class Store {
 public:
  virtual ~Store() = default;

  // Profiles. update_profile() writes `record` if the stored version equals record.version and
  // returns true (record.version is then the new one); false if another writer came first. The
  // package and metadata are written by add_profile() alone: they come with the order.
  virtual StoreResult<rsp::Ok> add_profile(ProfileRecord& record) = 0;
  // An inventory import: many profiles in few statements (a multi-row INSERT per batch of 500, each
  // one commit). Returns how many were added; an added record's version is set to 1, a record whose
  // ICCID is there already is left alone and its version set to 0. A matchingId held by another
  // profile fails its batch (conflict); the batches before it stay added.
  virtual StoreResult<int64_t> add_profiles(std::span<ProfileRecord> records) = 0;
  virtual StoreResult<std::optional<ProfileRecord>> profile(std::string_view iccid) = 0;
  virtual StoreResult<std::optional<ProfileRecord>> profile_by_matching_id(std::string_view matching_id) = 0;
  // The orders bound to `eid` that are not finished (allocated to downloaded), the first to expire
  // first: the default SM-DP+ and SM-DS downloads name no matchingId (SGP.22 v2.5 §5.6.2).
  virtual StoreResult<std::vector<ProfileRecord>> orders_for_eid(std::string_view eid) = 0;
  // An available profile of that operator and type (any one), for DownloadOrder by profileType.
  virtual StoreResult<std::optional<ProfileRecord>> available_profile(std::string_view operator_id,
                                                                      std::string_view profile_type) = 0;
  virtual StoreResult<bool> profile_type_exists(std::string_view operator_id, std::string_view profile_type) = 0;
  virtual StoreResult<bool> update_profile(ProfileRecord& record) = 0;
  // Empties the package and the protection keys of a profile in state installed (its Ki and OPc
  // are on the eUICC now: the SM-DP+ needs them no more, and a copy of the store should not hold
  // them); returns false for a profile in any other state or none. The row's version is unchanged:
  // update_profile() never writes those columns.
  virtual StoreResult<bool> erase_installed_profile_secrets(std::string_view iccid) = 0;

  // ES9+ sessions, same versioning.
  virtual StoreResult<rsp::Ok> add_session(SessionRecord& record) = 0;
  virtual StoreResult<std::optional<SessionRecord>> session(std::string_view transaction_id) = 0;
  virtual StoreResult<bool> update_session(SessionRecord& record) = 0;
  // Removes sessions that expired before `now`; returns how many.
  virtual StoreResult<int64_t> remove_expired_sessions(int64_t now) = 0;

  // A secret every instance on this store must share (the key of ES9+'s stateless transactionIds):
  // the one stored under `name`, or `candidate`, stored, when there is none yet. Concurrent first
  // callers all get the one that was stored first.
  virtual StoreResult<Bytes> shared_secret(std::string_view name, ByteView candidate) = 0;

  // Notifications: add returns false (and stores nothing) if (eid, sequence_number) is known.
  virtual StoreResult<bool> add_notification(const NotificationRecord& record) = 0;
  virtual StoreResult<std::vector<NotificationRecord>> notifications(std::string_view iccid) = 0;
  // Removes notifications received before `before` (unix seconds); returns how many. Past the
  // retention the same (eid, sequence_number) would be taken again.
  virtual StoreResult<int64_t> remove_notifications_received_before(int64_t before) = 0;

  // ES2+ callback outbox.
  virtual StoreResult<int64_t> enqueue_callback(const CallbackRecord& record) = 0;
  virtual StoreResult<std::vector<CallbackRecord>> due_callbacks(int64_t now, int limit) = 0;
  virtual StoreResult<rsp::Ok> complete_callback(int64_t id) = 0;
  virtual StoreResult<rsp::Ok> reschedule_callback(int64_t id, int attempts, int64_t next_attempt) = 0;
};

// "sqlite:PATH" (created with the schema if absent, WAL mode) or "postgresql://..." (libpq
// connection URI). Either runs the schema migrations it has not run yet.
// With `profile_key` (issue 13, finding 10) each profile's package and protection keys are sealed
// in the database (AES-256-GCM, bound to column and ICCID) and opened when read: a database never
// sealed has its rows sealed now, in one transaction, and the key's id recorded; one sealed with
// another key is refused, unchanged. Without it values pass as stored (tools that only read
// orders, states and notifications; a server always gives its key, smdp/profile_key.hpp).
StoreResult<std::unique_ptr<Store>> open_store(std::string_view url,
                                               const rsp::crypto::SealingKey* profile_key = nullptr);
// The id of the key the database's profiles are sealed with; nullopt when they never were.
StoreResult<std::optional<Bytes>> profile_key_id(std::string_view url);
// Every profile opened with `current` and sealed with `next`, and `next` recorded, in one
// transaction (nothing changes unless the database is sealed with `current`). Returns how many.
StoreResult<int64_t> rotate_profile_key(std::string_view url, const rsp::crypto::SealingKey& current,
                                        const rsp::crypto::SealingKey& next);

}  // namespace smdp
