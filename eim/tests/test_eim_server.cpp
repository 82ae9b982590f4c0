// The eIM server in-process over HTTPS (its eim-tls identity from the PKI): ESipa's ASN.1 and JSON
// bindings driven as an IPA drives them, with the software eUICC running the package; the HTTP face's
// refusals (content type, protocol, path, method), /metrics with the result counters, the
// background expiry, and the configuration file.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "eim/config.hpp"
#include "eim/eim_server.hpp"
#include "eim_card_fixture.hpp"
#include "rsp/esipa/esipa_json.hpp"
#include "rsp/http/client.hpp"

namespace {

using namespace eim::test;
using nlohmann::json;

struct ServerFixture : EimCard {
  std::unique_ptr<eim::EimServer> server;

  void start() {
    eim::EimConfig config;
    config.pki = pki;
    config.listen.push_back({"127.0.0.1:0", {}, {}, {}});
    config.metrics_listen = "127.0.0.1:0";
    config.database = url;
    auto started = eim::EimServer::start(config);
    INFO((started ? "" : started.error().message));
    REQUIRE(started);
    server = std::move(*started);
  }

  rsp::http::Client client() const {
    rsp::http::ClientOptions options;
    options.trusted_cas.push_back(*rsp::pki::load_certificate(pki, Curve::nist_p256, Role::ci));
    return *rsp::http::Client::create(std::move(options));
  }
  std::string url_of(const std::string& path) const {
    return "https://localhost:" + std::to_string(server->port()) + path;
  }
  rsp::http::ClientResponse post(ByteView der, const std::string& type = "application/x-gsma-rsp-asn1",
                                 const std::string& protocol = "gsma/rsp/v2.1.0",
                                 const std::string& path = "/gsma/rsp2/asn1") {
    rsp::http::Headers h;
    h.set("Content-Type", type);
    h.set("X-Admin-Protocol", protocol);
    h.set("User-Agent", "gsma-rsp-ipad");
    auto r = client().post(url_of(path), std::string(der.begin(), der.end()), h);
    REQUIRE(r);
    return *r;
  }
  static Bytes body(const rsp::http::ClientResponse& r) { return Bytes(r.body.begin(), r.body.end()); }
  std::string metrics() const {
    auto r =
        rsp::http::Client::create({})->get("http://127.0.0.1:" + std::to_string(*server->metrics_port()) + "/metrics");
    REQUIRE(r);
    return r->body;
  }
};

}  // namespace

TEST_CASE_METHOD(ServerFixture, "eim server: GetEimPackage, the card runs it, ProvideEimPackageResult over HTTPS",
                 "[eim][server]") {
  auto p = queue({eim::psmo::enable(kIccid1)});
  start();
  CHECK(server->eim_id() == "localhost");  // the eim-tls certificate's DNS name
  Bytes get = tlv(0xBF4F, tlv(0x5A, card->eid_bytes));
  auto fetched = post(get);
  REQUIRE(fetched.status == 200);
  CHECK(fetched.headers.get("Content-Type") == "application/x-gsma-rsp-asn1");
  CHECK(fetched.headers.get("X-Admin-Protocol") == "gsma/rsp/v2.1.0");
  CHECK(body(fetched) == tlv(0xBF4F, p.request));

  Bytes result = call(p.request);
  auto provided = post(tlv(0xBF50, {tlv(0x5A, card->eid_bytes), result}));
  CHECK(provided.status == 200);
  auto ack = rsp::tlv::read(rsp::tlv::read(body(provided))->value);
  REQUIRE(ack);
  CHECK(ack->tag == 0xBF53);
  CHECK(stored(p.id).state == eim::PackageState::executed);
  CHECK(state_of(kIccid1) == euicc::ProfileState::enabled);
  // The same result again, as HandleNotification: 204 without a body, recorded once.
  auto notified = post(tlv(0xBF3D, tlv(0xBF50, {tlv(0x5A, card->eid_bytes), result})));
  CHECK(notified.status == 204);
  CHECK(notified.body.empty());
  // Nothing left.
  CHECK(body(post(get)) == hex("BF4F 03 020101"));

  std::string text = metrics();
  CHECK(text.find(R"(eim_requests_total{interface="esipa",function="GetEimPackage",outcome="delivered"} 1)") !=
        std::string::npos);
  CHECK(text.find(R"(eim_requests_total{interface="esipa",function="ProvideEimPackageResult",outcome="executed"} 1)") !=
        std::string::npos);
  CHECK(text.find(R"(eim_requests_total{interface="esipa",function="HandleNotification",outcome="repeated"} 1)") !=
        std::string::npos);
  CHECK(text.find(R"(eim_esipa_results_total{verdict="verified"} 2)") != std::string::npos);
  CHECK(text.find(R"(eim_esipa_results_total{verdict="refused"} 0)") != std::string::npos);
}

