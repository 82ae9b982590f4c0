#include "rsp/sql/migrations.hpp"

#include <ctime>
#include <utility>

namespace rsp::sql {

// SQLite: BEGIN IMMEDIATE takes the write lock at once, so a second process waits (busy timeout)
// and then sees the steps as done. PostgreSQL: the advisory lock is released by COMMIT/ROLLBACK.
const Dialect sqlite_dialect{"sqlite", "BEGIN IMMEDIATE", "", "BLOB", "INTEGER PRIMARY KEY AUTOINCREMENT"};
const Dialect postgres_dialect{"postgresql", "BEGIN", "SELECT pg_advisory_xact_lock(7369806425390219264)", "BYTEA",
                               "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"};

namespace {

void replace_all(std::string& text, std::string_view word, std::string_view by) {
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + by.size()))
    text.replace(at, word.size(), by);
}

Result<Ok> apply_missing(Database& db, const Dialect& dialect, const std::vector<SchemaStep>& schema) {
  if (!dialect.lock.empty())
    if (auto locked = db.run(dialect.lock); !locked) return Unexpected{locked.error()};
  auto created =
      db.run("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, applied BIGINT NOT NULL)");
  if (!created) return Unexpected{created.error()};
  auto current = db.run("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!current) return Unexpected{current.error()};
  const int64_t* have = current->rows.empty() ? nullptr : std::get_if<int64_t>(&current->rows[0][0]);
  if (!have) return error(ErrorKind::failed, "schema_version: unreadable");
  for (const Migration& step : migrations(dialect, schema)) {
    if (step.version <= *have) continue;
    for (const std::string& statement : step.statements)
      if (auto done = db.run(statement); !done)
        return error(done.error().kind, "schema step " + std::to_string(step.version) + ": " + done.error().message);
    const Value params[] = {step.version, static_cast<int64_t>(std::time(nullptr))};
    if (auto noted = db.run("INSERT INTO schema_version (version, applied) VALUES ($1, $2)", params); !noted)
      return Unexpected{noted.error()};
  }
  return Ok{};
}

}  // namespace

std::vector<Migration> migrations(const Dialect& dialect, const std::vector<SchemaStep>& schema) {
  std::vector<Migration> out;
  for (const auto& [version, statements] : schema) {
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

Result<Ok> migrate(Database& db, const Dialect& dialect, const std::vector<SchemaStep>& schema) {
  if (auto begun = db.run(dialect.begin); !begun) return Unexpected{begun.error()};
  auto applied = apply_missing(db, dialect, schema);
  // A failed step leaves the schema as it was: nothing of the transaction stays.
  if (auto ended = db.run(applied ? "COMMIT" : "ROLLBACK"); !ended && applied) return Unexpected{ended.error()};
  return applied;
}

}  // namespace rsp::sql
