rsp_add_test(test_euicc_es10c SOURCES ${PROJECT_SOURCE_DIR}/euicc-sim/tests/test_es10c.cpp LIBS euicc_sim SANITIZE)
target_include_directories(test_euicc_es10c PRIVATE ${PROJECT_SOURCE_DIR}/euicc-sim/src ${PROJECT_SOURCE_DIR}/euicc-sim/tests)
