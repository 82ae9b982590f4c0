#pragma once
// The two databases a store over rsp/sql runs on, for TEMPLATE_TEST_CASE: a new SQLite file in this
// process's temporary directory, or a new schema on the throwaway PostgreSQL (tests skip, 77, where
// there is none).
#include <atomic>
#include <string>

#include "support/kit.hpp"
#include "support/postgres_harness.hpp"

namespace rsp::test {

struct SqliteBackend {
  static std::string fresh_url() {
    static TempDir dir;
    static std::atomic<int> count{0};
    return "sqlite:" + (dir.path() / ("store" + std::to_string(++count) + ".db")).string();
  }
};
struct PostgresBackend {
  static std::string fresh_url() { return shared_postgres().create_schema(); }
};

}  // namespace rsp::test
