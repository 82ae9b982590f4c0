#pragma once
// A throwaway PostgreSQL server for the store tests of the SM-DP+ and the SM-DS (Debian package
// postgresql): initdb in a temporary directory, listening only on a unix socket there (no TCP
// port to clash with), fsync off, trust authentication, superuser `postgres`. As root it runs as
// the `postgres` system user (or `nobody`): the server refuses to run as root. Stopped and
// deleted when the object goes.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace rsp::test {

class PostgresServer {
 public:
  // Initialises and starts the server. When the binaries are absent ($RSP_POSTGRES_BIN or
  // /usr/lib/postgresql/15/bin) it prints why and exits with 77 (ctest: skipped).
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // A new empty database, and the libpq URI that reaches it.
  std::string create_database();
  // A new empty schema in one database of this server, and a URI whose search_path selects it:
  // a fresh place for a store in a millisecond (a new database takes a tenth of a second).
  std::string create_schema();
  std::string url(std::string_view database) const;
  // Rows of a statement run as superuser on the database `url` names (with its search_path),
  // every value as text ("" for NULL); throws on errors.
  std::vector<std::vector<std::string>> query(const std::string& url, std::string_view sql) const;

  // For tests of connection loss: a fast shutdown (clients are disconnected), and a start again.
  void stop();
  void start();

 private:
  void run(const std::string& command, const std::string& what) const;

  std::filesystem::path bin_;
  std::filesystem::path dir_;  // data/, the socket, the logs
  std::string run_as_;         // "setpriv ..." prefix when running as root
  int databases_ = 0;
  int schemas_ = 0;
  bool running_ = false;
};

// The one server of this test process: started at first use, stopped at exit.
PostgresServer& shared_postgres();

}  // namespace rsp::test
