// The SM-DS server in-process over HTTPS: ES12 for pinned SM-DP+s only (a client certificate that
// is not pinned fails the TLS handshake, none gets 403), the JSON face's checks, /metrics, the
// configuration file.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "rsp/eid.hpp"
#include "rsp/http/client.hpp"
#include "rsp/pki/test_pki.hpp"
#include "smds/smds_server.hpp"
#include "support/kit.hpp"

using namespace smds;
using nlohmann::json;
using rsp::crypto::Role;

namespace {

const std::string kEid = *rsp::eid::complete("890490320000000000000000000001");

struct SmdsFixture {
  rsp::test::TempDir dir;
  std::filesystem::path pki = dir.path() / "pki";
  std::unique_ptr<SmdsServer> server;

  SmdsFixture() {
    REQUIRE(rsp::pki::make(pki, {}));
    SmdsConfig config;
    config.pki = pki;
    config.listen.push_back({"127.0.0.1:0", {}, {}, {}});
    config.metrics_listen = "127.0.0.1:0";
    config.database = "sqlite:" + (dir.path() / "smds.db").string();
    // The SM-DP+ of this PKI, pinned by its TLS certificate.
    config.smdps.push_back({"smdp-a", rsp::pki::certificate_path(pki, rsp::crypto::Curve::nist_p256, Role::dp_tls)});
    auto started = SmdsServer::start(config);
    INFO((started ? "" : started.error().message));
    REQUIRE(started);
    server = std::move(*started);
  }

  rsp::http::Client client(std::optional<Role> identity) const {
    rsp::http::ClientOptions options;
    options.trusted_cas.push_back(*rsp::pki::load_certificate(pki, rsp::crypto::Curve::nist_p256, Role::ci));
    if (identity)
      options.client_identity = *rsp::http::TlsIdentity::from_pki(pki, rsp::crypto::Curve::nist_p256, *identity);
    return *rsp::http::Client::create(std::move(options));
  }
  std::string url(const std::string& path) const {
    return "https://localhost:" + std::to_string(server->port()) + path;
  }
  static rsp::http::Headers headers(const std::string& protocol = "gsma/rsp/v2.5.0") {
    rsp::http::Headers h;
    h.set("Content-Type", "application/json");
    h.set("X-Admin-Protocol", protocol);
    return h;
  }
  static json register_request(const std::string& event_id) {
    return {{"header", {{"functionRequesterIdentifier", "smdp-a"}, {"functionCallIdentifier", "1"}}},
            {"eid", kEid},
            {"rspServerAddress", "localhost"},
            {"eventId", event_id},
            {"forwardingIndicator", false}};
  }
};

std::string status_of(const rsp::http::ClientResponse& r) {
  auto body = json::parse(r.body);
  const auto& s = body["header"]["functionExecutionStatus"];
  if (s["status"] == "Executed-Success") return "ok";
  return s["statusCodeData"]["subjectCode"].get<std::string>() + "/" +
         s["statusCodeData"]["reasonCode"].get<std::string>();
}

}  // namespace

TEST_CASE_METHOD(SmdsFixture, "smds server: a pinned SM-DP+ registers and deletes an event over mutual TLS",
                 "[smds][es12]") {
  CHECK(server->smds_address() == "localhost");  // the ds-tls certificate's DNS name
  auto smdp = client(Role::dp_tls);
  auto registered = smdp.post(url("/gsma/rsp2/es12/registerEvent"), register_request("EV-1").dump(), headers());
  REQUIRE(registered);
  CHECK(registered->status == 200);
  CHECK(registered->headers.get("X-Admin-Protocol") == "gsma/rsp/v2.5.0");
  CHECK(json::parse(registered->body) ==
        json::parse(R"({"header":{"functionExecutionStatus":{"status":"Executed-Success"}}})"));
  CHECK(status_of(*smdp.post(url("/gsma/rsp2/es12/registerEvent"), register_request("EV-1").dump(), headers())) ==
        "8.9.5/3.3");
  json remove = {{"header", {{"functionRequesterIdentifier", "smdp-a"}, {"functionCallIdentifier", "2"}}},
                 {"eid", kEid},
                 {"eventId", "EV-1"}};
  CHECK(status_of(*smdp.post(url("/gsma/rsp2/es12/deleteEvent"), remove.dump(), headers())) == "ok");
  CHECK(status_of(*smdp.post(url("/gsma/rsp2/es12/deleteEvent"), remove.dump(), headers())) == "8.9.5/3.9");
  // The JSON face's own refusals.
  CHECK(status_of(*smdp.post(url("/gsma/rsp2/es12/registerEvent"), "{}", headers("gsma/rsp/v1.0.0"))) == "1.2.2/2.1");
  rsp::http::Headers text = headers();
  text.set("Content-Type", "text/plain");
  CHECK(status_of(*smdp.post(url("/gsma/rsp2/es12/registerEvent"), "{}", text)) == "1.2.2/2.1");
  CHECK(smdp.post(url("/gsma/rsp2/es12/listEvents"), "{}", headers())->status == 404);
  CHECK(smdp.get(url("/gsma/rsp2/es12/registerEvent"))->status == 405);

  auto metrics =
      rsp::http::Client::create({})->get("http://127.0.0.1:" + std::to_string(*server->metrics_port()) + "/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find(
            "smds_requests_total{interface=\"es12\",function=\"registerEvent\",outcome=\"Executed-Success\"} 1") !=
        std::string::npos);
  CHECK(metrics->body.find(
            "smds_requests_total{interface=\"es12\",function=\"registerEvent\",outcome=\"8.9.5/3.3\"} 1") !=
        std::string::npos);
}

