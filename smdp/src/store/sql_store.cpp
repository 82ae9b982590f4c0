// The Store over any sql::Database: one set of statements and row mappings for both backends.
#include <array>

#include "store/sql.hpp"

namespace smdp::sql {
namespace {

// A table's columns, key first; `version` is kept apart because the store alone writes it.
template <size_t N>
struct Table {
  std::string_view name;
  std::array<std::string_view, N> columns;

  std::string column_list() const {
    std::string out;
    for (auto c : columns) out += (out.empty() ? "" : ", ") + std::string(c);
    return out;
  }
  std::string select() const { return "SELECT " + column_list() + ", version FROM " + std::string(name) + " "; }
  // Every column from $1..$N, version 1; a row with that key already there is left alone.
  std::string insert() const {
    std::string values;
    for (size_t i = 1; i <= N; ++i) values += "$" + std::to_string(i) + ", ";
    return "INSERT INTO " + std::string(name) + " (" + column_list() + ", version) VALUES (" + values +
           "1) ON CONFLICT (" + std::string(columns[0]) + ") DO NOTHING";
  }
  // Writes $2..$N where the key is $1 and the version still $N+1.
  std::string versioned_update() const {
    std::string sets;
    for (size_t i = 1; i < N; ++i) sets += std::string(columns[i]) + " = $" + std::to_string(i + 1) + ", ";
    return "UPDATE " + std::string(name) + " SET " + sets + "version = version + 1 WHERE " + std::string(columns[0]) +
           " = $1 AND version = $" + std::to_string(N + 1);
  }
};

constexpr Table<17> kProfiles{
    "profiles",
    {"iccid", "operator_id", "profile_type", "state", "package", "metadata", "ppk_enc", "ppk_mac", "ppk_initial_mcv",
     "eid", "matching_id", "confirmation_code_hash", "confirmation_attempts_left", "released", "order_expires",
     "smds_address", "transaction_id"}};
constexpr Table<15> kSessions{"sessions",
                              {"transaction_id", "state", "smdp_address", "euicc_challenge", "server_challenge",
                               "ci_pkid", "eid", "iccid", "cc_required", "euicc_certificate", "smdp_signature2",
                               "euicc_otpk", "bound_profile_package", "created", "expires"}};
constexpr std::string_view kNotificationColumns =
    "eid, sequence_number, event, iccid, transaction_id, success, pending_notification, received";
constexpr std::string_view kCallbackColumns = "id, operator_id, url, body, attempts, next_attempt";

Value optional_text(const std::optional<std::string>& text) { return text ? Value(*text) : Value(); }
Value flag(bool on) { return int64_t{on ? 1 : 0}; }

std::vector<Value> values_of(const ProfileRecord& r) {
  return {r.iccid,
          r.operator_id,
          r.profile_type,
          std::string(to_string(r.state)),
          r.package,
          r.metadata,
          r.ppk_enc,
          r.ppk_mac,
          r.ppk_initial_mcv,
          optional_text(r.eid),
          optional_text(r.matching_id),
          r.confirmation_code_hash,
          int64_t{r.confirmation_attempts_left},
          flag(r.released),
          r.order_expires,
          optional_text(r.smds_address),
          optional_text(r.transaction_id)};
}

std::vector<Value> values_of(const SessionRecord& r) {
  return {r.transaction_id,
          std::string(to_string(r.state)),
          r.smdp_address,
          r.euicc_challenge,
          r.server_challenge,
          r.ci_pkid,
          r.eid,
          r.iccid,
          flag(r.cc_required),
          r.euicc_certificate,
          r.smdp_signature2,
          r.euicc_otpk,
          r.bound_profile_package,
          r.created,
          r.expires};
}

// Reads a row's columns in order; a value of an unexpected type marks the row unreadable.
class Reader {
 public:
  explicit Reader(Row& row) : row_(row) {}
  std::string text() { return std::move(take<std::string>()); }
  std::optional<std::string> optional_text() {
    if (!std::holds_alternative<std::monostate>(row_.at(next_))) return text();
    ++next_;
    return std::nullopt;
  }
  Bytes bytes() { return std::move(take<Bytes>()); }
  int64_t integer() { return take<int64_t>(); }
  bool flag() { return integer() != 0; }
  bool ok() const { return ok_; }

