# ES2+ (operator side) against the SQLite store: order life cycle, refusals, operator isolation,
# concurrency, HandleDownloadProgressInfo and the callback sender (included from tests/CMakeLists.txt).
set(smdp_es2_tests ${PROJECT_SOURCE_DIR}/smdp/tests)
rsp_add_test(test_smdp_es2
  SOURCES ${smdp_es2_tests}/test_es2plus.cpp ${smdp_es2_tests}/test_es2_isolation.cpp ${smdp_es2_tests}/test_es2_callbacks.cpp
  LIBS smdp_es2 SANITIZE)
target_include_directories(test_smdp_es2 PRIVATE ${smdp_es2_tests})
