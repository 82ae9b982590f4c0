#pragma once
// A server's state in SQL, behind one small driver interface: SQLite (one file, WAL; the embedded
// default) or PostgreSQL (several instances sharing one database). Statements are written once,
// with PostgreSQL's $1..$N placeholders; the SQLite driver reads them as its ?1..?N. The schema is
// a versioned list of steps that open_database() brings the database up to, in one transaction
// that keeps a second instance out until it is done. Shared by the SM-DP+ and the SM-DS.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"

namespace rsp::sql {

enum class ErrorKind {
  exists,       // an insert of a key that is already there
  conflict,     // a unique value is held by another row
  unavailable,  // the database cannot be reached or opened
  failed,       // anything else the database reported
};
struct Error {
  ErrorKind kind = ErrorKind::failed;
  std::string message;  // for logs; never contains row contents
};
template <class T>
using Result = Expected<T, Error>;
inline Unexpected<Error> error(ErrorKind kind, std::string message) { return {Error{kind, std::move(message)}}; }

// NULL, an integer, text or bytes: all the column types our schemas use.
using Value = std::variant<std::monostate, int64_t, std::string, Bytes>;
using Row = std::vector<Value>;

struct Outcome {
  std::vector<Row> rows;
  int64_t changed = 0;  // rows inserted, updated or deleted
};

// Drivers report a unique violation as ErrorKind::conflict, a lost or unreachable server as
// unavailable, and anything else as failed. Safe from several threads (the SQLite driver
// serialises, the PostgreSQL one pools connections).
class Database {
 public:
  virtual ~Database() = default;
  virtual Result<Outcome> run(std::string_view sql, std::span<const Value> params = {}) = 0;
  // Runs `work` in one transaction on one connection (the Database it is given): committed when
  // it returns a value, rolled back when it returns an error, which comes back. SQLite takes the
  // write lock at once (BEGIN IMMEDIATE) and keeps this process's other statements waiting until
  // the end; PostgreSQL takes a pooled connection of its own. Not for nesting.
  virtual Result<Ok> transaction(const std::function<Result<Ok>(Database& connection)>& work) = 0;
};

// One step of a schema. In its statements BYTES and SERIAL_KEY stand for the backend's byte type
// and auto-numbered BIGINT primary key; flags are BIGINT 0/1 in both. A released step never
// changes, a new one is appended.
struct SchemaStep {
  int64_t version;
  std::vector<std::string_view> statements;
};

// "sqlite:PATH" (the file created 0600 if absent, WAL mode) or "postgresql://..." (a libpq URI;
// `application` names the connections), brought up to `schema`. Errors never repeat the URL past
// its scheme (it may hold a password).
Result<std::unique_ptr<Database>> open_database(std::string_view url, const std::vector<SchemaStep>& schema,
                                                std::string_view application);

}  // namespace rsp::sql
