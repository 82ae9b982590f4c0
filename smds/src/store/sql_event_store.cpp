// The EventStore over any rsp::sql::Database: one set of statements for SQLite and PostgreSQL.
#include "rsp/sql/rows.hpp"
#include "smds/event_store.hpp"
#include "store/event_schema.hpp"

namespace smds {
namespace {

using rsp::sql::Outcome;
using rsp::sql::Row;
using rsp::sql::Value;

constexpr std::string_view kEventColumns =
    "sequence, eid, event_id, rsp_server_address, smdp, registered, forwarded_to";
constexpr std::string_view kSessionColumns =
    "transaction_id, smds_address, euicc_challenge, server_challenge, ci_pkid, euicc_ci_pkid, created, expires";

rsp::Unexpected<StoreError> unreadable(std::string_view table) {
  return rsp::sql::error(StoreErrorKind::failed, "unreadable row in " + std::string(table));
}

template <class T>
bool take(Value& v, T& out) {
  auto* p = std::get_if<T>(&v);
  if (!p) return false;
  out = std::move(*p);
  return true;
}

StoreResult<EventRecord> event_of(Row& row) {
  EventRecord r;
  if (row.size() != 7 || !take(row[0], r.sequence) || !take(row[1], r.eid) || !take(row[2], r.event_id) ||
      !take(row[3], r.rsp_server_address) || !take(row[4], r.smdp) || !take(row[5], r.registered))
    return unreadable("events");
  if (std::string forwarded; take(row[6], forwarded)) r.forwarded_to = std::move(forwarded);
  return r;
}

StoreResult<Es11SessionRecord> session_of(Row& row) {
  Es11SessionRecord r;
  if (row.size() != 8 || !take(row[0], r.transaction_id) || !take(row[1], r.smds_address) ||
      !take(row[2], r.euicc_challenge) || !take(row[3], r.server_challenge) || !take(row[4], r.ci_pkid) ||
      !take(row[5], r.euicc_ci_pkid) || !take(row[6], r.created) || !take(row[7], r.expires))
    return unreadable("es11_sessions");
  return r;
}

StoreResult<int64_t> single_integer(StoreResult<Outcome> outcome, std::string_view table) {
  if (!outcome) return rsp::Unexpected{outcome.error()};
  const int64_t* n =
      outcome->rows.empty() || outcome->rows[0].empty() ? nullptr : std::get_if<int64_t>(&outcome->rows[0][0]);
  if (!n) return unreadable(table);
  return *n;
}

class SqlEventStore final : public EventStore {
 public:
  explicit SqlEventStore(std::unique_ptr<rsp::sql::Database> db) : db_(std::move(db)) {}

  StoreResult<bool> add_event(EventRecord& r) override {
    const Value params[] = {r.eid,  r.event_id,   r.rsp_server_address,
                            r.smdp, r.registered, r.forwarded_to ? Value(*r.forwarded_to) : Value(std::monostate{})};
    auto added = db_->run(
        "INSERT INTO events (eid, event_id, rsp_server_address, smdp, registered, forwarded_to) VALUES ($1, $2, $3, $4, $5, $6) "
        "ON CONFLICT (eid, event_id) DO NOTHING RETURNING sequence",
        params);
    if (!added) return rsp::Unexpected{added.error()};
    if (added->rows.empty()) return false;
    const int64_t* sequence = std::get_if<int64_t>(&added->rows[0].at(0));
    if (!sequence) return unreadable("events");
    r.sequence = *sequence;
    return true;
  }

  StoreResult<std::optional<EventRecord>> event(std::string_view eid, std::string_view event_id) override {
    const Value params[] = {std::string(eid), std::string(event_id)};
    return rsp::sql::first_row(
        db_->run("SELECT " + std::string(kEventColumns) + " FROM events WHERE eid = $1 AND event_id = $2", params),
        event_of);
  }

