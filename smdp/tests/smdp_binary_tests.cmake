# The smdp program on loopback (included from tests/CMakeLists.txt).
rsp_add_test(test_smdp_binary SOURCES ${PROJECT_SOURCE_DIR}/smdp/tests/test_smdp_binary.cpp LIBS euicc_sim rsp_http)
add_dependencies(test_smdp_binary smdp)
