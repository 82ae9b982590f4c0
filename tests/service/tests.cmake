# Running as a service (issue 14): the configuration reload on SIGHUP, the systemd units, the
# system users and the installed tree. Included from tests/CMakeLists.txt (rsp_add_test at hand).
set(service_tests ${CMAKE_CURRENT_LIST_DIR})
# A running HTTPS server given new TLS identities and pins, and reloads that fail whole.
rsp_add_test(test_reload SOURCES ${service_tests}/test_reload.cpp LIBS rsp_server SANITIZE TSAN)
# SIGHUP to `smds serve`: the shared signal loop, the reload and its log lines.
rsp_add_test(test_sighup_reload SOURCES ${service_tests}/test_sighup_reload.cpp LIBS rsp_http)
add_dependencies(test_sighup_reload smds)
# The units within their systemd-analyze security bound and verified, the sysusers.d files, and
