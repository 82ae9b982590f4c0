#pragma once
// The throwaway PostgreSQL server of tests/support, under the SM-DP+ tests' names.
#include "support/postgres_harness.hpp"

namespace smdp::test {

using rsp::test::PostgresServer;
using rsp::test::shared_postgres;

}  // namespace smdp::test
