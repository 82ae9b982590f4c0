#pragma once
// The SM-DS's state behind one interface (SQLite or PostgreSQL through rsp/sql): the Event Records
// SM-DP+s registered over ES12 (SGP.22 v2.5 §5.9) and the ES11 sessions of devices asking for them
// (§5.8). Event Records come back first in, first out (SGP.21 SMDS8).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rsp/bytes.hpp"
#include "rsp/sql/database.hpp"

namespace smds {

using rsp::Bytes;
template <class T>
using StoreResult = rsp::sql::Result<T>;
using StoreError = rsp::sql::Error;
using StoreErrorKind = rsp::sql::ErrorKind;

// Bounds on what a record may hold; ES12 refuses longer fields before they reach the store.
inline constexpr size_t kMaxEventIdLength = 255;  // an SM-DP+'s matchingId (SGP.22 v2.5 §4.1)
inline constexpr size_t kMaxAddressLength = 255;  // an FQDN (with an optional :port)
inline constexpr size_t kMaxSmdpNameLength = 64;

// One Event Record (SGP.22 v2.5 §5.9.1): an EID, the event id and the server that holds it.
struct EventRecord {
  std::string eid;  // 32 digits
  std::string event_id;
  std::string rsp_server_address;           // the SM-DP+ (or alternative SM-DS) the device goes to
  std::string smdp;                         // the pinned name of the SM-DP+ that registered it
  int64_t registered = 0;                   // unix seconds
  std::optional<std::string> forwarded_to;  // the root SM-DS it was cascaded to (forwardingIndicator)
  int64_t sequence = 0;                     // set by the store: the FIFO order
  bool operator==(const EventRecord&) const = default;
};

// An ES11 session from initiateAuthentication to authenticateClient.
struct Es11SessionRecord {
  std::string transaction_id;  // upper-case hex, the key
  std::string smds_address;
  Bytes euicc_challenge;   // 16 bytes
  Bytes server_challenge;  // 16 bytes
  Bytes ci_pkid;           // the CI of the DSauth certificate used (SKI)
  Bytes euicc_ci_pkid;     // the CI the eUICC's chain must end at
  int64_t created = 0;
  int64_t expires = 0;
  bool operator==(const Es11SessionRecord&) const = default;
};

class EventStore {
 public:
  virtual ~EventStore() = default;

  // Adds `record` (sets its sequence); false, and nothing stored, when the EID already has an
  // event with that id.
  virtual StoreResult<bool> add_event(EventRecord& record) = 0;
  virtual StoreResult<std::optional<EventRecord>> event(std::string_view eid, std::string_view event_id) = 0;
  // Removes the event if `smdp` registered it; false when there is no such event of that SM-DP+.
  virtual StoreResult<bool> remove_event(std::string_view eid, std::string_view event_id, std::string_view smdp) = 0;
  // The EID's events, oldest first, at most `limit`.
  virtual StoreResult<std::vector<EventRecord>> events_for_eid(std::string_view eid, int limit) = 0;
  virtual StoreResult<int64_t> count_events_for_eid(std::string_view eid) = 0;
  // Every EID's events, oldest first, at most `limit`: only the conformance harness's
  // return-other-eid-events fault hands these out.
  virtual StoreResult<std::vector<EventRecord>> events_of_every_eid(int limit) = 0;
  // Removes events registered before `registered_before`; returns how many.
  virtual StoreResult<int64_t> remove_events_before(int64_t registered_before) = 0;

  // ES11 sessions: add fails with `exists` for a known transactionId; take() removes and returns
  // the session (one authenticateClient per initiateAuthentication).
  virtual StoreResult<rsp::Ok> add_session(const Es11SessionRecord& record) = 0;
  virtual StoreResult<std::optional<Es11SessionRecord>> take_session(std::string_view transaction_id) = 0;
  virtual StoreResult<int64_t> count_sessions(int64_t now) = 0;  // those not expired at `now`
  virtual StoreResult<int64_t> remove_expired_sessions(int64_t now) = 0;
};

// "sqlite:PATH" or "postgresql://...", brought up to the SM-DS's schema.
StoreResult<std::unique_ptr<EventStore>> open_event_store(std::string_view url);

}  // namespace smds
