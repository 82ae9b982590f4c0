# Tests of the software eUICC (included from tests/CMakeLists.txt).
rsp_add_test(test_euicc_download SOURCES ${PROJECT_SOURCE_DIR}/euicc-sim/tests/test_download.cpp
  ${PROJECT_SOURCE_DIR}/euicc-sim/tests/test_recorded_download.cpp
  ${PROJECT_SOURCE_DIR}/euicc-sim/tests/test_apdu_download.cpp LIBS euicc_sim SANITIZE)
target_include_directories(test_euicc_download PRIVATE ${PROJECT_SOURCE_DIR}/euicc-sim/src ${PROJECT_SOURCE_DIR}/euicc-sim/tests)
rsp_add_test(test_euicc_es11 SOURCES ${PROJECT_SOURCE_DIR}/euicc-sim/tests/test_es11_authentication.cpp LIBS euicc_sim SANITIZE)
target_include_directories(test_euicc_es11 PRIVATE ${PROJECT_SOURCE_DIR}/euicc-sim/src ${PROJECT_SOURCE_DIR}/euicc-sim/tests)
