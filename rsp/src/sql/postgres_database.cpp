// The PostgreSQL backend (libpq): a small pool of connections, each used by one thread at a time;
// a connection found broken is re-established once and the statement sent again.
#include <libpq-fe.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>

#include "drivers.hpp"
#include "rsp/sql/migrations.hpp"

namespace rsp::sql {
namespace {

struct Finish {
  void operator()(PGconn* connection) const { PQfinish(connection); }
};
struct Clear {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ConnectionHandle = std::unique_ptr<PGconn, Finish>;
using ResultHandle = std::unique_ptr<PGresult, Clear>;

// Type OIDs of the columns the schema has (pg_type.dat).
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23;

int64_t big_endian(const char* data, int length) {
  uint64_t v = 0;
  for (int i = 0; i < length; ++i) v = (v << 8) | static_cast<uint8_t>(data[i]);
  // Sign-extend the shorter integer types.
  if (length < 8 && length > 0 && (static_cast<uint8_t>(data[0]) & 0x80)) v |= ~uint64_t{0} << (8 * length);
  return static_cast<int64_t>(v);
}

// Results come in binary form: integers big-endian, bytea and text as they are.
Value value_at(const PGresult* result, int row, int column) {
  if (PQgetisnull(result, row, column)) return std::monostate{};
  const char* data = PQgetvalue(result, row, column);
  const int length = PQgetlength(result, row, column);
  switch (PQftype(result, column)) {
    case kBool:
    case kInt2:
    case kInt4:
    case kInt8: return big_endian(data, length);
    case kBytea: return Bytes(data, data + length);
    default: return std::string(data, static_cast<size_t>(length));
  }
}

// libpq's messages run on with hints; the first line says what happened.
std::string first_line(std::string_view text) { return std::string(text.substr(0, text.find('\n'))); }

bool connection_lost(const char* sqlstate) {
  const std::string_view code = sqlstate ? sqlstate : "";
  // 08: connection exception; 57P0x: the server shutting down or starting; 53: out of resources.
  return code.empty() || code.starts_with("08") || code.starts_with("57P") || code.starts_with("53");
}

class PgConnection final : public Database {
 public:
  explicit PgConnection(ConnectionHandle connection) : connection_(std::move(connection)) {}

  bool broken() const { return PQstatus(connection_.get()) != CONNECTION_OK; }
  bool idle() const { return PQtransactionStatus(connection_.get()) == PQTRANS_IDLE; }
  bool reconnect() {
    PQreset(connection_.get());
    return !broken();
  }

  Result<Outcome> run(std::string_view sql, std::span<const Value> params) override {
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    std::vector<int> lengths(params.size(), 0), formats(params.size(), 0);
    for (size_t i = 0; i < params.size(); ++i) {
      if (auto* n = std::get_if<int64_t>(&params[i])) {
        texts[i] = std::to_string(*n);
        values[i] = texts[i].c_str();
      } else if (auto* t = std::get_if<std::string>(&params[i])) {
        values[i] = t->c_str();
      } else if (auto* b = std::get_if<Bytes>(&params[i])) {
        values[i] = b->empty() ? "" : reinterpret_cast<const char*>(b->data());  // non-null: not NULL
        lengths[i] = static_cast<int>(b->size());
        formats[i] = 1;
      }
    }
    const std::string statement(sql);
    ResultHandle result(PQexecParams(connection_.get(), statement.c_str(), static_cast<int>(params.size()), nullptr,
                                     values.data(), lengths.data(), formats.data(), 1));
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return error_of(result.get());
    Outcome out;
    for (int r = 0, rows = PQntuples(result.get()); r < rows; ++r) {
      Row& row = out.rows.emplace_back();
      for (int c = 0, columns = PQnfields(result.get()); c < columns; ++c) row.push_back(value_at(result.get(), r, c));
    }
    const std::string_view command = PQcmdStatus(result.get());
    if (command.starts_with("INSERT") || command.starts_with("UPDATE") || command.starts_with("DELETE"))
      out.changed = std::strtoll(PQcmdTuples(result.get()), nullptr, 10);
    return out;
  }

  Result<Ok> transaction(const std::function<Result<Ok>(Database&)>& work) override {
    if (auto begun = run("BEGIN", {}); !begun) return Unexpected{begun.error()};
    auto done = work(*this);
    auto ended = run(done ? "COMMIT" : "ROLLBACK", {});
    if (done && !ended) return Unexpected{ended.error()};
    return done;
  }

