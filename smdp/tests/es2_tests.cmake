# ES2+ (operator side) against the SQLite store: order life cycle, refusals, operator isolation,
# concurrency, HandleDownloadProgressInfo and the callback sender (included from tests/CMakeLists.txt).
set(smdp_es2_tests ${PROJECT_SOURCE_DIR}/smdp/tests)
rsp_add_test(test_smdp_es2
  SOURCES ${smdp_es2_tests}/test_es2plus.cpp ${smdp_es2_tests}/test_es2_isolation.cpp ${smdp_es2_tests}/test_es2_callbacks.cpp
  LIBS smdp_es2 SANITIZE TSAN)
target_include_directories(test_smdp_es2 PRIVATE ${smdp_es2_tests})
# The callbacks over HTTPS on loopback, with rsp_http's test PKIs.
rsp_add_test(test_smdp_es2_https SOURCES ${smdp_es2_tests}/test_es2_callback_https.cpp LIBS smdp_callback_https SANITIZE)
target_include_directories(test_smdp_es2_https PRIVATE ${smdp_es2_tests})
# ConfirmOrder/CancelOrder with an SM-DS: the RegisterEvent hook and DeleteEvent in the outbox.
target_sources(test_smdp_es2 PRIVATE ${smdp_es2_tests}/test_es2_smds_events.cpp)
# Hostile input: random and mutated ES2+ bodies through dispatch.
target_sources(test_smdp_es2 PRIVATE ${smdp_es2_tests}/test_es2plus_hostile.cpp)