TEST_CASE_METHOD(ServerFixture, "eim server: the JSON binding runs the same service, one path per function",
                 "[eim][server]") {
  using rsp::esipa::Function;
  auto p = queue({eim::psmo::enable(kIccid1)});
  start();
  // The IPA's side of the translation: DER request -> JSON body, JSON answer -> DER.
  auto json_call = [&](Function f, const Bytes& der) {
    auto body = rsp::esipa::request_to_json(der);
    REQUIRE(body);
    auto r = post(rsp::to_bytes(*body), "application/json", "gsma/rsp/v2.1.0",
                  "/gsma/rsp2/esipa/" + std::string(rsp::esipa::function_name(f)));
    INFO(r.body);
    REQUIRE((r.status == 200 || r.status == 204));
    if (r.status == 200) CHECK(r.headers.get("Content-Type")->starts_with("application/json"));
    CHECK(r.headers.get("X-Admin-Protocol") == "gsma/rsp/v2.1.0");
    auto answer = rsp::esipa::response_from_json(f, r.body);
    REQUIRE(answer);
    return *answer;
  };
  Bytes get = tlv(0xBF4F, tlv(0x5A, card->eid_bytes));
  CHECK(json_call(Function::get_eim_package, get) == tlv(0xBF4F, p.request));
  Bytes result = call(p.request);
  Bytes provided = json_call(Function::provide_eim_package_result, tlv(0xBF50, {tlv(0x5A, card->eid_bytes), result}));
  CHECK(rsp::tlv::read(rsp::tlv::read(provided)->value)->tag == 0xBF53);
  CHECK(stored(p.id).state == eim::PackageState::executed);
  CHECK(json_call(Function::get_eim_package, get) == hex("BF4F 03 020101"));  // noEimPackageAvailable
  // An unknown EID: Failed with the mapped status code, back to eidNotFound.
  CHECK(json_call(Function::get_eim_package, tlv(0xBF4F, tlv(0x5A, rsp::eid::to_bytes(kOtherEid).value()))) ==
        hex("BF4F 03 020102"));
  // The same result again as handleNotification: 204, recorded once.
  CHECK(
      json_call(Function::handle_notification, tlv(0xBF3D, tlv(0xBF50, {tlv(0x5A, card->eid_bytes), result}))).empty());
  CHECK(post(rsp::to_bytes("{}"), "application/json", "gsma/rsp/v2.1.0", "/gsma/rsp2/esipa/noSuchFunction").status ==
        404);
  CHECK(
      post(rsp::to_bytes("{\"eidValue\": 5}"), "application/json", "gsma/rsp/v2.1.0", "/gsma/rsp2/esipa/getEimPackage")
          .status == 400);
  CHECK(post(get, "application/x-gsma-rsp-asn1", "gsma/rsp/v2.1.0", "/gsma/rsp2/esipa/getEimPackage").status == 415);
  std::string text = metrics();
  CHECK(text.find(R"(eim_requests_total{interface="esipa-json",function="GetEimPackage",outcome="delivered"} 1)") !=
        std::string::npos);
}

