#pragma once
// What the store needs of a database driver: run one statement with parameters, get its rows and
// how many rows it changed. Statements are written once, with PostgreSQL's $1..$N placeholders;
// the SQLite driver reads them as its ?1..?N.
#include <memory>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "smdp/store.hpp"

namespace smdp::sql {

// NULL, an integer, text or bytes: all the column types the schema uses.
using Value = std::variant<std::monostate, int64_t, std::string, Bytes>;
using Row = std::vector<Value>;

struct Outcome {
  std::vector<Row> rows;
  int64_t changed = 0;  // rows inserted, updated or deleted
};

// Drivers report a unique violation as StoreErrorKind::conflict (the store avoids them on
// primary keys with ON CONFLICT, so what is left is a unique value held by another row), a lost
// or unreachable server as unavailable, and anything else as failed.
class Database {
 public:
  virtual ~Database() = default;
  virtual StoreResult<Outcome> run(std::string_view sql, std::span<const Value> params = {}) = 0;
};

// Store over a database that serialises or pools its connections (safe from several threads).
std::unique_ptr<Store> make_sql_store(std::unique_ptr<Database> database);

// The drivers: open, configure, migrate, and hand back the store.
StoreResult<std::unique_ptr<Store>> open_sqlite_store(std::string_view path);
StoreResult<std::unique_ptr<Store>> open_postgres_store(std::string_view uri);

inline rsp::Unexpected<StoreError> store_error(StoreErrorKind kind, std::string message) {
  return {StoreError{kind, std::move(message)}};
}

}  // namespace smdp::sql
