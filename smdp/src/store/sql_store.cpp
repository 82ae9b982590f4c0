// The Store over any sql::Database: one set of statements for both backends.
#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <set>

#include "rsp/sql/rows.hpp"
#include "store/profile_sealing.hpp"
#include "store/record_rows.hpp"

namespace smdp::sql {
namespace {

using rsp::sql::all_rows;
using rsp::sql::first_row;

class SqlStore final : public Store {
 public:
  SqlStore(std::unique_ptr<Database> db, bool postgresql, const SealingKey* profile_key)
      : db_(std::move(db)),
        postgresql_(postgresql),
        profile_key_(profile_key ? std::optional(*profile_key) : std::nullopt) {}

  StoreResult<rsp::Ok> add_profile(ProfileRecord& record) override {
    return add(kProfiles, profile_values(record), record);
  }
  StoreResult<int64_t> add_profiles(std::span<ProfileRecord> records) override {
    int64_t added = 0;
    std::vector<Value> values;
    for (size_t start = 0; start < records.size(); start += kBatch) {
      const auto batch = records.subspan(start, std::min(kBatch, records.size() - start));
      values.clear();
      for (const ProfileRecord& record : batch) std::ranges::move(profile_values(record), std::back_inserter(values));
      auto inserted = db_->run(
          batch.size() == kBatch ? full_batch_insert_ : kProfiles.insert_rows(batch.size()) + " RETURNING iccid",
          values);
      if (!inserted) return rsp::Unexpected{inserted.error()};
      std::set<std::string, std::less<>> new_iccids;
      for (Row& row : inserted->rows)
        if (auto* iccid = std::get_if<std::string>(&row.at(0))) new_iccids.insert(std::move(*iccid));
      for (ProfileRecord& record : batch) record.version = new_iccids.contains(record.iccid) ? 1 : 0;
      added += static_cast<int64_t>(new_iccids.size());
    }
    if (auto analysed = refresh_statistics(added); !analysed) return rsp::Unexpected{analysed.error()};
    return added;
  }
  StoreResult<std::optional<ProfileRecord>> profile(std::string_view iccid) override {
    return select_one(profiles_by_key_, iccid, read_profile());
  }
  StoreResult<std::optional<ProfileRecord>> profile_by_matching_id(std::string_view matching_id) override {
    return select_one(profiles_by_matching_id_, matching_id, read_profile());
  }
  StoreResult<std::vector<ProfileRecord>> orders_for_eid(std::string_view eid) override {
    const Value params[] = {std::string(eid)};
    return all_rows(db_->run(orders_for_eid_, params), read_profile());
  }
  StoreResult<std::optional<ProfileRecord>> available_profile(std::string_view operator_id,
                                                              std::string_view profile_type) override {
    const Value params[] = {std::string(operator_id), std::string(profile_type)};
    return first_row(db_->run(available_profile_, params), read_profile());
  }
  StoreResult<bool> profile_type_exists(std::string_view operator_id, std::string_view profile_type) override {
    const Value params[] = {std::string(operator_id), std::string(profile_type)};
    auto found = db_->run("SELECT 1 FROM profiles WHERE operator_id = $1 AND profile_type = $2 LIMIT 1", params);
    if (!found) return rsp::Unexpected{found.error()};
    return !found->rows.empty();
  }
  StoreResult<bool> update_profile(ProfileRecord& record) override {
    // The sealed columns are all written once: nothing to seal here.
    return update(profiles_update_, kProfiles.update_values(values_of(record), kProfileWrittenOnce), record);
  }

