#include "store/migrations.hpp"

#include <ctime>
#include <utility>

namespace smdp::sql {

// SQLite: BEGIN IMMEDIATE takes the write lock at once, so a second process waits (busy timeout)
// and then sees the steps as done. PostgreSQL: the advisory lock is released by COMMIT/ROLLBACK.
const Dialect sqlite_dialect{"sqlite", "BEGIN IMMEDIATE", "", "BLOB", "INTEGER PRIMARY KEY AUTOINCREMENT"};
const Dialect postgres_dialect{"postgresql", "BEGIN", "SELECT pg_advisory_xact_lock(7369806425390219264)", "BYTEA",
                               "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"};

namespace {

// The steps, written once for both backends: BYTES and SERIAL_KEY stand for the dialect's types.
// Flags are BIGINT 0/1 in both, so that one row reader serves both.
const std::vector<std::pair<int64_t, std::vector<std::string_view>>> kSteps{
    {1,
     {R"(CREATE TABLE profiles (
          iccid TEXT PRIMARY KEY, operator_id TEXT NOT NULL, profile_type TEXT NOT NULL, state TEXT NOT NULL,
          package BYTES NOT NULL, metadata BYTES NOT NULL,
          ppk_enc BYTES NOT NULL, ppk_mac BYTES NOT NULL, ppk_initial_mcv BYTES NOT NULL,
          eid TEXT, matching_id TEXT UNIQUE, confirmation_code_hash BYTES NOT NULL,
          confirmation_attempts_left BIGINT NOT NULL, released BIGINT NOT NULL, order_expires BIGINT NOT NULL,
          smds_address TEXT, transaction_id TEXT, version BIGINT NOT NULL))",
      "CREATE INDEX profiles_by_type ON profiles (operator_id, profile_type, state)",
      R"(CREATE TABLE sessions (
          transaction_id TEXT PRIMARY KEY, state TEXT NOT NULL, smdp_address TEXT NOT NULL,
          euicc_challenge BYTES NOT NULL, server_challenge BYTES NOT NULL, ci_pkid BYTES NOT NULL,
          eid TEXT NOT NULL, iccid TEXT NOT NULL, cc_required BIGINT NOT NULL, euicc_certificate BYTES NOT NULL,
          smdp_signature2 BYTES NOT NULL, euicc_otpk BYTES NOT NULL, bound_profile_package BYTES NOT NULL,
          created BIGINT NOT NULL, expires BIGINT NOT NULL, version BIGINT NOT NULL))",
      "CREATE INDEX sessions_by_expiry ON sessions (expires)",
      R"(CREATE TABLE notifications (
          eid TEXT NOT NULL, sequence_number BIGINT NOT NULL, event TEXT NOT NULL, iccid TEXT NOT NULL,
          transaction_id TEXT NOT NULL, success BIGINT NOT NULL, pending_notification BYTES NOT NULL,
          received BIGINT NOT NULL, PRIMARY KEY (eid, sequence_number)))",
      "CREATE INDEX notifications_by_iccid ON notifications (iccid)",
      R"(CREATE TABLE callbacks (
          id SERIAL_KEY, operator_id TEXT NOT NULL, url TEXT NOT NULL, body TEXT NOT NULL,
          attempts BIGINT NOT NULL, next_attempt BIGINT NOT NULL))",
      "CREATE INDEX callbacks_by_due ON callbacks (next_attempt, id)"}},
};

void replace_all(std::string& text, std::string_view word, std::string_view by) {
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + by.size()))
    text.replace(at, word.size(), by);
}

StoreResult<rsp::Ok> apply_missing(Database& db, const Dialect& dialect) {
  if (!dialect.lock.empty())
    if (auto locked = db.run(dialect.lock); !locked) return rsp::Unexpected{locked.error()};
  auto created =
      db.run("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, applied BIGINT NOT NULL)");
  if (!created) return rsp::Unexpected{created.error()};
  auto current = db.run("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!current) return rsp::Unexpected{current.error()};
  const int64_t* have = current->rows.empty() ? nullptr : std::get_if<int64_t>(&current->rows[0][0]);
  if (!have) return store_error(StoreErrorKind::failed, "schema_version: unreadable");
  for (const Migration& step : migrations(dialect)) {
    if (step.version <= *have) continue;
    for (const std::string& statement : step.statements)
      if (auto done = db.run(statement); !done)
        return store_error(done.error().kind,
                           "schema step " + std::to_string(step.version) + ": " + done.error().message);
    const Value params[] = {step.version, static_cast<int64_t>(std::time(nullptr))};
    if (auto noted = db.run("INSERT INTO schema_version (version, applied) VALUES ($1, $2)", params); !noted)
      return rsp::Unexpected{noted.error()};
  }
  return rsp::Ok{};
}

}  // namespace

std::vector<Migration> migrations(const Dialect& dialect) {
  std::vector<Migration> out;
  for (const auto& [version, statements] : kSteps) {
    Migration& step = out.emplace_back(Migration{version, {}});
    for (std::string_view statement : statements) {
      std::string text(statement);
      replace_all(text, "SERIAL_KEY", dialect.serial_key);
      replace_all(text, "BYTES", dialect.bytes_type);
      step.statements.push_back(std::move(text));
    }
  }
  return out;
}

StoreResult<rsp::Ok> migrate(Database& db, const Dialect& dialect) {
  if (auto begun = db.run(dialect.begin); !begun) return rsp::Unexpected{begun.error()};
  auto applied = apply_missing(db, dialect);
  // A failed step leaves the schema as it was: nothing of the transaction stays.
  if (auto ended = db.run(applied ? "COMMIT" : "ROLLBACK"); !ended && applied) return rsp::Unexpected{ended.error()};
  return applied;
}

}  // namespace smdp::sql
