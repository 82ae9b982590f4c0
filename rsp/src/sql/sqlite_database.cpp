// The SQLite backend: one connection, WAL mode, guarded by a mutex. Our servers' statements are
// short; serialising them keeps the driver simple, and WAL still lets other processes read.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "drivers.hpp"
#include "rsp/sql/migrations.hpp"
#include "sqlite_group_commit.hpp"

namespace rsp::sql {
namespace {

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct FinalizeStatement {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using DatabaseHandle = std::unique_ptr<sqlite3, CloseDatabase>;
using StatementHandle = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

// Resets a statement when a run ends, so that no finished SELECT keeps a read snapshot open.
struct ResetAfterUse {
  sqlite3_stmt* statement;
  ~ResetAfterUse() {
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
  }
};

ErrorKind kind_of(int code) {
  switch (code & 0xFF) {
    case SQLITE_CONSTRAINT:
      return code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY ? ErrorKind::conflict
                                                                                      : ErrorKind::failed;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY: return ErrorKind::unavailable;
    default: return ErrorKind::failed;
  }
}

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(DatabaseHandle db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}

  // The statement runs (and commits) under the connection's mutex; its sync, and that of any other
  // thread's commit it may have read, is awaited after the mutex is let go (group commit).
  Result<Outcome> run(std::string_view sql, std::span<const Value> params) override {
    std::shared_ptr<WalSync> wal;
    uint64_t seen = 0;
    auto outcome = [&] {
      std::lock_guard lock(mutex_);
      auto ran = run_locked(sql, params);
      if ((wal = wal_sync_of(db_.get()))) seen = wal->commits();
      return ran;
    }();
    await_durable(wal, seen);
    return outcome;
  }

  Result<Ok> transaction(const std::function<Result<Ok>(Database&)>& work) override {
    std::shared_ptr<WalSync> wal;
    uint64_t seen = 0;
    auto result = [&]() -> Result<Ok> {
      std::lock_guard lock(mutex_);
      if (auto begun = run_locked("BEGIN IMMEDIATE", {}); !begun) return Unexpected{begun.error()};
      Locked connection(*this);
      auto done = work(connection);
      auto ended = run_locked(done ? "COMMIT" : "ROLLBACK", {});
      if (done && !ended) {
        run_locked("ROLLBACK", {});
        return Unexpected{ended.error()};
      }
      if ((wal = wal_sync_of(db_.get()))) seen = wal->commits();
      return done;
    }();
    await_durable(wal, seen);
    return result;
  }

 private:
  // The connection inside a transaction, whose mutex the transaction holds.
  class Locked final : public Database {
   public:
    explicit Locked(SqliteDatabase& owner) : owner_(owner) {}
    Result<Outcome> run(std::string_view sql, std::span<const Value> params) override {
      return owner_.run_locked(sql, params);
    }
    Result<Ok> transaction(const std::function<Result<Ok>(Database&)>&) override {
      return error(ErrorKind::failed, "sqlite: a transaction inside a transaction");
    }

   private:
    SqliteDatabase& owner_;
  };

  Result<Outcome> run_locked(std::string_view sql, std::span<const Value> params) {
    auto prepared = statement(sql);
    if (!prepared) return rsp::Unexpected{prepared.error()};
    sqlite3_stmt* s = *prepared;
    ResetAfterUse reset{s};
    for (size_t i = 0; i < params.size(); ++i)
      if (int rc = bind(s, static_cast<int>(i + 1), params[i]); rc != SQLITE_OK) return error_of(rc);
    const sqlite3_int64 changes_before = sqlite3_total_changes64(db_.get());
    Outcome out;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) out.rows.push_back(row(s));
    if (rc != SQLITE_DONE) return error_of(rc);
    out.changed = sqlite3_total_changes64(db_.get()) - changes_before;
    return out;
  }

  // Prepared once per statement text; the store uses a fixed set of them.
  Result<sqlite3_stmt*> statement(std::string_view sql) {
    std::string text(sql);
    if (auto cached = cache_.find(text); cached != cache_.end()) return cached->second.get();
    std::string native = text;
    for (char& c : native)
      if (c == '$') c = '?';  // $N (PostgreSQL) is ?N here; no statement has '$' elsewhere
    sqlite3_stmt* raw = nullptr;
    if (int rc = sqlite3_prepare_v2(db_.get(), native.c_str(), static_cast<int>(native.size()), &raw, nullptr);
        rc != SQLITE_OK)
      return error_of(rc);
    return cache_.emplace(std::move(text), StatementHandle(raw)).first->second.get();
  }

