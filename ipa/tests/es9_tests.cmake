# The IPA's ES9+ client against the real SM-DP+ in-process (included from tests/CMakeLists.txt).
rsp_add_test(test_ipa_es9 SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_es9plus_client.cpp
  LIBS ipa_es9 smdp_server euicc_sim SANITIZE)
target_include_directories(test_ipa_es9 PRIVATE ${PROJECT_SOURCE_DIR}/ipa/tests)

# The download procedure (ipa_download) against the same SM-DP+ and a software eUICC behind the
# IPA's Transport interface.
rsp_add_test(test_ipa_download SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_download.cpp
  LIBS ipa_download smdp_server euicc_sim SANITIZE)
target_include_directories(test_ipa_download PRIVATE ${PROJECT_SOURCE_DIR}/ipa/tests)

# The ES11 client (event retrieval at an SM-DS): both bindings' wire format, the bounds on an
# SM-DS's answer, and the client over HTTPS against a canned SM-DS.
rsp_add_test(test_ipa_es11 SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_es11_client.cpp LIBS ipa_es9 rsp_http SANITIZE)
target_include_directories(test_ipa_es11 PRIVATE ${PROJECT_SOURCE_DIR}/ipa/src ${PROJECT_SOURCE_DIR}/ipa/tests)

# Event Retrieval (ipa_download's retrieve_events) with the software eUICC and a scripted SM-DS.
rsp_add_test(test_ipa_event_retrieval SOURCES ${PROJECT_SOURCE_DIR}/ipa/tests/test_event_retrieval.cpp
  LIBS ipa_download euicc_sim rsp_http SANITIZE)
target_include_directories(test_ipa_event_retrieval PRIVATE ${PROJECT_SOURCE_DIR}/ipa/tests)
