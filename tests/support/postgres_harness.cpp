#include "postgres_harness.hpp"

#include <libpq-fe.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

namespace rsp::test {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void skip(const std::string& reason) {
  std::printf("skipped: %s\n", reason.c_str());
  std::fflush(stdout);
  std::_Exit(77);
}

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

PostgresServer::PostgresServer() {
  const char* configured = std::getenv("RSP_POSTGRES_BIN");
  bin_ = configured ? configured : "/usr/lib/postgresql/15/bin";
  for (const char* tool : {"initdb", "pg_ctl", "postgres"})
    if (access((bin_ / tool).c_str(), X_OK) != 0)
      skip("PostgreSQL is not installed (" + (bin_ / tool).string() + "; Debian package postgresql)");

  std::string pattern = (fs::temp_directory_path() / "rsp-pg-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  if (geteuid() == 0) {
    const passwd* user = getpwnam("postgres");
    if (!user) user = getpwnam("nobody");
    if (!user) skip("running as root and neither a postgres nor a nobody user to run PostgreSQL as");
    if (chown(dir_.c_str(), user->pw_uid, user->pw_gid) != 0) throw std::runtime_error("chown of " + dir_.string());
    run_as_ = "setpriv --reuid=" + std::to_string(user->pw_uid) + " --regid=" + std::to_string(user->pw_gid) +
              " --clear-groups ";
  }
  run(quoted((bin_ / "initdb").string()) + " -D " + quoted((dir_ / "data").string()) +
          " -U postgres --auth=trust --no-sync -E UTF8 --locale=C > " + quoted((dir_ / "initdb.log").string()) +
          " 2>&1",
      "initdb");
  start();
}

PostgresServer::~PostgresServer() {
  try {
    if (running_)
      run(quoted((bin_ / "pg_ctl").string()) + " -D " + quoted((dir_ / "data").string()) +
              " -m immediate -w stop > /dev/null 2>&1",
          "pg_ctl stop");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
  }
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

void PostgresServer::run(const std::string& command, const std::string& what) const {
  // From inside the directory: the server's user may not enter the caller's working directory.
  const std::string line = "cd " + quoted(dir_.string()) + " && " + run_as_ + command;
  if (std::system(line.c_str()) != 0) {
    std::string log = read_text(dir_ / "initdb.log") + read_text(dir_ / "server.log");
    throw std::runtime_error(what + " failed:\n" + log);
  }
}

void PostgresServer::start() {
  // The server's output goes to server.log, never to our stdout: ctest waits for that pipe.
  run(quoted((bin_ / "pg_ctl").string()) + " -D " + quoted((dir_ / "data").string()) + " -l " +
          quoted((dir_ / "server.log").string()) + " -w -t 60 -o " +
          quoted("-k " + dir_.string() + " -c listen_addresses= -F") + " start > /dev/null",
      "pg_ctl start");
  running_ = true;
}

void PostgresServer::stop() {
  run(quoted((bin_ / "pg_ctl").string()) + " -D " + quoted((dir_ / "data").string()) + " -m fast -w stop > /dev/null",
      "pg_ctl stop");
  running_ = false;
}

std::string PostgresServer::url(std::string_view database) const {
  return "postgresql:///" + std::string(database) + "?host=" + dir_.string() + "&user=postgres";
}

std::string PostgresServer::create_database() {
  std::string name = "store" + std::to_string(++databases_);
  // FILE_COPY: quicker than WAL_LOG for an empty template.
  query(url("postgres"), "CREATE DATABASE " + name + " STRATEGY FILE_COPY");
  return url(name);
}

std::string PostgresServer::create_schema() {
  if (schemas_ == 0) query(url("postgres"), "CREATE DATABASE schemas");
  std::string name = "store" + std::to_string(++schemas_);
  query(url("schemas"), "CREATE SCHEMA " + name);
  return url("schemas") + "&options=-csearch_path%3D" + name;
}

std::vector<std::vector<std::string>> PostgresServer::query(const std::string& url, std::string_view sql) const {
  std::unique_ptr<PGconn, void (*)(PGconn*)> connection(PQconnectdb(url.c_str()), PQfinish);
  if (PQstatus(connection.get()) != CONNECTION_OK)
    throw std::runtime_error(std::string("connect: ") + PQerrorMessage(connection.get()));
  std::unique_ptr<PGresult, void (*)(PGresult*)> result(PQexec(connection.get(), std::string(sql).c_str()), PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error(std::string(sql) + ": " + PQerrorMessage(connection.get()));
  std::vector<std::vector<std::string>> rows;
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    auto& row = rows.emplace_back();
    for (int c = 0; c < PQnfields(result.get()); ++c) row.emplace_back(PQgetvalue(result.get(), r, c));
  }
  return rows;
}

PostgresServer& shared_postgres() {
  static PostgresServer server;
  return server;
}

}  // namespace rsp::test
