# The USIM of the enabled profile (3GPP TS 31.102) and the SAIP profile contents it runs on
# (included from tests/CMakeLists.txt).
rsp_add_test(test_euicc_usim SOURCES ${PROJECT_SOURCE_DIR}/euicc-sim/tests/test_usim.cpp LIBS euicc_sim SANITIZE)
target_include_directories(test_euicc_usim PRIVATE ${PROJECT_SOURCE_DIR}/euicc-sim/src ${PROJECT_SOURCE_DIR}/euicc-sim/tests)
