# The euicc-sim program, started as a process (TCP and pcscd/vpcd).
rsp_add_test(test_euicc_sim_binary SOURCES ${PROJECT_SOURCE_DIR}/euicc-sim/tests/test_euicc_sim_binary.cpp
  LIBS euicc_pcsc_harness euicc_sim)
target_include_directories(test_euicc_sim_binary PRIVATE ${PROJECT_SOURCE_DIR}/euicc-sim/src ${PROJECT_SOURCE_DIR}/euicc-sim/tests)
add_dependencies(test_euicc_sim_binary euicc-sim)
