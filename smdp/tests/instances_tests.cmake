# Two `smdp serve` processes sharing one throwaway PostgreSQL database (skipped where PostgreSQL is
# absent): a download alternating between them, and two devices racing for one matchingId.
# Included from tests/CMakeLists.txt after store_tests.cmake (smdp_postgres_harness).
rsp_add_test(test_smdp_instances SOURCES ${PROJECT_SOURCE_DIR}/smdp/tests/test_smdp_instances.cpp
  LIBS smdp_es9 smdp_postgres_harness euicc_sim rsp_http)
add_dependencies(test_smdp_instances smdp)
