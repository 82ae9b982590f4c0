# euicc-sim: the card's APDU layer, the vpcd link, and PC/SC through a private pcscd with a vpcd reader.
# Included from tests/CMakeLists.txt, so rsp_add_test is at hand; sources are given as absolute paths.
set(euicc_tests ${PROJECT_SOURCE_DIR}/euicc-sim/tests)

rsp_add_test(test_euicc_card SOURCES ${euicc_tests}/test_card.cpp LIBS euicc_sim SANITIZE)
rsp_add_test(test_euicc_vpcd_link SOURCES ${euicc_tests}/test_vpcd_link.cpp LIBS euicc_sim SANITIZE)

# PC/SC: PrivatePcscd + PcscClient, a library so that tests of the euicc-sim program can use them.
find_package(PkgConfig REQUIRED)
pkg_check_modules(PCSCLITE REQUIRED IMPORTED_TARGET libpcsclite)
add_library(euicc_pcsc_harness STATIC ${euicc_tests}/pcscd_harness.cpp)
target_include_directories(euicc_pcsc_harness PUBLIC ${euicc_tests})
target_link_libraries(euicc_pcsc_harness PUBLIC rsp_core PkgConfig::PCSCLITE PRIVATE rsp_warnings)
rsp_add_test(test_euicc_pcsc SOURCES ${euicc_tests}/test_pcsc.cpp LIBS euicc_sim euicc_pcsc_harness)