TEST_CASE_METHOD(ServerFixture, "eim server: what never reaches ESipa is refused by the HTTP face", "[eim][server]") {
  start();
  Bytes get = tlv(0xBF4F, tlv(0x5A, card->eid_bytes));
  CHECK(post(get, "application/json").status == 415);
  CHECK(post(get, "text/plain").status == 415);
  CHECK(post(get, "application/x-gsma-rsp-asn1", "gsma/rsp/v1.0.0").status == 400);
  CHECK(post(get, "application/x-gsma-rsp-asn1", "gsma/rsp/v2.1.0", "/gsma/rsp2/es9plus/x").status == 404);
  CHECK(client().get(url_of("/gsma/rsp2/asn1"))->status == 405);
  auto malformed = post(hex("BF4F 02 5A"));
  CHECK(malformed.status == 400);
  CHECK(malformed.body.empty());
  // A content type with parameters is the same type.
  CHECK(post(get, "application/x-gsma-rsp-asn1; charset=binary").status == 200);
  // A body past the limit (twice the largest stored result): 413, or the connection closed while
  // the client was still sending (which of the two depends on timing).
  Bytes large(2 * eim::kMaxPackageResultLength + 1, 0x30);
  rsp::http::Headers h;
  h.set("Content-Type", "application/x-gsma-rsp-asn1");
  h.set("X-Admin-Protocol", "gsma/rsp/v2.1.0");
  auto refused = client().post(url_of("/gsma/rsp2/asn1"), std::string(large.begin(), large.end()), h);
  if (refused) CHECK(refused->status == 413);
  CHECK(post(get).status == 200);  // and the server still serves
}

TEST_CASE_METHOD(ServerFixture, "eim server: packages past their expiry end as expired in the background",
                 "[eim][server]") {
  auto p = queue({eim::psmo::enable(kIccid1)}, -1);  // expired a second ago
  auto fresh = queue({eim::psmo::disable(kIccid1)});
  start();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (stored(p.id).state != eim::PackageState::expired && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(stored(p.id).state == eim::PackageState::expired);
  CHECK(stored(fresh.id).state == eim::PackageState::queued);
  CHECK(body(post(tlv(0xBF4F, tlv(0x5A, card->eid_bytes)))) == tlv(0xBF4F, fresh.request));
}

TEST_CASE("eim configuration: every key from the file, unknown keys and bad values refused", "[eim][server]") {
  rsp::test::TempDir dir;
  auto write = [&](const std::string& text) {
    std::ofstream(dir.path() / "eim.json") << text;
    return eim::load_config(dir.path() / "eim.json");
  };
  auto c = write(R"(// comment
    {"pki": "p", "eim_id": "eim.example.org", "listen": ["127.0.0.1:1", {"listen": "127.0.0.1:2", "curve": "brainpool"}],
     "metrics_listen": "127.0.0.1:3", "database": "sqlite:x.db", "package_lifetime": 60, "handler_threads": 2,
     "limits": {"json_depth": 8, "body_bytes": 1000}, "owner_limits": {"body_bytes": 2000}})");
  REQUIRE(c);
  CHECK(c->limits.json_depth == 8u);
  CHECK(c->limits.body_bytes == 1000u);
  CHECK(c->owner_limits.body_bytes == 2000u);
  CHECK_FALSE(write(R"({"owner_limits": {"json_depth": 8}})"));  // the process's JSON bounds are "limits"'s
  CHECK(c->pki == "p");
  CHECK(c->eim_id == "eim.example.org");
  REQUIRE(c->listen.size() == 2);
  CHECK(c->listen[1].curve == "brainpool");
  CHECK(c->metrics_listen == "127.0.0.1:3");
  CHECK(c->database == "sqlite:x.db");
  CHECK(c->package_lifetime == 60);
  CHECK(c->handler_threads == 2);
  CHECK(write("{}")->database == "sqlite:eim.db");
  CHECK(write("{}")->package_lifetime == 7 * 24 * 3600);
  CHECK(write("{}")->indirect_download);
  auto relay = write(R"({"indirect_download": false, "smdp_port": 8443})");
  REQUIRE(relay);
  CHECK_FALSE(relay->indirect_download);
  CHECK(relay->smdp_port == 8443);
  CHECK_FALSE(write(R"({"smdp_port": 70000})"));
  CHECK_FALSE(write(R"({"indirect_download": "yes"})"));
  auto typo = write(R"({"listen_on": "127.0.0.1:0"})");
  REQUIRE_FALSE(typo);
  CHECK(typo.error().message.find("unknown key \"listen_on\"") != std::string::npos);
  CHECK_FALSE(write(R"({"package_lifetime": 0})"));
  CHECK_FALSE(write(R"({"package_lifetime": "a week"})"));
  // The shipped example is a valid configuration.
  CHECK(eim::load_config(std::filesystem::path(RSP_SOURCE_DIR) / "eim/eim.example.json"));
}
