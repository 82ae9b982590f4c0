# ES9+ protocol tests: the SM-DP+'s functions against a software eUICC (included from tests/CMakeLists.txt).
rsp_add_test(test_smdp_es9 SOURCES ${PROJECT_SOURCE_DIR}/smdp/tests/test_es9plus.cpp
  ${PROJECT_SOURCE_DIR}/smdp/tests/test_es9plus_asn1.cpp
  ${PROJECT_SOURCE_DIR}/smdp/tests/test_es9plus_default_smdp.cpp LIBS smdp_es9 euicc_sim SANITIZE)
target_include_directories(test_smdp_es9 PRIVATE ${PROJECT_SOURCE_DIR}/smdp/tests)
# The kit's recorded osmo-smdpp sessions through the SM-DP+'s own ES9+ code (skipped without the kit).
target_sources(test_smdp_es9 PRIVATE ${PROJECT_SOURCE_DIR}/smdp/tests/test_es9plus_recorded.cpp)
# Hostile input: mutated messages through every ES9+ function and both bindings.
target_sources(test_smdp_es9 PRIVATE ${PROJECT_SOURCE_DIR}/smdp/tests/test_es9plus_hostile.cpp)
# Sessions without unauthenticated state (issue 13, finding 3): initiateAuthentication floods against
# both store backends (PostgreSQL skipped where absent), forged and replayed transactionIds.
target_sources(test_smdp_es9 PRIVATE ${PROJECT_SOURCE_DIR}/smdp/tests/test_es9plus_sessions.cpp)
target_link_libraries(test_smdp_es9 PRIVATE smdp_postgres_harness SQLite::SQLite3)
