# Running as a service (issue 14): the configuration reload on SIGHUP, the systemd units, the
# system users and the installed tree. Included from tests/CMakeLists.txt (rsp_add_test at hand).
set(service_tests ${CMAKE_CURRENT_LIST_DIR})
# A running HTTPS server given new TLS identities and pins, and reloads that fail whole.
rsp_add_test(test_reload SOURCES ${service_tests}/test_reload.cpp LIBS rsp_server SANITIZE TSAN)
# SIGHUP to `smds serve`, `smdp serve` and `eim serve`: the shared signal loop, each server's
# reload and its log lines.
rsp_add_test(test_sighup_reload SOURCES ${service_tests}/test_sighup_reload.cpp ${service_tests}/test_smdp_reload.cpp
  ${service_tests}/test_eim_reload.cpp LIBS rsp_http)
target_include_directories(test_sighup_reload PRIVATE ${PROJECT_SOURCE_DIR}/smdp/tests)
add_dependencies(test_sighup_reload smds smdp eim)
# The units within their systemd-analyze security bound and verified, the sysusers.d files, and
# `cmake --install` into a temporary DESTDIR (every program is built first for it).
rsp_add_test(test_service_files SOURCES ${service_tests}/test_service_files.cpp LIBS smdp_server smds_server eim_server)
add_dependencies(test_service_files smdp smds eim ipa euicc-sim rsp-ac rsp-profile rsp-aka rsp-conformance rsp-pki rsp-asn1 smdp-bench)
cmake_path(ABSOLUTE_PATH RSP_SYSTEMD_UNIT_DIR BASE_DIRECTORY ${CMAKE_INSTALL_PREFIX} OUTPUT_VARIABLE unit_dir)
cmake_path(ABSOLUTE_PATH RSP_SYSUSERS_DIR BASE_DIRECTORY ${CMAKE_INSTALL_PREFIX} OUTPUT_VARIABLE sysusers_dir)
target_compile_definitions(test_service_files PRIVATE RSP_SOURCE_DIR="${PROJECT_SOURCE_DIR}" RSP_BUILD_DIR="${CMAKE_BINARY_DIR}"
  RSP_CMAKE_COMMAND="${CMAKE_COMMAND}" RSP_INSTALL_BINDIR="${CMAKE_INSTALL_FULL_BINDIR}" RSP_INSTALL_CONFIGDIR="${RSP_CONFIGDIR}"
  RSP_INSTALL_UNITDIR="${unit_dir}" RSP_INSTALL_SYSUSERSDIR="${sysusers_dir}" RSP_INSTALL_DOCDIR="${CMAKE_INSTALL_FULL_DOCDIR}")
