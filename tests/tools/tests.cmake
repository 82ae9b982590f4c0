# Command line tools run as processes.
rsp_add_test(test_rsp_profile_cli SOURCES tools/test_rsp_profile_cli.cpp SANITIZE)
add_dependencies(test_rsp_profile_cli rsp-profile)
# rsp-ac and the activation code QR library; the tests compare with qrencode's own matrix.
find_package(PkgConfig REQUIRED)
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
rsp_add_test(test_rsp_ac SOURCES tools/test_activation_code_qr.cpp tools/test_rsp_ac_cli.cpp
  LIBS rsp_qr PkgConfig::QRENCODE SANITIZE)
add_dependencies(test_rsp_ac rsp-ac)
# smdp-bench: small runs (in-process, and against smdp serve), the JSON checked for every figure (no timing asserted).
rsp_add_test(test_smdp_bench_cli SOURCES tools/test_smdp_bench_cli.cpp)
add_dependencies(test_smdp_bench_cli smdp-bench smdp)
# rsp-aka: TS 35.208 Test Set 1 as a vector (text and JSON), verify and resync, bad input.
rsp_add_test(test_rsp_aka_cli SOURCES tools/test_rsp_aka_cli.cpp)
add_dependencies(test_rsp_aka_cli rsp-aka)
# tools/lint on a one-unit tree of its own: a new finding fails, the baseline takes it, moved lines keep it old,
# a second one with the same message is new, a fixed one is reported. Exit 77 (skipped) without clang-tidy.
add_test(NAME tools_lint COMMAND ${PROJECT_SOURCE_DIR}/tests/tools/lint-check)
set_tests_properties(tools_lint PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
# tools/demo --no-build: the whole chain with this build's programs as processes on loopback (smdp, euicc-sim,
# ipa; ES2+ over curl; the AKA check with rsp-aka). Exit 77 (skipped) without curl or openssl.
add_test(NAME tools_demo COMMAND ${PROJECT_SOURCE_DIR}/tools/demo --no-build WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
set_tests_properties(tools_demo PROPERTIES ENVIRONMENT "RSP_BUILD_DIR=${CMAKE_BINARY_DIR}" SKIP_RETURN_CODE 77
  TIMEOUT 60 LABELS e2e)
# tools/demo --no-build --zero-touch: no activation code anywhere; the SM-DP+ registers the order's event at
# smds (ES12), the IPA discovers it (ES11) and downloads, the event is gone after; a second device's order
# at its default SM-DP+ (ipa download --default-smdp).
add_test(NAME tools_demo_zero_touch COMMAND ${PROJECT_SOURCE_DIR}/tools/demo --no-build --zero-touch
  WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
set_tests_properties(tools_demo_zero_touch PROPERTIES ENVIRONMENT "RSP_BUILD_DIR=${CMAKE_BINARY_DIR}"
  SKIP_RETURN_CODE 77 TIMEOUT 90 LABELS e2e)
# tools/demo --no-build --iot: 20 software eUICCs, eim serve (two, for the change of ownership), smdp, ipa poll,
# the owner's eim commands (one eim download --file for the fleet) and the AKA checks; every step runs.
add_test(NAME tools_demo_iot COMMAND ${PROJECT_SOURCE_DIR}/tools/demo --no-build --iot WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
set_tests_properties(tools_demo_iot PROPERTIES ENVIRONMENT "RSP_BUILD_DIR=${CMAKE_BINARY_DIR}" SKIP_RETURN_CODE 77
  TIMEOUT 180 LABELS e2e)
# tools/bench/ipa-rss --runs 1: one download per ES9+ binding of a 12 KB profile with this build's ipa, smdp
# and euicc-sim; fails when the IPA's STORE DATA count is not the BPP's minimum (figures printed, not asserted).
add_test(NAME tools_bench_ipa_rss COMMAND ${PROJECT_SOURCE_DIR}/tools/bench/ipa-rss --runs 1 WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
set_tests_properties(tools_bench_ipa_rss PROPERTIES ENVIRONMENT "RSP_BUILD_DIR=${CMAKE_BINARY_DIR}" SKIP_RETURN_CODE 77
  TIMEOUT 60 LABELS e2e)
# rsp-conformance against euicc-sim --listen: all eUICC cases pass, the card's faults fail exactly the cases they
# break, list / --case / --junit / --json, usage errors and an unreachable card.
rsp_add_test(test_rsp_conformance_cli SOURCES tools/test_rsp_conformance_cli.cpp SANITIZE)
add_dependencies(test_rsp_conformance_cli rsp-conformance euicc-sim)
# rsp-conformance's download cases (--pki, --destructive) against euicc-sim made with the same PKI; the card's
# skip-mac-check and wrong-signature faults fail exactly the cases they break.
rsp_add_test(test_rsp_conformance_download SOURCES tools/test_rsp_conformance_download.cpp LIBS rsp SANITIZE)
add_dependencies(test_rsp_conformance_download rsp-conformance euicc-sim)
# rsp-conformance's SGP.32 eUICC cases (ES10b', eUICC Packages as the eIM of --pki) against euicc-sim --listen;
# the wrong-signature fault fails exactly the cases that verify the card's signature.
rsp_add_test(test_rsp_conformance_sgp32 SOURCES tools/test_rsp_conformance_sgp32.cpp LIBS rsp SANITIZE)
add_dependencies(test_rsp_conformance_sgp32 rsp-conformance euicc-sim)
# Every eUICC case against euicc-sim with --pki --destructive on both curves (and on the SGP.26 set), and each
# card fault failing exactly the cases that check that behaviour.
rsp_add_test(test_rsp_conformance_euicc_faults SOURCES tools/test_rsp_conformance_euicc_faults.cpp LIBS rsp SANITIZE)
add_dependencies(test_rsp_conformance_euicc_faults rsp-conformance euicc-sim)
# rsp-conformance --html: the escaper, ES10 decoding by tag, and a run's report against euicc-sim --listen.
rsp_add_test(test_rsp_conformance_html SOURCES tools/test_rsp_conformance_html.cpp LIBS rsp_conformance SANITIZE)
add_dependencies(test_rsp_conformance_html rsp-conformance euicc-sim)
rsp_add_test(test_rsp_conformance_record SOURCES tools/test_rsp_conformance_record.cpp LIBS rsp_conformance SANITIZE)
add_dependencies(test_rsp_conformance_record rsp-conformance euicc-sim smdp rsp-pki rsp-profile)
# rsp-conformance --role smdp against smdp serve: every ES9+ case passes in both bindings, an
# unreachable SM-DP+ exits 1, and a relay's wrong reason code fails exactly the case checking it.
rsp_add_test(test_rsp_conformance_smdp SOURCES tools/test_rsp_conformance_smdp.cpp LIBS rsp_http SANITIZE)
add_dependencies(test_rsp_conformance_smdp rsp-conformance smdp rsp-pki rsp-profile)
# The SM-DP+'s fault modes against the smdp role's cases (each fails exactly the cases checking it).
rsp_add_test(test_rsp_conformance_smdp_faults SOURCES tools/test_rsp_conformance_smdp_faults.cpp SANITIZE)
add_dependencies(test_rsp_conformance_smdp_faults rsp-conformance smdp rsp-pki rsp-profile)
# rsp-conformance --role smds against smds serve: every ES11/ES12 case passes in both bindings, ES12
# n/a without the dp-tls pin, unreachable exits 1, a relay's wrong subject code fails exactly one case.
rsp_add_test(test_rsp_conformance_smds SOURCES tools/test_rsp_conformance_smds.cpp LIBS rsp_http SANITIZE)
add_dependencies(test_rsp_conformance_smds rsp-conformance smds rsp-pki)
# run --role eim against eim serve (both bindings): the GetEimPackage error cases, unreachable eIM exits 1,
# with the owner API DeliveredOnce; relays rewriting one answer fail exactly UnknownEid / DeliveredOnce.
rsp_add_test(test_rsp_conformance_eim SOURCES tools/test_rsp_conformance_eim.cpp LIBS rsp_http SANITIZE)
add_dependencies(test_rsp_conformance_eim rsp-conformance eim rsp-pki smdp)
# rsp-conformance --role ipa against this build's ipa download / ipa poll (the harness as its eUICC, SM-DP+ and eIM):
# every case passes in both ES9+ and ESipa bindings, each of ipa's --conformance-harness faults fails exactly the
# cases checking that behaviour; with --ipa-vpcd the cards go into a private pcscd's vpcd reader (skipped without pcscd).
rsp_add_test(test_rsp_conformance_ipa SOURCES tools/test_rsp_conformance_ipa.cpp LIBS rsp euicc_pcsc_harness SANITIZE)
add_dependencies(test_rsp_conformance_ipa rsp-conformance ipa)
# tools/grafana/rsp-stack.json: every metric its queries and variables name is in the /metrics of a fresh smdp,
# smds or eim serve; the same check shown to fail on a panel and a variable naming metrics nobody exports.
rsp_add_test(test_grafana_dashboard SOURCES tools/test_grafana_dashboard.cpp LIBS rsp_http)
target_compile_definitions(test_grafana_dashboard PRIVATE RSP_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_dependencies(test_grafana_dashboard smdp smds eim)
