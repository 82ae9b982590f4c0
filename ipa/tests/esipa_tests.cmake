# The IPAd (ipa_ipad) against the software eUICC in-process, a scripted eIM over HTTPS and the
# real SM-DP+ (included from tests/CMakeLists.txt). eim_packages signs the eIM's packages and
# verifies the card's results here; the IPA's own code never links it.
rsp_add_test(test_ipa_esipa SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_ipa_esipa.cpp
  LIBS ipa_ipad eim_packages smdp_server euicc_sim rsp_esipa rsp_http SANITIZE)
target_include_directories(test_ipa_esipa PRIVATE ${PROJECT_SOURCE_DIR}/ipa/tests)
# ipa poll / ipa run with the programs: euicc-sim --listen and the scripted eIM.
rsp_add_test(test_ipa_esipa_cli SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_ipa_esipa_cli.cpp LIBS eim_packages rsp_esipa rsp_http)
target_include_directories(test_ipa_esipa_cli PRIVATE ${PROJECT_SOURCE_DIR}/ipa/tests)
add_dependencies(test_ipa_esipa_cli ipa euicc-sim)
# ipa poll against the real eIM (eim serve) and euicc-sim, the packages put in the eIM's store.
rsp_add_test(test_ipa_esipa_eim SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_ipa_esipa_eim.cpp LIBS eim_owner_api eim_store eim_packages rsp_http)
target_include_directories(test_ipa_esipa_eim PRIVATE ${PROJECT_SOURCE_DIR}/ipa/tests)
add_dependencies(test_ipa_esipa_eim ipa euicc-sim eim)
# ipa poll --indirect-download: a ProfileDownloadTrigger relayed by eim serve to smdp serve.
rsp_add_test(test_ipa_poll_indirect SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_ipa_poll_indirect.cpp LIBS rsp_http)
target_include_directories(test_ipa_poll_indirect PRIVATE ${PROJECT_SOURCE_DIR}/ipa/tests)
add_dependencies(test_ipa_poll_indirect ipa euicc-sim eim smdp)
# --- ipa and eim end-to-end resilience tests ---
# The programs when things go wrong: ipa poll killed between running and reporting, eim serve
# restarted mid-fleet, two eim serve on one PostgreSQL (skipped where absent).
rsp_add_test(test_ipa_eim_fleet SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_ipa_eim_fleet.cpp LIBS rsp_http rsp_postgres_harness)
target_include_directories(test_ipa_eim_fleet PRIVATE ${PROJECT_SOURCE_DIR}/ipa/tests)
add_dependencies(test_ipa_eim_fleet ipa euicc-sim eim)
# ipa poll against eim serve over the AT transport (modem emulator) and PC/SC (pcscd + vpcd, skipped where absent).
rsp_add_test(test_ipa_poll_transports SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_ipa_poll_transports.cpp
  ${PROJECT_SOURCE_DIR}/ipa/tests/modem_emulator.cpp LIBS euicc_sim euicc_pcsc_harness rsp_http)
target_include_directories(test_ipa_poll_transports PRIVATE ${PROJECT_SOURCE_DIR}/ipa/tests ${PROJECT_SOURCE_DIR}/euicc-sim/src)
add_dependencies(test_ipa_poll_transports ipa euicc-sim eim)
# --- end ipa and eim end-to-end resilience tests ---
# --- ipa run across a card reset (REFRESH after an enable PSMO) ---
rsp_add_test(test_ipa_refresh SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_ipa_refresh.cpp LIBS rsp_http)
target_include_directories(test_ipa_refresh PRIVATE ${PROJECT_SOURCE_DIR}/ipa/tests)
add_dependencies(test_ipa_refresh ipa euicc-sim eim smdp)
# --- end ipa run across a card reset ---
