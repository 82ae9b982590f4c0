# The IPA's ES10 client (ipa_es10): every call against the software eUICC in-process through its
# APDU layer, the channel layer's corner cases, and the TCP and PC/SC drivers against the
# euicc-sim program. Included from tests/CMakeLists.txt.
set(ipa_tests ${PROJECT_SOURCE_DIR}/ipa/tests)
rsp_add_test(test_ipa_es10 SOURCES ${ipa_tests}/test_es10_client.cpp ${ipa_tests}/test_es10_channel.cpp
  ${ipa_tests}/test_sgp32_es10b.cpp LIBS ipa_es10 euicc_sim SANITIZE)
target_include_directories(test_ipa_es10 PRIVATE ${ipa_tests} ${PROJECT_SOURCE_DIR}/euicc-sim/src ${PROJECT_SOURCE_DIR}/euicc-sim/tests)
# Cards that never finish answering: the deadlines per APDU exchange (TCP) and per ES10 command.
target_sources(test_ipa_es10 PRIVATE ${ipa_tests}/test_card_deadlines.cpp)
rsp_add_test(test_ipa_transports SOURCES ${ipa_tests}/test_transports.cpp LIBS ipa_es10 euicc_sim euicc_pcsc_harness)
target_include_directories(test_ipa_transports PRIVATE ${ipa_tests} ${PROJECT_SOURCE_DIR}/euicc-sim/src ${PROJECT_SOURCE_DIR}/euicc-sim/tests)
add_dependencies(test_ipa_transports euicc-sim)

# The AT command transport (TS 27.007) through a modem emulator on a pseudo-terminal with the
# software eUICC behind it, ES10 and whole downloads, by the library and by the ipa program.
rsp_add_test(test_ipa_at SOURCES ${ipa_tests}/test_at_transport.cpp ${ipa_tests}/modem_emulator.cpp
  LIBS ipa_download smdp_server euicc_sim)
target_include_directories(test_ipa_at PRIVATE ${ipa_tests} ${PROJECT_SOURCE_DIR}/euicc-sim/src ${PROJECT_SOURCE_DIR}/euicc-sim/tests)
add_dependencies(test_ipa_at ipa)

# The IPAd over ESipa (ipa poll / ipa run and their library).
include(${CMAKE_CURRENT_LIST_DIR}/esipa_tests.cmake)
