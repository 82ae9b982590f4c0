#pragma once
// The two store backends as Catch2 template parameters, and records to store: each backend
// gives a fresh empty location (fresh_url) and a way to count rows behind the store's back.
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "postgres_harness.hpp"
#include "smdp/store.hpp"

namespace smdp::test {

struct SqliteBackend {
  // This process's files, removed at exit.
  struct Directory {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("smdp-store-" + std::to_string(getpid()));
    Directory() { std::filesystem::create_directories(path); }
    ~Directory() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const std::filesystem::path& directory() {
    static const Directory dir;
    return dir.path;
  }
  static std::string fresh_url() {
    static std::atomic<int> count{0};
    return "sqlite:" + (directory() / ("store" + std::to_string(++count) + ".db")).string();
  }
  // The single integer a statement returns.
  static int64_t count(const std::string& url, const std::string& sql) {
    sqlite3* db = nullptr;
    std::unique_ptr<sqlite3, int (*)(sqlite3*)> owner(nullptr, sqlite3_close);
    if (sqlite3_open_v2(url.substr(7).c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      throw std::runtime_error("cannot open " + url);
    owner.reset(db);
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db));
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> finalize(statement, sqlite3_finalize);
    if (sqlite3_step(statement) != SQLITE_ROW) throw std::runtime_error(sqlite3_errmsg(db));
    return sqlite3_column_int64(statement, 0);
  }
};

struct PostgresBackend {
  static std::string fresh_url() { return shared_postgres().create_schema(); }
  static int64_t count(const std::string& url, const std::string& sql) {
    return std::stoll(shared_postgres().query(url, sql).at(0).at(0));
  }
};

inline std::unique_ptr<Store> open_or_fail(const std::string& url) {
  auto store = open_store(url);
  if (!store) throw std::runtime_error("open_store: " + store.error().message);
  return std::move(*store);
}

inline ProfileRecord make_profile(const std::string& iccid, const std::string& operator_id = "operator-a",
                                  const std::string& type = "iot-basic") {
  ProfileRecord p;
  p.iccid = iccid;
  p.operator_id = operator_id;
  p.profile_type = type;
  p.package = {0xA0, 0x00, 0x30, 0x00, 0xFF};  // zero bytes inside: stored as bytes, not text
  p.metadata = {0xBF, 0x25, 0x00};
  p.ppk_enc = {};
  return p;
}

inline SessionRecord make_session(const std::string& transaction_id, int64_t expires) {
  SessionRecord s;
  s.transaction_id = transaction_id;
  s.smdp_address = "smdp.example.com";
  s.euicc_challenge = Bytes(16, 0x11);
  s.server_challenge = Bytes(16, 0x22);
  s.ci_pkid = Bytes(20, 0x00);
  s.euicc_ci_pkid = Bytes(20, 0x01);
  s.euicc_certificate = Bytes(500, 0x30);
  s.created = expires - 600;
  s.expires = expires;
  return s;
}

}  // namespace smdp::test