  StoreResult<bool> remove_event(std::string_view eid, std::string_view event_id, std::string_view smdp) override {
    const Value params[] = {std::string(eid), std::string(event_id), std::string(smdp)};
    auto removed = db_->run("DELETE FROM events WHERE eid = $1 AND event_id = $2 AND smdp = $3", params);
    if (!removed) return rsp::Unexpected{removed.error()};
    return removed->changed > 0;
  }

  StoreResult<std::vector<EventRecord>> events_for_eid(std::string_view eid, int limit) override {
    const Value params[] = {std::string(eid), int64_t{limit}};
    return rsp::sql::all_rows(
        db_->run("SELECT " + std::string(kEventColumns) + " FROM events WHERE eid = $1 ORDER BY sequence LIMIT $2",
                 params),
        event_of);
  }

  StoreResult<std::vector<EventRecord>> events_of_every_eid(int limit) override {
    const Value params[] = {int64_t{limit}};
    return rsp::sql::all_rows(
        db_->run("SELECT " + std::string(kEventColumns) + " FROM events ORDER BY sequence LIMIT $1", params), event_of);
  }

  StoreResult<int64_t> count_events_for_eid(std::string_view eid) override {
    const Value params[] = {std::string(eid)};
    return single_integer(db_->run("SELECT COUNT(*) FROM events WHERE eid = $1", params), "events");
  }

  StoreResult<int64_t> remove_events_before(int64_t registered_before) override {
    const Value params[] = {registered_before};
    auto removed = db_->run("DELETE FROM events WHERE registered < $1", params);
    if (!removed) return rsp::Unexpected{removed.error()};
    return removed->changed;
  }

  StoreResult<rsp::Ok> add_session(const Es11SessionRecord& r) override {
    const Value params[] = {r.transaction_id, r.smds_address,  r.euicc_challenge, r.server_challenge,
                            r.ci_pkid,        r.euicc_ci_pkid, r.created,         r.expires};
    auto added = db_->run("INSERT INTO es11_sessions (" + std::string(kSessionColumns) +
                              ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (transaction_id) DO NOTHING",
                          params);
    if (!added) return rsp::Unexpected{added.error()};
    if (added->changed == 0) return rsp::sql::error(StoreErrorKind::exists, "es11_sessions: key already there");
    return rsp::Ok{};
  }

  StoreResult<std::optional<Es11SessionRecord>> take_session(std::string_view transaction_id) override {
    const Value params[] = {std::string(transaction_id)};
    // DELETE ... RETURNING: of two racing authenticateClient calls, one gets the session.
    auto taken = db_->run(
        "DELETE FROM es11_sessions WHERE transaction_id = $1 RETURNING " + std::string(kSessionColumns), params);
    if (!taken) return rsp::Unexpected{taken.error()};
    if (taken->rows.empty()) return std::optional<Es11SessionRecord>();
    auto record = session_of(taken->rows.front());
    if (!record) return rsp::Unexpected{record.error()};
    return std::optional(std::move(*record));
  }

  StoreResult<int64_t> count_sessions(int64_t now) override {
    const Value params[] = {now};
    return single_integer(db_->run("SELECT COUNT(*) FROM es11_sessions WHERE expires >= $1", params), "es11_sessions");
  }

  StoreResult<int64_t> remove_expired_sessions(int64_t now) override {
    const Value params[] = {now};
    auto removed = db_->run("DELETE FROM es11_sessions WHERE expires < $1", params);
    if (!removed) return rsp::Unexpected{removed.error()};
    return removed->changed;
  }

 private:
  std::unique_ptr<rsp::sql::Database> db_;
};

}  // namespace

StoreResult<std::unique_ptr<EventStore>> open_event_store(std::string_view url) {
  auto database = rsp::sql::open_database(url, event_schema(), "smds");
  if (!database) return rsp::Unexpected{database.error()};
  return std::unique_ptr<EventStore>(std::make_unique<SqlEventStore>(std::move(*database)));
}

}  // namespace smds
