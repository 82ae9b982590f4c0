// SIGHUP to `smdp serve`: an operator's new pinned certificate gets into ES2+ and the old one no
// longer does; an operator added to the configuration is refused until a restart (its callbacks and
// ES2+'s requester check are set up at the start) and the running pins stay.
#include <catch2/catch.hpp>

#include <csignal>

#include "smdp_process_fixture.hpp"
#include "support/child_process.hpp"

namespace {

// Whether `identity` gets an answer from ES2+ (client certificates are required there).
bool es2_answers(const smdp::test::SmdpProcessSetup& setup, const std::string& port,
                 const rsp::http::TlsIdentity& identity) {
  rsp::http::ClientOptions options;
  options.trusted_cas.push_back(setup.ci());
  options.client_identity = identity;
  options.total_timeout = std::chrono::seconds(20);
  auto r = rsp::http::Client::create(options)->post("https://localhost:" + port + "/gsma/rsp2/es2plus/downloadOrder",
                                                    "{}", smdp::test::es2_json_headers());
  return r && r->status == 200;
}

}  // namespace

TEST_CASE("smdp serve: SIGHUP reloads the operators' certificates, a new operator waits for a restart",
          "[reload][binary]") {
  smdp::test::SmdpProcessSetup setup("8949449999999990056", "001010000000056");
  auto config = setup.dir.path() / "smdp.json";
  REQUIRE(rsp::files::write_atomic(config, rsp::to_bytes("{}")));
  rsp::test::ChildProcess smdp(
      "smdp", setup.dir.path(),
      setup.serve_args({"--config", config.string(), "--es9-listen", "127.0.0.1:0", "--es2-listen", "127.0.0.1:0"}));
  std::string port = smdp.wait_for("ES2\\+ on port (\\d+)");
  auto renewed = rsp::test::self_signed_client("operator-a renewed");
  CHECK(es2_answers(setup, port, setup.operator_identity));
  CHECK_FALSE(es2_answers(setup, port, renewed));

  REQUIRE(rsp::files::write_atomic(setup.operator_pem, renewed.chain.front().pem()));
  smdp.send(SIGHUP);
  smdp.wait_for("event=reloaded");
  CHECK(es2_answers(setup, port, renewed));
  CHECK_FALSE(es2_answers(setup, port, setup.operator_identity));

  REQUIRE(
      rsp::files::write_atomic(config, rsp::to_bytes(R"({"operators": [{"id": "operator-b", "client_certificate": ")" +
                                                     setup.operator_pem.string() + R"("}]})")));
  smdp.send(SIGHUP);
  smdp.wait_for("event=reload-failed error=\"operator operator-b is new");
  CHECK(es2_answers(setup, port, renewed));
  CHECK(smdp.stop(SIGTERM) == 0);
}