  StoreResult<bool> erase_installed_profile_secrets(std::string_view iccid) override {
    const Value params[] = {std::string(iccid), std::string(to_string(ProfileState::installed)), Bytes{}};
    auto erased = db_->run(
        "UPDATE profiles SET package = $3, ppk_enc = $3, ppk_mac = $3, ppk_initial_mcv = $3 "
        "WHERE iccid = $1 AND state = $2",
        params);
    if (!erased) return rsp::Unexpected{erased.error()};
    return erased->changed == 1;
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

  StoreResult<Bytes> shared_secret(std::string_view name, ByteView candidate) override {
    const Value params[] = {std::string(name), Bytes(candidate.begin(), candidate.end())};
    if (auto stored =
            db_->run("INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", params);
        !stored)
      return rsp::Unexpected{stored.error()};
    auto found = db_->run("SELECT value FROM secrets WHERE name = $1", std::span(params, 1));
    if (!found) return rsp::Unexpected{found.error()};
    const Bytes* value = found->rows.empty() ? nullptr : std::get_if<Bytes>(&found->rows[0].at(0));
    if (!value) return rsp::Unexpected{unreadable("secrets")};
    return *value;
  }

  StoreResult<bool> add_notification(const NotificationRecord& r) override {
    auto added = db_->run("INSERT INTO notifications (" + std::string(kNotificationColumns) +
                              ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (eid, sequence_number) DO NOTHING",
                          values_of(r));
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

  StoreResult<int64_t> remove_notifications_received_before(int64_t before) override {
    const Value params[] = {before};
    auto removed = db_->run("DELETE FROM notifications WHERE received < $1", params);
    if (!removed) return rsp::Unexpected{removed.error()};
    return removed->changed;
  }

  StoreResult<int64_t> enqueue_callback(const CallbackRecord& r) override {
    auto added = db_->run(
        "INSERT INTO callbacks (operator_id, url, body, attempts, next_attempt) VALUES ($1, $2, $3, $4, $5) "
        "RETURNING id",
        values_of(r));
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
  // A profile's values for an insert, its secrets sealed when the store has the profile key.
  std::vector<Value> profile_values(const ProfileRecord& record) const {
    auto values = values_of(record);
    if (profile_key_) seal_profile_values(*profile_key_, values);
    return values;
  }
  // A profile row read back, its secrets opened.
  std::function<StoreResult<ProfileRecord>(Row&)> read_profile() const {
    return [this](Row& row) -> StoreResult<ProfileRecord> {
      if (profile_key_)
        if (auto opened = open_profile_row(*profile_key_, row); !opened) return rsp::Unexpected{opened.error()};
      return profile_of(row);
    };
  }

  static StoreResult<rsp::Ok> done(StoreResult<Outcome> outcome) {
    if (!outcome) return rsp::Unexpected{outcome.error()};
    return rsp::Ok{};
  }

  // PostgreSQL plans from statistics that autovacuum refreshes only once 10% of a table changed,
  // up to a minute later. Without them, right after an import into an empty table, the planner
  // guessed one available profile behind profiles_by_type and sorted all of them for each
  // DownloadOrder (80 ms a pick at 100k). So an import that adds a tenth of the table or more, or
  // into a table never analysed (reltuples -1), analyses it. SQLite picks profiles_available
  // without statistics.
  StoreResult<rsp::Ok> refresh_statistics(int64_t added) {
    if (!postgresql_ || added == 0) return rsp::Ok{};
    auto estimate = db_->run("SELECT reltuples::text FROM pg_class WHERE oid = 'profiles'::regclass");
    if (!estimate) return rsp::Unexpected{estimate.error()};
    const std::string* text = estimate->rows.empty() ? nullptr : std::get_if<std::string>(&estimate->rows[0].at(0));
    const double rows = text ? std::strtod(text->c_str(), nullptr) : -1;
    if (rows >= 0 && static_cast<double>(added) * 10 < rows) return rsp::Ok{};
    return done(db_->run("ANALYZE profiles"));
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

  template <class Parse>
  StoreResult<std::optional<rsp::sql::ParsedRecord<Parse>>> select_one(const std::string& sql, std::string_view key,
                                                                       Parse convert) {
    const Value params[] = {std::string(key)};
    return first_row(db_->run(sql, params), convert);
  }

  std::unique_ptr<Database> db_;
  const bool postgresql_;
  const std::optional<SealingKey> profile_key_;  // none: values pass as stored
  const std::string profiles_by_key_ = kProfiles.select() + "WHERE iccid = $1";
  const std::string profiles_by_matching_id_ = kProfiles.select() + "WHERE matching_id = $1";
  // Bounded: an EID has a handful of orders at most; the oldest-expiring first.
  const std::string orders_for_eid_ =
      kProfiles.select() +
      "WHERE eid = $1 AND state IN ('allocated', 'linked', 'confirmed', 'released', 'downloaded') "
      "ORDER BY order_expires, iccid LIMIT 32";
  // The lowest ICCID first, so that racing orders meet on one row and the loser picks another.
  // Ordered by `iccid || ''` (the same order), which only the partial index profiles_available
  // provides: ordered by iccid, PostgreSQL's planner may walk the primary key instead and filter
  // past every profile taken so far, all of them at the low end (schema step 3).
  const std::string available_profile_ =
      kProfiles.select() +
      "WHERE operator_id = $1 AND profile_type = $2 AND state = 'available' ORDER BY iccid || '' LIMIT 1";
  // The profile package, its metadata and protection keys come with the order and never change
  // (erase_installed_profile_secrets() alone empties them): an update rewriting the package wrote it
  // whole (12 KB and more, overflow pages in SQLite) into the log three times per download, and
  // one writing a record read before the erase would bring the keys back.
  static constexpr std::array<std::string_view, 5> kProfileWrittenOnce{"package", "metadata", "ppk_enc", "ppk_mac",
                                                                       "ppk_initial_mcv"};
  const std::string profiles_update_ = kProfiles.versioned_update(kProfileWrittenOnce);
  // 500 rows of 17 values: under both backends' limits on parameters (SQLite 32766, PostgreSQL 65535).
  static constexpr size_t kBatch = 500;
  const std::string full_batch_insert_ = kProfiles.insert_rows(kBatch) + " RETURNING iccid";
  const std::string sessions_by_key_ = kSessions.select() + "WHERE transaction_id = $1";
  const std::string sessions_update_ = kSessions.versioned_update();
};

}  // namespace

std::unique_ptr<Store> make_sql_store(std::unique_ptr<Database> database, bool postgresql,
                                      const SealingKey* profile_key) {
  return std::make_unique<SqlStore>(std::move(database), postgresql, profile_key);
}

}  // namespace smdp::sql
