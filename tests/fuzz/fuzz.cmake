# libFuzzer targets (tests/fuzz/README.md), built with RSP_FUZZ in the clang sanitizer build (the
# asan preset): one program, rsp_fuzz, holding every target, so the stack's libraries are linked
# once; bin/fuzz_<target> links to it and runs that target. Per target two ctest tests, labelled
# sanitize and fuzz: "seeds" replays tests/fuzz/seeds/<target> (the crashes found so far among
# them: each is a regression test), "run" fuzzes for a few seconds from the seeds and the corpus
# kept in <build>/fuzz/corpus/<target>. tools/fuzz runs them for longer.
if(NOT RSP_FUZZ)
  return()
endif()
set(fuzz_dir ${CMAKE_CURRENT_LIST_DIR})
file(GLOB fuzz_sources CONFIGURE_DEPENDS ${fuzz_dir}/fuzz_*.cpp)
list(REMOVE_ITEM fuzz_sources ${fuzz_dir}/fuzz_main.cpp)
add_executable(rsp_fuzz ${fuzz_dir}/fuzz_main.cpp ${fuzz_sources})
target_include_directories(rsp_fuzz PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} ${fuzz_dir} ${PROJECT_SOURCE_DIR}/ipa/src)
target_link_libraries(rsp_fuzz PRIVATE rsp smdp_es9 smdp_es2 smds_es11 smds_es12 eim_esipa rsp_esipa euicc_sim ipa_es10
  ipa_es9 ipa_esipa rsp_warnings)
target_compile_definitions(rsp_fuzz PRIVATE RSP_DEFAULT_REFERENCE_KIT="${default_kit}")  # support/kit.hpp
target_link_options(rsp_fuzz PRIVATE -fsanitize=fuzzer)
list(APPEND RSP_SANITIZE_TESTS rsp_fuzz)

set(RSP_FUZZ_SECONDS 4 CACHE STRING "Seconds each fuzz target runs under ctest (label fuzz)")
foreach(source ${fuzz_sources})
  get_filename_component(target ${source} NAME_WE)  # fuzz_<name>
  string(REGEX REPLACE "^fuzz_" "" name ${target})
  add_custom_command(TARGET rsp_fuzz POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E create_symlink rsp_fuzz ${CMAKE_BINARY_DIR}/bin/${target} VERBATIM)
  set(seeds ${fuzz_dir}/seeds/${name})
  set(corpus ${CMAKE_BINARY_DIR}/fuzz/corpus/${name})
  set(artifacts ${CMAKE_BINARY_DIR}/fuzz/artifacts/${name}/)
  file(MAKE_DIRECTORY ${corpus} ${artifacts})
  add_test(NAME "${target}: seeds" COMMAND ${CMAKE_BINARY_DIR}/bin/${target} -runs=0 ${seeds})
  add_test(NAME "${target}: run" COMMAND ${CMAKE_BINARY_DIR}/bin/${target} -max_total_time=${RSP_FUZZ_SECONDS}
    -timeout=10 -rss_limit_mb=2048 -artifact_prefix=${artifacts} ${corpus} ${seeds})
  set_tests_properties("${target}: seeds" "${target}: run" PROPERTIES LABELS "sanitize;fuzz" TIMEOUT 120)
endforeach()
