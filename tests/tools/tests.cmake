# Command line tools run as processes.
rsp_add_test(test_rsp_profile_cli SOURCES tools/test_rsp_profile_cli.cpp SANITIZE)
add_dependencies(test_rsp_profile_cli rsp-profile)
