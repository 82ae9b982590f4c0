# docs/architecture.md against the tree: every file its spec function tables name exists and names the
# function, every repository path it quotes exists; the check itself proven on a made-up table.
rsp_add_test(test_architecture_doc SOURCES docs/test_architecture_doc.cpp SANITIZE)
target_compile_definitions(test_architecture_doc PRIVATE RSP_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
