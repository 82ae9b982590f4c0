#pragma once
// Bringing a database up to a schema (rsp/sql/database.hpp): the steps the schema_version table
// does not list yet, in one transaction.
#include <string>
#include <string_view>
#include <vector>

#include "rsp/sql/database.hpp"

namespace rsp::sql {

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
// `schema`'s steps in `dialect`'s words.
std::vector<Migration> migrations(const Dialect& dialect, const std::vector<SchemaStep>& schema);

// Runs the steps not applied yet. `connection` must be a single connection (the transaction spans
// several run() calls).
Result<Ok> migrate(Database& connection, const Dialect& dialect, const std::vector<SchemaStep>& schema);

}  // namespace rsp::sql
