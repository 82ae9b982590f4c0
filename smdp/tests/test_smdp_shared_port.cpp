// ES2+ and ES9+ on one port: `smdp serve` with es2_on_es9_listener takes an operator's ES2+ order
// (its pinned client certificate) and a device's ES9+ call (no client certificate) on the same
// listener; ES2+ without an operator's certificate is 403, a stranger's certificate fails the
// handshake. Also which configurations share a listener (shared_es2_listener).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "euicc/euicc.hpp"
#include "rsp/tlv.hpp"
#include "smdp/config.hpp"
#include "smdp_process_fixture.hpp"
#include "support/child_process.hpp"

namespace {

using nlohmann::json;
using rsp::Bytes;
using smdp::test::es2_json_headers;

json post(const rsp::http::Client& client, const std::string& url, const json& body) {
  auto r = client.post(url, body.dump(), es2_json_headers());
  INFO((r ? r->body : r.error().message));
  REQUIRE(r);
  REQUIRE(r->status == 200);
  return json::parse(r->body);
}

std::string status_of(const json& response) { return response["header"]["functionExecutionStatus"]["status"]; }

Bytes es10(euicc::Euicc& card, const Bytes& command) {
  auto r = card.isdr().store_data(command);
  REQUIRE(r);
  return *r;
}

smdp::ListenerConfig at(const std::string& listen) { return smdp::ListenerConfig{listen, {}, {}, {}}; }

}  // namespace

TEST_CASE("smdp serve: ES2+ and ES9+ on one port", "[smdp][process]") {
  smdp::test::SmdpProcessSetup setup("8949449999999990049", "001010000000049");
  auto ci = setup.ci();
  // The configuration file's key, with port 0 (equal addresses with port 0 are two ports).
  auto config = setup.dir.path() / "smdp.json";
  REQUIRE(rsp::files::write_atomic(config,
                                   rsp::to_bytes(R"({ "es9_listen": "127.0.0.1:0", "es2_on_es9_listener": true })")));
  rsp::test::ChildProcess smdp("smdp", setup.dir.path(), setup.serve_args({"--config", config.string()}));
  std::string port = smdp.wait_for("ES9\\+ of localhost on https://127.0.0.1:(\\d+)");
  CHECK(smdp.wait_for("ES2\\+ on port (\\d+) \\(shared with ES9\\+\\)") == port);
  std::string base = "https://localhost:" + port + "/gsma/rsp2/";

  // ES2+ with the operator's certificate.
  auto operator_client = setup.operator_client();
  smdp::test::order_and_release(operator_client, base + "es2plus/", setup.iccid);

  // ES9+ from a device without any client certificate, on the same port.
  euicc::Options card_options;
  card_options.state_dir = setup.dir.path() / "card";
  card_options.pki_dir = setup.pki;
  auto card = euicc::Euicc::open(card_options).value();
  auto device = rsp::test::client_trusting(ci);
  Bytes info1 = es10(*card, rsp::test::hex("BF2000"));
  Bytes challenge_response = es10(*card, rsp::test::hex("BF2E00"));
  auto challenge = rsp::tlv::find(rsp::tlv::read(challenge_response)->value, 0x80).value();
  auto initiated = post(device, base + "es9plus/initiateAuthentication",
                        {{"smdpAddress", "localhost"},
                         {"euiccChallenge", rsp::to_base64(Bytes(challenge.value.begin(), challenge.value.end()))},
                         {"euiccInfo1", rsp::to_base64(info1)}});
  CHECK(status_of(initiated) == "Executed-Success");
  CHECK(initiated.contains("transactionId"));

  // ES2+ without an operator's certificate: a TLS session, but 403; a stranger's: no TLS session.
  json header = {{"functionRequesterIdentifier", "operator-a"}, {"functionCallIdentifier", "2"}};
  auto anonymous = device.post(base + "es2plus/downloadOrder", json{{"header", header}, {"profileType", "test"}}.dump(),
                               es2_json_headers());
  REQUIRE(anonymous);
  CHECK(anonymous->status == 403);
  rsp::http::ClientOptions stranger;
  stranger.trusted_cas.push_back(ci);
  stranger.client_identity = rsp::test::self_signed_client("operator-x");
  CHECK_FALSE(
      rsp::http::Client::create(stranger)->post(base + "es9plus/initiateAuthentication", "{}", es2_json_headers()));
  // The operator reaches ES9+ too (its certificate changes nothing there).
  auto unknown = post(operator_client, base + "es9plus/authenticateClient",
                      {{"transactionId", "00112233445566778899AABBCCDDEEFF"}, {"authenticateServerResponse", "AA=="}});
  CHECK(status_of(unknown) == "Failed");

  CHECK(smdp.stop(SIGTERM) == 0);
  CHECK(smdp.output().find("interface=es2 function=downloadOrder operator=operator-a outcome=Executed-Success") !=
        std::string::npos);
}
TEST_CASE("Which configurations serve ES2+ on an ES9+ listener", "[smdp]") {
  smdp::SmdpConfig c;
  c.es9 = {at("127.0.0.1:8443"), at("127.0.0.1:8444")};
  CHECK(smdp::shared_es2_listener(c).value() == std::nullopt);  // no ES2+ at all
  c.es2 = at("127.0.0.1:8543");
  CHECK(smdp::shared_es2_listener(c).value() == std::nullopt);  // a port of its own
  c.es2 = at("127.0.0.1:8444");
  CHECK(smdp::shared_es2_listener(c).value() == std::optional<size_t>(1));  // the same address
  c.es9 = {at("127.0.0.1:0")};
  c.es2 = at("127.0.0.1:0");
  CHECK(smdp::shared_es2_listener(c).value() == std::nullopt);  // two ephemeral ports
  c.es2_on_es9_listener = true;
  CHECK(smdp::shared_es2_listener(c).value() == std::optional<size_t>(0));
  c.es2.reset();
  CHECK(smdp::shared_es2_listener(c).value() == std::optional<size_t>(0));  // the first ES9+ listener
  c.es2 = at("127.0.0.1:9999");
  CHECK_FALSE(smdp::shared_es2_listener(c));  // names no ES9+ listener
  c.es2 = at("127.0.0.1:0");
  c.es2->tls_certificate = "other.pem";
  CHECK_FALSE(smdp::shared_es2_listener(c));  // one listener, one TLS identity
}
