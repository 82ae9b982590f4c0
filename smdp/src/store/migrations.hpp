#pragma once
// The schema as a versioned list of steps, and the code that brings a database up to date.
#include <string>
#include <string_view>
#include <vector>

#include "store/sql.hpp"

namespace smdp::sql {

// Where the two backends' SQL differs.
struct Dialect {
  std::string_view name;        // for messages
  std::string_view begin;       // starts the migration transaction
  std::string_view lock;        // run first in it: keeps a second instance out until commit
  std::string_view bytes_type;  // BLOB | BYTEA
  std::string_view serial_key;  // an auto-numbered BIGINT primary key
};
extern const Dialect sqlite_dialect;
extern const Dialect postgres_dialect;

struct Migration {
  int64_t version;
  std::vector<std::string> statements;
};
// Every step in order; a released step never changes, a new one is appended.
std::vector<Migration> migrations(const Dialect& dialect);

// Runs the steps the schema_version table does not list yet, in one transaction. `connection`
// must be a single connection (the transaction spans several run() calls).
StoreResult<rsp::Ok> migrate(Database& connection, const Dialect& dialect);

}  // namespace smdp::sql