 private:
  template <class T>
  T& take() {
    Value& v = row_.at(next_++);
    if (!std::holds_alternative<T>(v)) {
      ok_ = false;
      v = T{};
    }
    return std::get<T>(v);
  }
  Row& row_;
  size_t next_ = 0;
  bool ok_ = true;
};

StoreError unreadable(std::string_view table) {
  return {StoreErrorKind::failed, "unreadable row in " + std::string(table)};
}

StoreResult<ProfileRecord> profile_of(Row& row) {
  Reader in(row);
  ProfileRecord r;
  r.iccid = in.text();
  r.operator_id = in.text();
  r.profile_type = in.text();
  auto state = profile_state_from(in.text());
  r.package = in.bytes();
  r.metadata = in.bytes();
  r.ppk_enc = in.bytes();
  r.ppk_mac = in.bytes();
  r.ppk_initial_mcv = in.bytes();
  r.eid = in.optional_text();
  r.matching_id = in.optional_text();
  r.confirmation_code_hash = in.bytes();
  r.confirmation_attempts_left = static_cast<int>(in.integer());
  r.released = in.flag();
  r.order_expires = in.integer();
  r.smds_address = in.optional_text();
  r.transaction_id = in.optional_text();
  r.version = in.integer();
  if (!in.ok() || !state) return rsp::Unexpected{unreadable("profiles")};
  r.state = *state;
  return r;
}

StoreResult<SessionRecord> session_of(Row& row) {
  Reader in(row);
  SessionRecord r;
  r.transaction_id = in.text();
  auto state = session_state_from(in.text());
  r.smdp_address = in.text();
  r.euicc_challenge = in.bytes();
  r.server_challenge = in.bytes();
  r.ci_pkid = in.bytes();
  r.eid = in.text();
  r.iccid = in.text();
  r.cc_required = in.flag();
  r.euicc_certificate = in.bytes();
  r.smdp_signature2 = in.bytes();
  r.euicc_otpk = in.bytes();
  r.bound_profile_package = in.bytes();
  r.created = in.integer();
  r.expires = in.integer();
  r.version = in.integer();
  if (!in.ok() || !state) return rsp::Unexpected{unreadable("sessions")};
  r.state = *state;
  return r;
}

StoreResult<NotificationRecord> notification_of(Row& row) {
  Reader in(row);
  NotificationRecord r;
  r.eid = in.text();
  r.sequence_number = in.integer();
  r.event = in.text();
  r.iccid = in.text();
  r.transaction_id = in.text();
  r.success = in.flag();
  r.pending_notification = in.bytes();
  r.received = in.integer();
  if (!in.ok()) return rsp::Unexpected{unreadable("notifications")};
  return r;
}

StoreResult<CallbackRecord> callback_of(Row& row) {
  Reader in(row);
  CallbackRecord r;
  r.id = in.integer();
  r.operator_id = in.text();
  r.url = in.text();
  r.body = in.text();
  r.attempts = static_cast<int>(in.integer());
  r.next_attempt = in.integer();
  if (!in.ok()) return rsp::Unexpected{unreadable("callbacks")};
  return r;
}

template <class Record>
using Converter = StoreResult<Record> (*)(Row&);

// Every row of `outcome` through `convert`, or the first error.
template <class Record>
StoreResult<std::vector<Record>> all_rows(StoreResult<Outcome> outcome, Converter<Record> convert) {
  if (!outcome) return rsp::Unexpected{outcome.error()};
  std::vector<Record> out;
  for (Row& row : outcome->rows) {
    auto record = convert(row);
    if (!record) return rsp::Unexpected{record.error()};
    out.push_back(std::move(*record));
  }
  return out;
}

// The first row of `outcome` through `convert`, nullopt when there is none.
template <class Record>
StoreResult<std::optional<Record>> first_row(StoreResult<Outcome> outcome, Converter<Record> convert) {
  if (!outcome) return rsp::Unexpected{outcome.error()};
  if (outcome->rows.empty()) return std::optional<Record>();
  auto record = convert(outcome->rows.front());
  if (!record) return rsp::Unexpected{record.error()};
  return std::optional(std::move(*record));
}

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  StoreResult<rsp::Ok> add_profile(ProfileRecord& record) override { return add(kProfiles, values_of(record), record); }
  StoreResult<std::optional<ProfileRecord>> profile(std::string_view iccid) override {
    return select_one(profiles_by_key_, iccid, profile_of);
  }
  StoreResult<std::optional<ProfileRecord>> profile_by_matching_id(std::string_view matching_id) override {
    return select_one(profiles_by_matching_id_, matching_id, profile_of);
  }
  StoreResult<std::optional<ProfileRecord>> available_profile(std::string_view operator_id,
                                                              std::string_view profile_type) override {
    const Value params[] = {std::string(operator_id), std::string(profile_type)};
    return first_row(db_->run(available_profile_, params), profile_of);
  }
  StoreResult<bool> profile_type_exists(std::string_view operator_id, std::string_view profile_type) override {
    const Value params[] = {std::string(operator_id), std::string(profile_type)};
    auto found = db_->run("SELECT 1 FROM profiles WHERE operator_id = $1 AND profile_type = $2 LIMIT 1", params);
    if (!found) return rsp::Unexpected{found.error()};
    return !found->rows.empty();
  }
  StoreResult<bool> update_profile(ProfileRecord& record) override {
    return update(profiles_update_, values_of(record), record);
  }

