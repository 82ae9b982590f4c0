# Tests of the software eUICC's SGP.32 v1.2 functions (included from tests/CMakeLists.txt).
rsp_add_test(test_euicc_sgp32 SOURCES ${PROJECT_SOURCE_DIR}/euicc-sim/tests/test_sgp32.cpp LIBS euicc_sim SANITIZE)
target_include_directories(test_euicc_sgp32 PRIVATE ${PROJECT_SOURCE_DIR}/euicc-sim/src ${PROJECT_SOURCE_DIR}/euicc-sim/tests)
