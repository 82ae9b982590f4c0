# docs/architecture.md against the tree: every file its spec function tables name exists and names the
# function, every repository path it quotes exists; the check itself proven on a made-up table.
rsp_add_test(test_architecture_doc SOURCES docs/test_architecture_doc.cpp SANITIZE)
target_compile_definitions(test_architecture_doc PRIVATE RSP_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# Each top folder one layer: no include runs up from core/ to asn1/ to rsp/, none across components.
rsp_add_test(test_layers SOURCES docs/test_layers.cpp SANITIZE)
target_compile_definitions(test_layers PRIVATE RSP_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# man/ and completions/ against the programs' --help: a page per program with its sections, rendered
# without warnings, naming every command and long option; the bash completions of ipa, smdp and eim.
rsp_add_test(test_man_pages SOURCES docs/test_man_pages.cpp docs/test_man_pages_completion.cpp)
target_compile_definitions(test_man_pages PRIVATE RSP_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_dependencies(test_man_pages smdp smds eim ipa euicc-sim rsp-ac rsp-profile rsp-aka rsp-conformance rsp-pki rsp-asn1
  smdp-bench)