  StoreResult<rsp::Ok> add_session(SessionRecord& record) override { return add(kSessions, values_of(record), record); }
  StoreResult<std::optional<SessionRecord>> session(std::string_view transaction_id) override {
    return select_one(sessions_by_key_, transaction_id, session_of);
  }
  StoreResult<bool> update_session(SessionRecord& record) override {
    return update(sessions_update_, values_of(record), record);
  }
  StoreResult<int64_t> remove_expired_sessions(int64_t now) override {
    const Value params[] = {now};
    auto removed = db_->run("DELETE FROM sessions WHERE expires < $1", params);
    if (!removed) return rsp::Unexpected{removed.error()};
    return removed->changed;
  }

  StoreResult<bool> add_notification(const NotificationRecord& r) override {
    const Value params[] = {r.eid,           r.sequence_number,      r.event,   r.iccid, r.transaction_id,
                            flag(r.success), r.pending_notification, r.received};
    auto added = db_->run("INSERT INTO notifications (" + std::string(kNotificationColumns) +
                              ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (eid, sequence_number) DO NOTHING",
                          params);
    if (!added) return rsp::Unexpected{added.error()};
    return added->changed == 1;
  }
  StoreResult<std::vector<NotificationRecord>> notifications(std::string_view iccid) override {
    const Value params[] = {std::string(iccid)};
    return all_rows(db_->run("SELECT " + std::string(kNotificationColumns) +
                                 " FROM notifications WHERE iccid = $1 ORDER BY received, eid, sequence_number",
                             params),
                    notification_of);
  }

  StoreResult<int64_t> enqueue_callback(const CallbackRecord& r) override {
    const Value params[] = {r.operator_id, r.url, r.body, int64_t{r.attempts}, r.next_attempt};
    auto added = db_->run(
        "INSERT INTO callbacks (operator_id, url, body, attempts, next_attempt) VALUES ($1, $2, $3, $4, $5) RETURNING "
        "id",
        params);
    if (!added) return rsp::Unexpected{added.error()};
    const int64_t* id = added->rows.empty() ? nullptr : std::get_if<int64_t>(&added->rows[0].at(0));
    if (!id) return rsp::Unexpected{unreadable("callbacks")};
    return *id;
  }
  StoreResult<std::vector<CallbackRecord>> due_callbacks(int64_t now, int limit) override {
    const Value params[] = {now, int64_t{limit}};
    return all_rows(db_->run("SELECT " + std::string(kCallbackColumns) +
                                 " FROM callbacks WHERE next_attempt <= $1 ORDER BY next_attempt, id LIMIT $2",
                             params),
                    callback_of);
  }
  StoreResult<rsp::Ok> complete_callback(int64_t id) override {
    const Value params[] = {id};
    return done(db_->run("DELETE FROM callbacks WHERE id = $1", params));
  }
  StoreResult<rsp::Ok> reschedule_callback(int64_t id, int attempts, int64_t next_attempt) override {
    const Value params[] = {id, int64_t{attempts}, next_attempt};
    return done(db_->run("UPDATE callbacks SET attempts = $2, next_attempt = $3 WHERE id = $1", params));
  }

 private:
  static StoreResult<rsp::Ok> done(StoreResult<Outcome> outcome) {
    if (!outcome) return rsp::Unexpected{outcome.error()};
    return rsp::Ok{};
  }

  template <size_t N, class Record>
  StoreResult<rsp::Ok> add(const Table<N>& table, const std::vector<Value>& values, Record& record) {
    auto added = db_->run(table.insert(), values);
    if (!added) return rsp::Unexpected{added.error()};
    if (added->changed == 0)
      return store_error(StoreErrorKind::exists, std::string(table.name) + ": key already there");
    record.version = 1;
    return rsp::Ok{};
  }

  template <class Record>
  StoreResult<bool> update(const std::string& sql, std::vector<Value> values, Record& record) {
    values.emplace_back(record.version);
    auto updated = db_->run(sql, values);
    if (!updated) return rsp::Unexpected{updated.error()};
    if (updated->changed == 0) return false;
    ++record.version;
    return true;
  }

  template <class Record>
  StoreResult<std::optional<Record>> select_one(const std::string& sql, std::string_view key,
                                                Converter<Record> convert) {
    const Value params[] = {std::string(key)};
    return first_row(db_->run(sql, params), convert);
  }

  std::unique_ptr<Database> db_;
  const std::string profiles_by_key_ = kProfiles.select() + "WHERE iccid = $1";
  const std::string profiles_by_matching_id_ = kProfiles.select() + "WHERE matching_id = $1";
  // The lowest ICCID first, so that racing orders meet on one row and the loser picks another.
  const std::string available_profile_ =
      kProfiles.select() +
      "WHERE operator_id = $1 AND profile_type = $2 AND state = 'available' ORDER BY iccid LIMIT 1";
  const std::string profiles_update_ = kProfiles.versioned_update();
  const std::string sessions_by_key_ = kSessions.select() + "WHERE transaction_id = $1";
  const std::string sessions_update_ = kSessions.versioned_update();
};

}  // namespace

std::unique_ptr<Store> make_sql_store(std::unique_ptr<Database> database) {
  return std::make_unique<SqlStore>(std::move(database));
}

}  // namespace smdp::sql
