# The smdp program on loopback (included from tests/CMakeLists.txt).
rsp_add_test(test_smdp_binary SOURCES ${PROJECT_SOURCE_DIR}/smdp/tests/test_smdp_binary.cpp LIBS euicc_sim rsp_http)
add_dependencies(test_smdp_binary smdp)
# ES2+ and ES9+ on one port (es2_on_es9_listener), and which configurations share a listener.
rsp_add_test(test_smdp_shared_port SOURCES ${PROJECT_SOURCE_DIR}/smdp/tests/test_smdp_shared_port.cpp
  LIBS smdp_server euicc_sim rsp_http)
add_dependencies(test_smdp_shared_port smdp)
# ES2+ callbacks from `smdp serve` to an operator's HTTPS server during a download.
rsp_add_test(test_smdp_callbacks SOURCES ${PROJECT_SOURCE_DIR}/smdp/tests/test_smdp_callbacks.cpp LIBS euicc_sim rsp_http)
add_dependencies(test_smdp_callbacks smdp)
# Hostile values in every logged field of ES9+ and ES2+ requests to `smdp serve` (issue 13).
rsp_add_test(test_smdp_log_injection SOURCES ${PROJECT_SOURCE_DIR}/smdp/tests/test_smdp_log_injection.cpp LIBS smdp_server euicc_sim rsp_http)
add_dependencies(test_smdp_log_injection smdp)
# A configuration file's "limits" on `smdp serve`: header, JSON depth, connections per peer (issue 13).
rsp_add_test(test_smdp_limits SOURCES ${PROJECT_SOURCE_DIR}/smdp/tests/test_smdp_limits.cpp LIBS euicc_sim rsp_http)
add_dependencies(test_smdp_limits smdp)
# Profiles sealed at rest by `smdp`: import, order, download, a wrong or missing key, rotation, a
# database written in clear migrated (issue 13, finding 10).
rsp_add_test(test_smdp_profile_key SOURCES ${PROJECT_SOURCE_DIR}/smdp/tests/test_smdp_profile_key.cpp LIBS smdp_store euicc_sim rsp_http)
add_dependencies(test_smdp_profile_key smdp)
