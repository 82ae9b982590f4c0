// The smdp program end to end on loopback: `smdp import` fills the inventory, `smdp serve` takes an
// ES2+ order from a pinned operator certificate and serves the download over HTTPS (JSON binding)
// to an LPA played here with the software eUICC; metrics count it; SIGTERM stops it cleanly.
#include <catch2/catch.hpp>

#include "es9_http_lpa.hpp"
#include "http/http_fixture.hpp"
#include "rsp/files.hpp"
#include "rsp/pki/certificate_issuer.hpp"
#include "rsp/pki/test_pki.hpp"
#include "rsp/profile_maker.hpp"
#include "support/child_process.hpp"
#include "support/command.hpp"

namespace {

using rsp::Bytes;
using rsp::tlv::encode;
using smdp::test::json;
using smdp::test::status_of;
namespace fs = std::filesystem;

constexpr const char* kIccid = "8949449999999990031";

json post(const rsp::http::Client& client, const std::string& url, const json& body, int expected_status = 200) {
  auto r = smdp::test::post_json(client, url, body, expected_status);
  INFO((r ? r->dump() : r.error().message));
  REQUIRE(r);
  return *r;
}

}  // namespace

TEST_CASE("smdp serve: an ES2+ order and its download over HTTPS, metrics, graceful stop", "[smdp][process]") {
  rsp::test::TempDir dir;
  fs::path pki = dir.path() / "pki";
  REQUIRE(rsp::pki::make(pki, rsp::pki::MakeOptions{}));  // dp-tls for localhost
  auto ci = rsp::pki::load_certificate(pki, rsp::crypto::Curve::nist_p256, rsp::crypto::Role::ci).value();
  auto operator_identity = rsp::test::self_signed_client("operator-a");
  fs::path operator_pem = dir.path() / "operator-a.pem";
  REQUIRE(rsp::files::write_atomic(operator_pem, operator_identity.chain.front().pem()));
  // A second operator whose pinned certificate has expired: configured, but never let in.
  auto expired_key = rsp::crypto::PrivateKey::generate(rsp::crypto::Curve::nist_p256);
  rsp::pki::CertificateRequest expired_request;
  expired_request.role = rsp::crypto::Role::dp_tls;
  expired_request.subject = {{"CN", "operator-old"}};
  expired_request.not_before = time(nullptr) - 7200;
  expired_request.not_after = time(nullptr) - 3600;
  auto expired_certificate = rsp::pki::issue(expired_request, expired_key, nullptr, expired_key).value();
  fs::path expired_pem = dir.path() / "operator-old.pem";
  REQUIRE(rsp::files::write_atomic(expired_pem, expired_certificate.pem()));
  std::vector<rsp::crypto::Certificate> expired_chain{expired_certificate};
  auto expired_identity = rsp::http::TlsIdentity::make(std::move(expired_chain), std::move(expired_key)).value();

  rsp::ProfileSpec spec;
  spec.iccid = kIccid;
  spec.imsi = "001010000000031";
  spec.ki = Bytes(16, 0x33);
  spec.opc = Bytes(16, 0x44);
  fs::path profile = dir.path() / "profile.der";
  REQUIRE(rsp::files::write_atomic(profile, rsp::make_profile_package(spec).value()));
  std::string db = "sqlite:" + (dir.path() / "smdp.db").string();
  std::string common = " --pki " + pki.string() + " --db " + db + " --operator operator-a=" + operator_pem.string();
  auto imported = rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/smdp import" + common +
                                         " --profile-type test --protect " + profile.string() + " 2>&1");
  INFO(imported.out);
  REQUIRE(imported.status == 0);
  CHECK(imported.out.find("imported " + std::string(kIccid)) != std::string::npos);

  rsp::test::ChildProcess smdp(
      "smdp", dir.path(),
      {"serve", "--pki", pki.string(), "--db", db, "--operator", "operator-a=" + operator_pem.string(), "--operator",
       "operator-old=" + expired_pem.string(), "--es9-listen", "127.0.0.1:0", "--es2-listen", "127.0.0.1:0",
       "--metrics-listen", "127.0.0.1:0"});
  std::string es9 =
      "https://localhost:" + smdp.wait_for("ES9\\+ of localhost on https://127.0.0.1:(\\d+)") + "/gsma/rsp2/es9plus/";
  std::string es2 = "https://localhost:" + smdp.wait_for("ES2\\+ on port (\\d+)") + "/gsma/rsp2/es2plus/";
  std::string metrics = "http://127.0.0.1:" + smdp.wait_for("metrics on port (\\d+)") + "/metrics";

  // ES2+: the operator orders the profile and releases it at once.
  rsp::http::ClientOptions operator_options;
  operator_options.trusted_cas.push_back(ci);
  operator_options.client_identity = operator_identity;
  auto operator_client = rsp::http::Client::create(operator_options).value();
  json header = {{"functionRequesterIdentifier", "operator-a"}, {"functionCallIdentifier", "1"}};
  auto ordered = post(operator_client, es2 + "downloadOrder", {{"header", header}, {"profileType", "test"}});
  REQUIRE(status_of(ordered) == "Executed-Success");
  CHECK(ordered["iccid"] == kIccid);
  auto confirmed =
      post(operator_client, es2 + "confirmOrder", {{"header", header}, {"iccid", kIccid}, {"releaseFlag", true}});
  REQUIRE(status_of(confirmed) == "Executed-Success");
  std::string matching_id = confirmed["matchingId"];
  CHECK(confirmed["smdpAddress"] == "localhost");
  auto code = rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/smdp activation-code" + common + " --iccid " +
                                     kIccid + " --svg " + (dir.path() / "ac.svg").string());
  CHECK(code.status == 0);
  CHECK(code.out == "LPA:1$localhost$" + matching_id + "\n");
  CHECK(rsp::test::read_text(dir.path() / "ac.svg").rfind("<svg", 0) == 0);

  SECTION("the download, as an LPA relays it") {
    euicc::Options card_options;
    card_options.state_dir = dir.path() / "card";
    card_options.pki_dir = pki;
    auto card = euicc::Euicc::open(card_options).value();
    auto device = rsp::test::client_trusting(ci);

    smdp::test::Es9HttpLpa lpa(device, *card, "localhost");
    auto initiated = lpa.initiate_authentication(es9);
    REQUIRE(initiated);
    REQUIRE(status_of(*initiated) == "Executed-Success");
    std::string transaction_id = lpa.transaction_id();
    auto downloaded = lpa.finish_download(es9, es9, matching_id);
    INFO(downloaded.failure);
    REQUIRE(downloaded.failure.empty());
    const Bytes& result = downloaded.installation_result;
    REQUIRE(rsp::tlv::read(result)->tag == 0xBF37);
    REQUIRE(lpa.handle_notification(es9, result));

    auto scraped = device.get(metrics);
    REQUIRE(scraped);
    CHECK(
        scraped->body.find(
            "smdp_requests_total{interface=\"es9\",function=\"getBoundProfilePackage\",outcome=\"Executed-Success\"} 1") !=
        std::string::npos);
    CHECK(scraped->body.find("smdp_request_duration_seconds_count{interface=\"es2\",function=\"confirmOrder\"} 1") !=
          std::string::npos);
    auto cpu = scraped->body.find("\nprocess_cpu_seconds_total ");  // the server's own, for load tests
    REQUIRE(cpu != std::string::npos);
    CHECK(std::stod(scraped->body.substr(cpu + 27)) > 0);
    // The log names the transaction on every step, and holds no key material.
    smdp.wait_for("function=handleNotification transactionId=" + transaction_id + " outcome=Executed-Success");
    CHECK(smdp.output().find("PRIVATE KEY") == std::string::npos);
  }
  SECTION("refusals at the door") {
    auto device = rsp::test::client_trusting(ci);
    rsp::http::Headers no_protocol{{"Content-Type", "application/json"}};
    auto r = device.post(es9 + "initiateAuthentication", "{}", no_protocol);
    REQUIRE(r);
    CHECK(json::parse(r->body)["header"]["functionExecutionStatus"]["status"] == "Failed");
    CHECK_FALSE(device.post(es2 + "downloadOrder", "{}", no_protocol));  // no client certificate: no TLS session
    rsp::http::ClientOptions stranger;
    stranger.trusted_cas.push_back(ci);
    stranger.client_identity = rsp::test::self_signed_client("operator-x");
    CHECK_FALSE(rsp::http::Client::create(stranger)->post(es2 + "downloadOrder", "{}", no_protocol));
    stranger.client_identity = expired_identity;  // pinned, but expired
    CHECK_FALSE(rsp::http::Client::create(stranger)->post(es2 + "downloadOrder", "{}", no_protocol));
    auto unknown =
        post(device, es9 + "authenticateClient",
             {{"transactionId", "00112233445566778899AABBCCDDEEFF"}, {"authenticateServerResponse", "AA=="}});
    CHECK(status_of(unknown) == "Failed");
    // The ASN.1 binding shares the listener: a body naming no function is a bad request; a
    // request for another SM-DP+ gets initiateAuthentication's error alternative.
    std::string asn1_url = es9.substr(0, es9.find("/gsma/")) + "/gsma/rsp2/asn1";
    rsp::http::Headers asn1{{"Content-Type", "application/x-gsma-rsp-asn1"}, {"X-Admin-Protocol", "gsma/rsp/v2.2.2"}};
    auto junk = device.post(asn1_url, "not DER", asn1);
    REQUIRE(junk);
    CHECK(junk->status == 400);
    Bytes request = encode(
        0xA2, encode(0xBF39, rsp::concat({encode(0x81, Bytes(16, 1)), encode(0x83, rsp::to_bytes("elsewhere.example")),
                                          rsp::test::hex("BF2000")})));
    auto refused = device.post(asn1_url, std::string(request.begin(), request.end()), asn1);
    REQUIRE(refused);
    CHECK(refused->status == 200);
    CHECK(refused->headers.get("Content-Type") == std::optional<std::string_view>("application/x-gsma-rsp-asn1"));
    CHECK(rsp::to_hex(rsp::to_bytes(refused->body)).rfind("A2", 0) == 0);
  }
  CHECK(smdp.stop(SIGTERM) == 0);
  CHECK(smdp.output().find("stopping (SIGTERM)") != std::string::npos);
}
