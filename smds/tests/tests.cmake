# The SM-DS: its store (SQLite and a throwaway PostgreSQL, skipped where absent), ES12 in-process,
# and over HTTPS with pinned SM-DP+s. Included from tests/CMakeLists.txt (rsp_add_test at hand).
set(smds_tests ${PROJECT_SOURCE_DIR}/smds/tests)
rsp_add_test(test_smds_store SOURCES ${smds_tests}/test_event_store.cpp LIBS smds_store rsp_postgres_harness SANITIZE)
rsp_add_test(test_smds_es12 SOURCES ${smds_tests}/test_es12.cpp LIBS smds_es12 SANITIZE)
rsp_add_test(test_smds_server SOURCES ${smds_tests}/test_smds_server.cpp LIBS smds_server rsp_http SANITIZE)
target_compile_definitions(test_smds_server PRIVATE RSP_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# `smds serve` and `smdp serve` as processes: ConfirmOrder -> RegisterEvent, CancelOrder -> DeleteEvent
# (the SM-DP+'s outbox, across an SM-DS restart), each ConfirmOrder code of the SM-DS's answers.
rsp_add_test(test_smdp_es12 SOURCES ${smds_tests}/test_smdp_es12.cpp LIBS smds_store euicc_sim rsp_http)
target_include_directories(test_smdp_es12 PRIVATE ${PROJECT_SOURCE_DIR}/smdp/tests)
add_dependencies(test_smdp_es12 smdp smds)
# ES11 in-process with the software eUICC (its library), both bindings.
rsp_add_test(test_smds_es11 SOURCES ${smds_tests}/test_es11.cpp LIBS smds_es11 euicc_sim SANITIZE)
# The smds program as a process: configuration file and flags, logs, metrics, SIGTERM, PostgreSQL.
rsp_add_test(test_smds_binary SOURCES ${smds_tests}/test_smds_binary.cpp LIBS smds_store rsp_http rsp_postgres_harness)
add_dependencies(test_smds_binary smds)
