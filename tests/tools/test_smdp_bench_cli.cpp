// smdp-bench, run as a process: a small in-process run completes every download and reports each
// figure in its JSON (the figures themselves depend on the machine and are not checked); --url
// runs the same downloads against `smdp serve`.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

#include "rsp/pki/test_pki.hpp"
#include "support/child_process.hpp"
#include "support/command.hpp"
#include "support/kit.hpp"

TEST_CASE("smdp-bench --json: 5 downloads on 2 threads complete with no failure", "[smdp][bench][cli]") {
  auto run = rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/smdp-bench --downloads 5 --threads 2 --json");
  INFO(run.out);
  REQUIRE(run.status == 0);
  auto report = nlohmann::json::parse(run.out);
  CHECK(report["downloads"] == 5);
  CHECK(report["completed"] == 5);
  CHECK(report["failed"] == 0);
  CHECK(report["threads"] == 2);
  for (const char* field : {"wall_seconds", "downloads_per_second", "smdp_cpu_ms_per_download",
                            "card_cpu_ms_per_download", "process_cpu_ms_per_download", "bpp_bytes", "peak_rss_kib"})
    CHECK(report[field].is_number());
  for (const char* function :
       {"initiateAuthentication", "authenticateClient", "getBoundProfilePackage", "handleNotification"}) {
    const auto& latency = report["es9_functions"][function];
    CHECK(latency["calls"] == 5);
    for (const char* field : {"mean_ms", "p50_ms", "p95_ms", "p99_ms", "cpu_ms_per_call"})
      CHECK(latency[field].is_number());
  }
  for (const char* field :
       {"sign_ms", "verify_ms", "keygen_and_ecka_ms", "ms_per_download", "downloads_per_second_per_core"})
    CHECK(report["crypto_floor"][field].is_number());
  CHECK(report["download_p50_ms"].get<double>() > 0);
  // Issue 12's targets this mode shows: the SM-DP+'s CPU against 1.5x the floor, and the syncs.
  const auto& targets = report["targets"];
  REQUIRE(targets.size() == 2);
  const auto& cpu = targets[0];
  CHECK(cpu["figure"] == report["smdp_cpu_ms_per_download"]);
  CHECK(cpu["limit"].get<double>() ==
        Approx(1.5 * report["crypto_floor"]["ms_per_download"].get<double>()).margin(0.001));
  CHECK(cpu["met"] == (cpu["figure"].get<double>() <= cpu["limit"].get<double>()));
  CHECK(targets[1]["figure"] == report["store_syncs_per_download"]);
}

TEST_CASE("smdp-bench pads the profile package to --profile-size and still installs it", "[smdp][bench][cli]") {
  auto run = rsp::test::run_command(std::string(RSP_BINARY_DIR) +
                                    "/smdp-bench --downloads 2 --threads 1 --curve brainpool "
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

TEST_CASE("smdp-bench --duration runs downloads until the time is up, a new card per full one", "[smdp][bench][cli]") {
  // 3000 orders: more than 2 threads complete in 1.5 s on this kind of machine, so the clock ends the run.
  auto run =
      rsp::test::run_command(std::string(RSP_BINARY_DIR) +
                             "/smdp-bench --duration 1.5 --downloads 3000 --threads 2 --no-crypto-floor --json 2>&1");
  INFO(run.out);
  REQUIRE(run.status == 0);
  auto report = nlohmann::json::parse(run.out.substr(run.out.find('{')));
  const int completed = report["completed"];
  CHECK(report["failed"] == 0);
  CHECK(completed > 16);
  CHECK(completed < 3000);
  CHECK(report["wall_seconds"].get<double>() >= 1.5);
  CHECK(report["wall_seconds"].get<double>() < 3.5);
  // Each worker's card takes 8 profiles, then the next: at least completed / 8 cards in all.
  CHECK(report["cards"].get<int>() >= completed / 8);
  CHECK(report["cards"].get<int>() <= completed / 8 + 4);
  CHECK(run.out.find("smdp-bench: downloads running for 1.5 s") != std::string::npos);

  auto short_pool =
      rsp::test::run_command(std::string(RSP_BINARY_DIR) +
                             "/smdp-bench --duration 5 --downloads 10 --threads 1 --no-crypto-floor --json 2>&1");
  INFO(short_pool.out);
  CHECK(short_pool.status == 1);
  CHECK(short_pool.out.find("the 10 orders ran out after") != std::string::npos);
}

TEST_CASE("smdp-bench --url downloads over HTTPS from a running smdp serve", "[smdp][bench][cli]") {
  rsp::test::TempDir dir;
  auto pki = dir.path() / "pki";
  REQUIRE(rsp::pki::make(pki, rsp::pki::MakeOptions{}));  // DP TLS for localhost
  std::string db = "sqlite:" + (dir.path() / "smdp.db").string();
  rsp::test::ChildProcess smdp(
      "smdp", dir.path(),
      {"serve", "--pki", pki.string(), "--db", db, "--es9-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"});
  std::string port = smdp.wait_for("ES9\\+ of localhost on https://127.0.0.1:(\\d+)");
  std::string metrics = smdp.wait_for("metrics on port (\\d+)");
  auto run = rsp::test::run_command(
      std::string(RSP_BINARY_DIR) + "/smdp-bench --url https://localhost:" + port + " --pki " + pki.string() +
      " --db " + db + " --metrics http://127.0.0.1:" + metrics + "/metrics --downloads 3 --threads 2 --json");
  INFO(run.out);
  REQUIRE(run.status == 0);
  auto report = nlohmann::json::parse(run.out);
  CHECK(report["mode"] == "https://localhost:" + port);
  CHECK(report["completed"] == 3);
  CHECK(report["failed"] == 0);
  CHECK(report["smdp_cpu_ms_per_download"].is_null());  // the SM-DP+ is another process
  CHECK(report["es9_functions"]["handleNotification"]["calls"] == 3);
  // Kept-alive connections: one per thread at most for all 12 calls, not one per call.
  CHECK(report["connections_opened"].get<int>() >= 1);
  CHECK(report["connections_opened"].get<int>() <= 2);
  // The server's own account, read from its metrics: CPU and its time for each function's 3 calls.
  CHECK(report["server"]["cpu_ms_per_download"].get<double>() > 0);
  for (const char* function :
       {"initiateAuthentication", "authenticateClient", "getBoundProfilePackage", "handleNotification"})
    CHECK(report["server"]["es9_mean_ms"][function].get<double>() > 0);
  std::vector<std::string> shown;
  for (const auto& t : report["targets"]) shown.push_back(t["target"]);
  REQUIRE(shown.size() == 4);
  CHECK(shown[0].find("server CPU per download over HTTPS") == 0);
  CHECK(shown[3].find("complete downloads per second") == 0);
}
