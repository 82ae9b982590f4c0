# The SM-DP+ store against SQLite and a throwaway PostgreSQL server (skipped where absent).
# Included from tests/CMakeLists.txt, so rsp_add_test is at hand; sources are given as absolute paths.
set(smdp_tests ${PROJECT_SOURCE_DIR}/smdp/tests)
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED)

# PostgresServer: a library so that other SM-DP+ tests (two instances on one PostgreSQL) use it too.
add_library(smdp_postgres_harness STATIC ${smdp_tests}/postgres_harness.cpp)
target_include_directories(smdp_postgres_harness PUBLIC ${smdp_tests})
target_link_libraries(smdp_postgres_harness PUBLIC PostgreSQL::PostgreSQL PRIVATE rsp_warnings)

rsp_add_test(test_smdp_store
  SOURCES ${smdp_tests}/test_store.cpp ${smdp_tests}/test_store_races.cpp ${smdp_tests}/test_store_open.cpp
  LIBS smdp_store smdp_postgres_harness SQLite::SQLite3 SANITIZE)