 private:
  // Only the primary message and the SQLSTATE: DETAIL lines can quote the row.
  Unexpected<Error> error_of(const PGresult* result) const {
    const char* sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const std::string_view code = sqlstate ? sqlstate : "";
    if (broken() || connection_lost(sqlstate))
      return error(ErrorKind::unavailable, "postgresql: " + first_line(PQerrorMessage(connection_.get())));
    // Data exceptions (22) quote the value that did not fit.
    std::string message = code.starts_with("22") || !primary ? "statement failed" : primary;
    return error(code == "23505" ? ErrorKind::conflict : ErrorKind::failed,
                 "postgresql: " + message + " (SQLSTATE " + std::string(code) + ")");
  }

  ConnectionHandle connection_;
};

void ignore_notice(void*, const char*) {}  // e.g. "relation ... already exists, skipping"

Result<std::unique_ptr<PgConnection>> connect(const std::string& uri, const std::string& application) {
  // Defaults first: the URI's own settings (expanded from dbname) override them.
  const char* keywords[] = {"connect_timeout", "fallback_application_name", "client_encoding", "dbname", nullptr};
  const char* values[] = {"10", application.c_str(), "UTF8", uri.c_str(), nullptr};
  ConnectionHandle connection(PQconnectdbParams(keywords, values, 1));
  if (!connection) return error(ErrorKind::unavailable, "postgresql: out of memory");
  if (PQstatus(connection.get()) != CONNECTION_OK)
    return error(ErrorKind::unavailable, "postgresql: " + first_line(PQerrorMessage(connection.get())));
  PQsetNoticeProcessor(connection.get(), ignore_notice, nullptr);
  return std::make_unique<PgConnection>(std::move(connection));
}

// Hands each statement to an idle connection, opening one while fewer than kMaxConnections are.
class PgPool final : public Database {
 public:
  static constexpr size_t kMaxConnections = 8;

  PgPool(std::string uri, std::string application, std::unique_ptr<PgConnection> first)
      : uri_(std::move(uri)), application_(std::move(application)) {
    idle_.push_back(std::move(first));
    open_ = 1;
  }

  Result<Outcome> run(std::string_view sql, std::span<const Value> params) override {
    auto taken = acquire();
    if (!taken) return Unexpected{taken.error()};
    std::unique_ptr<PgConnection> connection = std::move(*taken);
    auto result = connection->run(sql, params);
    // Once: a server restart breaks every pooled connection, and the first use finds out. A write
    // whose reply was lost comes back as "changed nothing" (its own version bump is in the way): a
    // refusal the caller re-reads after, never a second write.
    if (!result && connection->broken() && connection->reconnect()) result = connection->run(sql, params);
    release(std::move(connection));
    return result;
  }

  // A connection of its own for the transaction; back to the pool only once it is idle again.
  Result<Ok> transaction(const std::function<Result<Ok>(Database&)>& work) override {
    auto taken = acquire();
    if (!taken) return Unexpected{taken.error()};
    std::unique_ptr<PgConnection> connection = std::move(*taken);
    auto result = connection->transaction(work);
    release(std::move(connection));
    return result;
  }

 private:
  Result<std::unique_ptr<PgConnection>> acquire() {
    std::unique_lock lock(mutex_);
    freed_.wait(lock, [&] { return !idle_.empty() || open_ < kMaxConnections; });
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++open_;
    lock.unlock();
    auto connection = connect(uri_, application_);
    if (!connection) release(nullptr);
    return connection;
  }

  // Back to the pool if it is healthy and outside any transaction; closed otherwise.
  void release(std::unique_ptr<PgConnection> connection) {
    std::lock_guard lock(mutex_);
    if (connection && !connection->broken() && connection->idle())
      idle_.push_back(std::move(connection));
    else
      --open_;
    freed_.notify_one();
  }

  std::string uri_;
  std::string application_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  size_t open_ = 0;  // idle and in use
};

}  // namespace

Result<std::unique_ptr<Database>> open_postgres_database(std::string_view uri_text,
                                                         const std::vector<SchemaStep>& schema,
                                                         std::string_view application_text) {
  std::string uri(uri_text), application(application_text);
  auto first = connect(uri, application);
  if (!first) return Unexpected{first.error()};
  if (auto migrated = migrate(**first, postgres_dialect, schema); !migrated) return Unexpected{migrated.error()};
  return std::unique_ptr<Database>(std::make_unique<PgPool>(std::move(uri), std::move(application), std::move(*first)));
}

}  // namespace rsp::sql
