// smdp-bench, run as a process: a small in-process run completes every download and reports each
// figure in its JSON (the figures themselves depend on the machine and are not checked).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

#include "support/command.hpp"

TEST_CASE("smdp-bench --json: 5 downloads on 2 threads complete with no failure", "[smdp][bench][cli]") {
  auto run = rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/smdp-bench --downloads 5 --threads 2 --json");
  INFO(run.out);
  REQUIRE(run.status == 0);
  auto report = nlohmann::json::parse(run.out);
  CHECK(report["downloads"] == 5);
  CHECK(report["completed"] == 5);
  CHECK(report["failed"] == 0);
  CHECK(report["threads"] == 2);
  for (const char* field : {"wall_seconds", "downloads_per_second", "smdp_cpu_ms_per_download", "card_cpu_ms_per_download",
                            "process_cpu_ms_per_download", "bpp_bytes", "peak_rss_kib"})
    CHECK(report[field].is_number());
  for (const char* function : {"initiateAuthentication", "authenticateClient", "getBoundProfilePackage", "handleNotification"}) {
    const auto& latency = report["es9_functions"][function];
    CHECK(latency["calls"] == 5);
    for (const char* field : {"mean_ms", "p50_ms", "p95_ms", "p99_ms", "cpu_ms_per_call"}) CHECK(latency[field].is_number());
  }
  for (const char* field : {"sign_ms", "verify_ms", "keygen_and_ecka_ms", "ms_per_download", "downloads_per_second_per_core"})
    CHECK(report["crypto_floor"][field].is_number());
}

TEST_CASE("smdp-bench pads the profile package to --profile-size and still installs it", "[smdp][bench][cli]") {
  auto run = rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/smdp-bench --downloads 2 --threads 1 --curve brainpool "
                                    "--profile-size 20000 --no-crypto-floor --json");
  INFO(run.out);
  REQUIRE(run.status == 0);
  auto report = nlohmann::json::parse(run.out);
  CHECK(report["completed"] == 2);
  CHECK(report["curve"] == "brainpool");
  CHECK(report["profile_package_bytes"] == 20000);
  CHECK(report["bpp_bytes"].get<size_t>() > 20000);
  CHECK_FALSE(report.contains("crypto_floor"));
}
