// open_store(): schemes, the SQLite file's mode, files that are not databases, servers that
// cannot be reached or go away.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "store_backends.hpp"

using namespace smdp;
using namespace smdp::test;

namespace {

mode_t mode_of(const std::string& path) {
  struct stat info {};
  REQUIRE(stat(path.c_str(), &info) == 0);
  return info.st_mode & 0777;
}

}  // namespace

TEST_CASE("open_store: an unknown scheme is refused without echoing the URL", "[store]") {
  auto store = open_store("mysql://smdp:secret@db/smdp");
  REQUIRE_FALSE(store);
  CHECK(store.error().kind == StoreErrorKind::failed);
  CHECK(store.error().message.find("mysql") != std::string::npos);
  CHECK(store.error().message.find("secret") == std::string::npos);
  CHECK_FALSE(open_store("sqlite:"));
}

TEST_CASE("sqlite: the file holds keys and is created 0600, with its WAL", "[store]") {
  const std::string url = SqliteBackend::fresh_url();
  auto store = open_or_fail(url);
  ProfileRecord p = make_profile("8900000000000000001");
  REQUIRE(store->add_profile(p));
  const std::string path = url.substr(7);
  CHECK(mode_of(path) == 0600);
  CHECK(mode_of(path + "-wal") == 0600);
  CHECK(SqliteBackend::count(url, "SELECT COUNT(*) FROM profiles") == 1);
}

TEST_CASE("sqlite: a file that is not a database, or a damaged one, is refused with a clear error", "[store]") {
  const std::string path = SqliteBackend::directory() / "not-a-database.db";
  {
    std::ofstream out(path);
    for (int i = 0; i < 200; ++i) out << "this is a text file, not an SQLite database\n";
  }
  auto store = open_store("sqlite:" + path);
  REQUIRE_FALSE(store);
  CHECK(store.error().kind == StoreErrorKind::unavailable);
  CHECK(store.error().message.find("not a database") != std::string::npos);

  // A real database whose first page (the schema) was overwritten.
  const std::string url = SqliteBackend::fresh_url();
  open_or_fail(url).reset();
  {
    std::fstream file(url.substr(7), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(100);
    file << std::string(2000, '\x5A');
  }
  auto corrupt = open_store(url);
  REQUIRE_FALSE(corrupt);
  CHECK(corrupt.error().kind == StoreErrorKind::unavailable);
  CHECK(corrupt.error().message.find("malformed") != std::string::npos);

  auto directory = open_store("sqlite:" + SqliteBackend::directory().string());
  REQUIRE_FALSE(directory);
  CHECK(directory.error().kind == StoreErrorKind::unavailable);
}

TEST_CASE("postgresql: an unreachable server is unavailable", "[store]") {
  auto store = open_store("postgresql:///smdp?host=/nonexistent-smdp-socket-dir&user=smdp&password=secret");
  REQUIRE_FALSE(store);
  CHECK(store.error().kind == StoreErrorKind::unavailable);
  CHECK(store.error().message.find("secret") == std::string::npos);
  auto alias = open_store("postgres:///smdp?host=/nonexistent-smdp-socket-dir");  // the other scheme libpq knows
  REQUIRE_FALSE(alias);
  CHECK(alias.error().kind == StoreErrorKind::unavailable);
}

TEST_CASE("postgresql: a stopped server is unavailable, a restarted one is reconnected to", "[store]") {
  PostgresServer& server = shared_postgres();
  const std::string url = server.create_database();
  auto store = open_or_fail(url);
  ProfileRecord p = make_profile("8900000000000000001");
  REQUIRE(store->add_profile(p));

  server.stop();
  auto down = store->profile(p.iccid);
  REQUIRE_FALSE(down);
  CHECK(down.error().kind == StoreErrorKind::unavailable);
  CHECK(down.error().message.find(p.iccid) == std::string::npos);
  server.start();

  // The pooled connection died with the server: the store reconnects once and goes on.
  auto back = store->profile(p.iccid);
  REQUIRE(back);
  CHECK(back.value()->iccid == p.iccid);
}
