# The eIM's eUICC Packages against the software eUICC in-process (included from tests/CMakeLists.txt).
rsp_add_test(test_eim_packages SOURCES ${PROJECT_SOURCE_DIR}/eim/tests/test_euicc_package.cpp
  LIBS eim_packages euicc_sim SANITIZE)
target_include_directories(test_eim_packages PRIVATE ${PROJECT_SOURCE_DIR}/euicc-sim/src ${PROJECT_SOURCE_DIR}/euicc-sim/tests)
# The eIM's store on SQLite and a throwaway PostgreSQL (skipped where absent).
rsp_add_test(test_eim_store SOURCES ${PROJECT_SOURCE_DIR}/eim/tests/test_eim_store.cpp LIBS eim_store rsp_postgres_harness SANITIZE TSAN)
# --- eim_owner_api tests ---
# The package queue: counters, transaction ids, BF51 run by the software eUICC, BF52/BF54 bytes.
rsp_add_test(test_package_queue SOURCES ${PROJECT_SOURCE_DIR}/eim/tests/test_package_queue.cpp
  LIBS eim_owner_api euicc_sim SANITIZE)
target_include_directories(test_package_queue PRIVATE ${PROJECT_SOURCE_DIR}/euicc-sim/src ${PROJECT_SOURCE_DIR}/euicc-sim/tests)
# The owner API over real HTTPS in-process.
rsp_add_test(test_owner_api SOURCES ${PROJECT_SOURCE_DIR}/eim/tests/test_owner_api.cpp LIBS eim_owner_api SANITIZE)
# The owner's client commands parsed as `eim` parses them, against the owner API in-process.
rsp_add_test(test_owner_cli SOURCES ${PROJECT_SOURCE_DIR}/eim/tests/test_owner_cli.cpp LIBS eim_owner_api eim_owner_cli SANITIZE)
# `eim serve` with the owner API and the client commands of the same program against it (needs build/bin/eim).
rsp_add_test(test_owner_binary SOURCES ${PROJECT_SOURCE_DIR}/eim/tests/test_owner_binary.cpp LIBS rsp_http)
add_dependencies(test_owner_binary eim)
# Queued through the owner API, run by the software eUICC through ESipa, results in status.
rsp_add_test(test_owner_results SOURCES ${PROJECT_SOURCE_DIR}/eim/tests/test_owner_results.cpp
  LIBS eim_owner_api eim_esipa euicc_sim SANITIZE)
target_include_directories(test_owner_results PRIVATE ${PROJECT_SOURCE_DIR}/euicc-sim/src ${PROJECT_SOURCE_DIR}/euicc-sim/tests)
# --- end eim_owner_api tests ---
# --- ESipa and server tests ---
# ESipa in-process against the software eUICC, driven as an IPA drives it.
rsp_add_test(test_eim_esipa SOURCES ${PROJECT_SOURCE_DIR}/eim/tests/test_esipa.cpp
  LIBS eim_esipa euicc_sim rsp_postgres_harness SANITIZE TSAN)
target_include_directories(test_eim_esipa PRIVATE ${PROJECT_SOURCE_DIR}/euicc-sim/src ${PROJECT_SOURCE_DIR}/euicc-sim/tests)
# The server in-process over HTTPS (the card runs what it hands out), and the eim program as a process.
rsp_add_test(test_eim_server SOURCES ${PROJECT_SOURCE_DIR}/eim/tests/test_eim_server.cpp LIBS eim_server euicc_sim rsp_http rsp_esipa SANITIZE)
target_include_directories(test_eim_server PRIVATE ${PROJECT_SOURCE_DIR}/euicc-sim/src ${PROJECT_SOURCE_DIR}/euicc-sim/tests)
target_compile_definitions(test_eim_server PRIVATE RSP_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
rsp_add_test(test_eim_binary SOURCES ${PROJECT_SOURCE_DIR}/eim/tests/test_eim_binary.cpp
  LIBS eim_store eim_packages rsp_http rsp_esipa rsp_postgres_harness)
add_dependencies(test_eim_binary eim)
# --- end of ESipa and server tests ---
# --- indirect profile download tests ---
# The IPA's download through the eIM's ESipa (both bindings, real HTTPS) to the real SM-DP+.
rsp_add_test(test_indirect_download SOURCES ${PROJECT_SOURCE_DIR}/eim/tests/test_indirect_download.cpp
  LIBS eim_esipa ipa_download smdp_server euicc_sim rsp_esipa SANITIZE)
target_include_directories(test_indirect_download PRIVATE ${PROJECT_SOURCE_DIR}/ipa/tests
  ${PROJECT_SOURCE_DIR}/eim/src ${PROJECT_SOURCE_DIR}/ipa/src)
# ipa download --via-eim with smdp serve and euicc-sim --listen, the eIM's ESipa in-process.
rsp_add_test(test_indirect_download_cli SOURCES ${PROJECT_SOURCE_DIR}/eim/tests/test_indirect_download_cli.cpp
  LIBS eim_esipa rsp_esipa rsp_http SANITIZE)
target_include_directories(test_indirect_download_cli PRIVATE ${PROJECT_SOURCE_DIR}/ipa/tests)
add_dependencies(test_indirect_download_cli ipa smdp euicc-sim)
# --- end indirect profile download tests ---
# --- eim lab tests ---
# eim lab forge's packages run by the software eUICC: each refused with the spec's answer.
rsp_add_test(test_lab_forge SOURCES ${PROJECT_SOURCE_DIR}/eim/tests/test_lab_forge.cpp LIBS eim_lab euicc_sim SANITIZE)
target_include_directories(test_lab_forge PRIVATE ${PROJECT_SOURCE_DIR}/euicc-sim/src ${PROJECT_SOURCE_DIR}/euicc-sim/tests)
add_dependencies(test_lab_forge eim)
# --- end eim lab tests ---