TEST_CASE_METHOD(SmdsFixture, "smds server: ES12 refuses callers that are not pinned SM-DP+s", "[smds][es12]") {
  // No client certificate (a device's connection): 403.
  auto device = client(std::nullopt);
  auto anonymous = device.post(url("/gsma/rsp2/es12/registerEvent"), register_request("EV-2").dump(), headers());
  REQUIRE(anonymous);
  CHECK(anonymous->status == 403);
  // A certificate of the same CI that is not pinned (the SM-DS's own): no TLS session.
  auto stranger =
      client(Role::ds_tls).post(url("/gsma/rsp2/es12/registerEvent"), register_request("EV-2").dump(), headers());
  CHECK_FALSE(stranger);
  // Nothing was registered.
  CHECK(status_of(*client(Role::dp_tls)
                       .post(url("/gsma/rsp2/es12/registerEvent"), register_request("EV-2").dump(), headers())) ==
        "ok");
}

TEST_CASE("smds configuration: every key read, unknown keys and bad types refused", "[smds]") {
  rsp::test::TempDir dir;
  auto write = [&](const std::string& text) {
    std::ofstream(dir.path() / "smds.json") << text;
    return load_config(dir.path() / "smds.json");
  };
  auto config = write(R"({
    // comments are allowed
    "pki": "pki", "smds_address": "smds.example.org", "listen": ["0.0.0.0:8443", {"listen": "0.0.0.0:8444", "curve": "brainpool"}],
    "metrics_listen": "127.0.0.1:9465", "database": "sqlite:x.db", "smdps": [{"name": "a", "client_certificate": "a.pem"}],
    "root_smds": "root.example.org", "event_lifetime": 60, "session_lifetime": 30, "max_pending_sessions": 5,
    "max_events_per_eid": 4, "handler_threads": 2, "limits": {"connections_per_peer": 8, "idle_seconds": 5} })");
  REQUIRE(config);
  CHECK(config->limits.connections_per_peer == 8u);
  CHECK(config->limits.idle_seconds == 5.0);
  CHECK_FALSE(config->limits.body_bytes);
  CHECK_FALSE(write(R"({"limits": {"connections_per_peer": 0}})"));
  CHECK(config->listen.size() == 2);
  CHECK(config->listen[1].curve == "brainpool");
  CHECK(config->smdps.at(0).name == "a");
  CHECK(config->root_smds == "root.example.org");
  CHECK(config->max_events_per_eid == 4);
  CHECK(config->handler_threads == 2);
  CHECK_FALSE(write(R"({"pki": "pki", "smdp_address": "typo"})"));
  CHECK_FALSE(write(R"({"event_lifetime": "long"})"));
  CHECK_FALSE(write(R"({"smdps": [{"name": "a"}]})"));
  // The example configuration in the source tree reads.
  CHECK(load_config(std::filesystem::path(RSP_SOURCE_DIR) / "smds/smds.example.json"));
}

TEST_CASE_METHOD(SmdsFixture,
                 "smds server: ES11 on both JSON path families and the ASN.1 path, without a client certificate",
                 "[smds][es11]") {
  auto device = client(std::nullopt);
  json unknown = {{"transactionId", "0102"}, {"authenticateServerResponse", "vzgA"}};
  for (const char* path : {"/gsma/rsp2/es9plus/authenticateClient", "/gsma/rsp2/es11/authenticateClient"}) {
    INFO(path);
    auto r = device.post(url(path), unknown.dump(), headers());
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(status_of(*r) == "8.10.1/3.9");
  }
  auto malformed = device.post(url("/gsma/rsp2/es11/initiateAuthentication"), "{}", headers());
  REQUIRE(malformed);
  CHECK(status_of(*malformed) == "8.1/2.2");
  CHECK(device.post(url("/gsma/rsp2/es11/getBoundProfilePackage"), "{}", headers())->status == 404);
  CHECK(device.post(url("/gsma/rsp2/other"), "{}", headers())->status == 404);
  // The ASN.1 binding: its own content type; a body that names no function is 400.
  CHECK(device.post(url("/gsma/rsp2/asn1"), "0", headers())->status == 415);
  rsp::http::Headers asn1 = headers();
  asn1.set("Content-Type", "application/x-gsma-rsp-asn1");
  CHECK(device.post(url("/gsma/rsp2/asn1"), std::string("\x30\x00", 2), asn1)->status == 400);
  auto answer = device.post(url("/gsma/rsp2/asn1"), std::string("\xA2\x07\xBF\x3B\x04\x80\x02\x01\x02", 9), asn1);
  REQUIRE(answer);
  // No authenticateServerResponse: the function's error alternative (undefinedError), under one BF40.
  CHECK(answer->body == std::string("\xA2\x06\xBF\x40\x03\x81\x01\x7F", 8));
}