  static int bind(sqlite3_stmt* s, int index, const Value& value) {
    if (auto* i = std::get_if<int64_t>(&value)) return sqlite3_bind_int64(s, index, *i);
    if (auto* t = std::get_if<std::string>(&value))
      return sqlite3_bind_text64(s, index, t->data(), t->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (auto* b = std::get_if<Bytes>(&value))  // an empty blob through bind_blob would be NULL
      return b->empty() ? sqlite3_bind_zeroblob(s, index, 0)
                        : sqlite3_bind_blob64(s, index, b->data(), b->size(), SQLITE_TRANSIENT);
    return sqlite3_bind_null(s, index);
  }

  static Row row(sqlite3_stmt* s) {
    Row out;
    for (int i = 0, n = sqlite3_column_count(s); i < n; ++i) {
      switch (sqlite3_column_type(s, i)) {
        case SQLITE_INTEGER: out.emplace_back(static_cast<int64_t>(sqlite3_column_int64(s, i))); break;
        case SQLITE_TEXT: {
          auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
          out.emplace_back(std::string(text, static_cast<size_t>(sqlite3_column_bytes(s, i))));
          break;
        }
        case SQLITE_BLOB: {
          auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(s, i));
          out.emplace_back(Bytes(data, data + sqlite3_column_bytes(s, i)));
          break;
        }
        default: out.emplace_back(std::monostate{});  // NULL (the schema has no REAL)
      }
    }
    return out;
  }

  // `rc` is an extended code (extended_result_codes is on).
  Unexpected<Error> error_of(int rc) const {
    return error(kind_of(rc), "sqlite:" + path_ + ": " + sqlite3_errmsg(db_.get()));
  }

  std::mutex mutex_;
  DatabaseHandle db_;
  std::string path_;
  std::unordered_map<std::string, StatementHandle> cache_;
};

// The file may hold secrets (the SM-DP+'s profile keys): create it 0600 (SQLite would use 0644 less the umask). Its
// -wal and -shm files take the database file's mode.
Result<Ok> create_private(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return error(ErrorKind::unavailable, "sqlite:" + path + ": " + std::strerror(errno));
  ::close(fd);
  return Ok{};
}

}  // namespace

Result<std::unique_ptr<Database>> open_sqlite_database(std::string_view path_text,
                                                       const std::vector<SchemaStep>& schema) {
  std::string path(path_text);
  if (path.empty()) return error(ErrorKind::unavailable, "sqlite: no file name (sqlite:PATH)");
  if (auto created = create_private(path); !created) return Unexpected{created.error()};
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, group_commit_vfs());
  DatabaseHandle handle(raw);
  if (rc != SQLITE_OK)
    return error(ErrorKind::unavailable, "sqlite:" + path + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 5000);  // another process (another instance on the same file) writing

  auto db = std::make_unique<SqliteDatabase>(std::move(handle), path);
  // The first statement reads the file: a file that is not a database fails here.
  auto journal = db->run("PRAGMA journal_mode = WAL", {});
  // Instances opening one new file at once: the switch to WAL needs the file to itself, and SQLite
  // answers SQLITE_BUSY there at once instead of calling the busy handler. Try again, 5 s at most.
  for (int waited_ms = 0; !journal && sqlite3_errcode(raw) == SQLITE_BUSY && waited_ms < 5000; waited_ms += 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    journal = db->run("PRAGMA journal_mode = WAL", {});
  }
  if (!journal) return Unexpected{journal.error()};
  auto* mode = journal->rows.empty() ? nullptr : std::get_if<std::string>(&journal->rows[0][0]);
  if (!mode || *mode != "wal") return error(ErrorKind::unavailable, "sqlite:" + path + ": WAL mode refused");
  if (auto keys = db->run("PRAGMA foreign_keys = ON", {}); !keys) return Unexpected{keys.error()};
  // Every commit synced before it is answered (FULL), the syncs where write order matters told
  // apart from commits' (checkpoint_fullfsync): see sqlite_group_commit.hpp.
  for (const char* pragma : {"PRAGMA synchronous = FULL", "PRAGMA checkpoint_fullfsync = ON"})
    if (auto set = db->run(pragma, {}); !set) return Unexpected{set.error()};
  if (auto migrated = migrate(*db, sqlite_dialect, schema); !migrated) return Unexpected{migrated.error()};
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace rsp::sql
