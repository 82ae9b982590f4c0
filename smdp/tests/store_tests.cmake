# The SM-DP+ store against SQLite and a throwaway PostgreSQL server (skipped where absent).
# Included from tests/CMakeLists.txt, so rsp_add_test is at hand; sources are given as absolute paths.
set(smdp_tests ${PROJECT_SOURCE_DIR}/smdp/tests)
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED)

# PostgresServer (tests/support) with the SM-DP+ tests' helpers, for the store tests and the two
# instances on one PostgreSQL.
add_library(smdp_postgres_harness INTERFACE)
target_include_directories(smdp_postgres_harness INTERFACE ${smdp_tests})
target_link_libraries(smdp_postgres_harness INTERFACE rsp_postgres_harness)

rsp_add_test(test_smdp_store
  SOURCES ${smdp_tests}/test_store.cpp ${smdp_tests}/test_store_races.cpp ${smdp_tests}/test_store_open.cpp
    ${smdp_tests}/test_store_group_commit.cpp ${smdp_tests}/test_store_bulk.cpp ${smdp_tests}/test_store_sealing.cpp
  LIBS smdp_store smdp_postgres_harness SQLite::SQLite3 SANITIZE TSAN)
