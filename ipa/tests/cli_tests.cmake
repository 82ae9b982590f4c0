# The ipa program (included from tests/CMakeLists.txt): end to end against smdp serve and
# euicc-sim --listen on loopback, and the USIM AUTHENTICATE helper it uses.
rsp_add_test(test_ipa_cli SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_ipa_cli.cpp LIBS smdp_store rsp_http)
add_dependencies(test_ipa_cli ipa smdp euicc-sim)
rsp_add_test(test_ipa_usim SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_usim_authenticate.cpp LIBS ipa_usim euicc_sim SANITIZE)
target_include_directories(test_ipa_usim PRIVATE ${PROJECT_SOURCE_DIR}/ipa/tests)
# The ipa program when things go wrong (orders refused, SM-DP+ or eUICC killed mid-download and
# restarted), the same download through pcscd, and the IPA's peak memory during one download.
rsp_add_test(test_ipa_resilience SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_ipa_resilience.cpp LIBS smdp_store rsp_http euicc_pcsc_harness)
add_dependencies(test_ipa_resilience ipa smdp euicc-sim)
# Zero-touch provisioning with the programs: the eUICC's factory addresses, download --default-smdp
# (an order bound to the EID), discover and download --discover at an SM-DS, nothing for this EID.
rsp_add_test(test_ipa_zero_touch SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_ipa_zero_touch.cpp LIBS rsp_http)
target_include_directories(test_ipa_zero_touch PRIVATE ${PROJECT_SOURCE_DIR}/ipa/tests)
add_dependencies(test_ipa_zero_touch ipa smdp euicc-sim)
# Discovery with smds serve: an event registered by smdp serve at ConfirmOrder, found by ipa discover
# and installed by ipa download --discover, gone afterwards.
rsp_add_test(test_ipa_discovery SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_ipa_discovery.cpp LIBS rsp_http)
target_include_directories(test_ipa_discovery PRIVATE ${PROJECT_SOURCE_DIR}/ipa/tests)
add_dependencies(test_ipa_discovery ipa smdp smds euicc-sim)
# The eUICC's eIMs with the programs: ipa eim add-initial (the factory step) and eim list against
# euicc-sim --listen, the card's refusals by name, usage errors.
rsp_add_test(test_ipa_eim SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_ipa_eim.cpp LIBS rsp_http)
target_include_directories(test_ipa_eim PRIVATE ${PROJECT_SOURCE_DIR}/ipa/tests)
add_dependencies(test_ipa_eim ipa euicc-sim)
