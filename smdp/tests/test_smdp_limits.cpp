// `smdp serve` with a configuration file's "limits" (issue 13): each key changes what the running
// SM-DP+ accepts, and what it refuses shows in /metrics and in its log.
#include <catch2/catch.hpp>

#include <regex>
#include <thread>

#include "http/raw_peer.hpp"
#include "smdp_process_fixture.hpp"
#include "support/child_process.hpp"

namespace {

uint64_t refused(const std::string& metrics, const std::string& reason) {
  std::smatch m;
  REQUIRE(
      std::regex_search(metrics, m, std::regex("\nrsp_http_refused_total\\{reason=\"" + reason + "\"\\} (\\d+)\n")));
  return std::stoull(m[1]);
}

}  // namespace

TEST_CASE("smdp serve: the \"limits\" of its configuration file hold on ES9+, in /metrics and the log",
          "[smdp][process]") {
  smdp::test::SmdpProcessSetup setup("8949449999999990059", "001010000000059");
  auto config = setup.dir.path() / "smdp.json";
  REQUIRE(
      rsp::files::write_atomic(config, rsp::to_bytes(R"({ "es9_listen": "127.0.0.1:0", "metrics_listen": "127.0.0.1:0",
      "limits": { "header_bytes": 2048, "connections_per_peer": 2, "json_depth": 5, "first_byte_seconds": 5 } })")));
  rsp::test::ChildProcess smdp("smdp", setup.dir.path(), setup.serve_args({"--config", config.string()}));
  auto port = static_cast<uint16_t>(std::stoi(smdp.wait_for("ES9\\+ of localhost on https://127.0.0.1:(\\d+)")));
  std::string metrics_url = "http://127.0.0.1:" + smdp.wait_for("metrics on port (\\d+)") + "/metrics";
  std::string es9 = "https://localhost:" + std::to_string(port) + "/gsma/rsp2/es9plus/";
  rsp::http::Headers headers{{"Content-Type", "application/json"}, {"X-Admin-Protocol", "gsma/rsp/v2.2.2"}};
  {
    auto device = rsp::test::client_trusting(setup.ci());
    // header_bytes 2048: 3,000 bytes of header are 431 (the default 8 KiB would take them).
    rsp::http::Headers big = headers;
    big.set("X-Big", std::string(3000, 'h'));
    auto r = device.post(es9 + "initiateAuthentication", "{}", big);
    REQUIRE(r);
    CHECK(r->status == 431);

    // json_depth 5: six levels are the function's malformed request (8.1), as JSON beyond the
    // default bounds always was; five levels get past the JSON check to the missing fields.
    r = device.post(es9 + "initiateAuthentication", R"({"a":[[[[[1]]]]]})", headers);
    REQUIRE(r);
    CHECK(r->body.find("\"8.1\"") != std::string::npos);
    CHECK(r->body.find("nested deeper than 5 levels") != std::string::npos);
    r = device.post(es9 + "initiateAuthentication", R"({"a":[[[[1]]]]})", headers);
    REQUIRE(r);
    CHECK(r->body.find("nested deeper") == std::string::npos);
  }  // the client's kept-alive connection ends
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  // connections_per_peer 2: a third connection from 127.0.0.1 is closed at once; one from
  // 127.0.0.2 is taken (counted below: one refusal only).
  {
    rsp::test::RawPeer first(port, "127.0.0.1"), second(port, "127.0.0.1");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    rsp::test::RawPeer third(port, "127.0.0.1");
    CHECK(third.closed_by_server());
    rsp::test::RawPeer other(port, "127.0.0.2");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  auto metrics = rsp::test::client_trusting(setup.ci()).get(metrics_url);
  REQUIRE(metrics);
  CHECK(refused(metrics->body, "header") == 1);
  CHECK(refused(metrics->body, "json") == 1);
  CHECK(refused(metrics->body, "peer_connections") == 1);
  smdp.wait_for("(event=limit-refused reason=header count=1 peer=127.0.0.1)");
  smdp.wait_for("(event=limit-refused reason=json count=1 detail=\"JSON nested deeper than 5 levels\")");
  smdp.wait_for("(event=limit-refused reason=peer_connections count=1 peer=127.0.0.1)");
  // Served again once 127.0.0.1's connections have ended.
  auto r = rsp::test::client_trusting(setup.ci()).post(es9 + "initiateAuthentication", "{}", headers);
  REQUIRE(r);
  CHECK(r->status == 200);
}
