# The IPA's ES9+ client against the real SM-DP+ in-process (included from tests/CMakeLists.txt).
rsp_add_test(test_ipa_es9 SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_es9plus_client.cpp
  LIBS ipa_es9 smdp_server euicc_sim)
target_include_directories(test_ipa_es9 PRIVATE ${PROJECT_SOURCE_DIR}/ipa/tests)
