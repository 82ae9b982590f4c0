// The eim program: serve from a configuration file with a flag over it, GetEimPackage over HTTPS in
// the ASN.1 and JSON bindings, one logfmt line per ESipa call, /metrics, 415 for another content type,
// SIGTERM ends it with exit 0; PostgreSQL as its store (skipped where absent); configuration errors
// are one line and exit 1.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "eim/euicc_package.hpp"
#include "eim/store.hpp"
#include "rsp/eid.hpp"
#include "rsp/esipa/esipa_json.hpp"
#include "rsp/http/client.hpp"
#include "rsp/pki/test_pki.hpp"
#include "rsp/tlv.hpp"
#include "support/child_process.hpp"
#include "support/command.hpp"
#include "support/postgres_harness.hpp"

using nlohmann::json;
using rsp::Bytes;
using rsp::crypto::Curve;
using rsp::crypto::Role;

namespace {

struct EimProcess {
  rsp::test::TempDir dir;
  std::filesystem::path pki = dir.path() / "pki";
  std::string eid = rsp::pki::default_eid();

  EimProcess() { REQUIRE(rsp::pki::make(pki, {})); }

  // The device and one signed package (getRAT) in the eIM's database, as the owner side puts them.
  Bytes queue_package(const std::string& database) {
    auto store = eim::open_eim_store(database).value();
    eim::DeviceRecord d;
    d.eid = eid;
    d.owner = "owner-a";
    d.eim_id = "localhost";
    REQUIRE(store->add_device(d).value());
    eim::PackageRequest r;
    r.eim_id = d.eim_id;
    r.eid = rsp::eid::to_bytes(eid).value();
    r.counter_value = static_cast<uint64_t>(store->reserve_counter(eid).value().value());
    r.eim_transaction_id = Bytes{1, 2, 3};
    r.operations = {eim::psmo::get_rat()};
    eim::PackageRecord p;
    p.eid = eid;
    p.counter_value = static_cast<int64_t>(r.counter_value);
    p.eim_transaction_id = r.eim_transaction_id;
    p.request =
        eim::build_euicc_package_request(r, rsp::pki::load_key(pki, Curve::nist_p256, Role::eim).value()).value();
    p.created = time(nullptr);
    p.expires = p.created + 3600;
    REQUIRE(store->enqueue(p));
    return p.request;
  }

  // GetEimPackage for the PKI's EID over HTTPS, checking the eim-tls certificate under the CI.
  rsp::http::ClientResponse get_eim_package(const std::string& port,
                                            const std::string& type = "application/x-gsma-rsp-asn1") {
    rsp::http::ClientOptions options;
    options.trusted_cas.push_back(rsp::pki::load_certificate(pki, Curve::nist_p256, Role::ci).value());
    Bytes der = rsp::tlv::encode(0xBF4F, rsp::tlv::encode(0x5A, rsp::eid::to_bytes(eid).value()));
    auto r = rsp::http::Client::create(options)->post(
        "https://localhost:" + port + "/gsma/rsp2/asn1", std::string(der.begin(), der.end()),
        {{"Content-Type", type}, {"X-Admin-Protocol", "gsma/rsp/v2.1.0"}});
    REQUIRE(r);
    return *r;
  }
  static Bytes body(const rsp::http::ClientResponse& r) { return Bytes(r.body.begin(), r.body.end()); }
};

}  // namespace

TEST_CASE_METHOD(EimProcess, "eim serve: configuration file and flags, ESipa over HTTPS, logfmt, /metrics, SIGTERM",
                 "[eim][binary]") {
  std::string db = "sqlite:" + (dir.path() / "eim.db").string();
  std::ofstream(dir.path() / "eim.json")
      << json{{"pki", pki.string()}, {"listen", "127.0.0.1:0"}, {"database", "sqlite:/nonexistent-dir/eim.db"}}.dump();
  // --db wins over the file's database.
  rsp::test::ChildProcess eim(
      "eim", dir.path(),
      {"serve", "--config", (dir.path() / "eim.json").string(), "--db", db, "--metrics-listen", "127.0.0.1:0"});
  std::string port = eim.wait_for("eim: ESipa of localhost on https://127.0.0.1:(\\d+)/");
  std::string metrics_port = eim.wait_for("metrics on port (\\d+)");

  auto unknown = get_eim_package(port);
  CHECK(unknown.status == 200);
  CHECK(body(unknown) == Bytes{0xBF, 0x4F, 0x03, 0x02, 0x01, 0x02});  // eidNotFound
  eim.wait_for("interface=esipa function=GetEimPackage eid=" + eid + " outcome=eidNotFound");

  Bytes package = queue_package(db);
  auto delivered = get_eim_package(port);
  CHECK(delivered.status == 200);
  CHECK(delivered.headers.get("X-Admin-Protocol") == "gsma/rsp/v2.1.0");
  CHECK(body(delivered) == rsp::tlv::encode(0xBF4F, package));
  eim.wait_for("interface=esipa function=GetEimPackage eid=" + eid + " outcome=delivered");
  CHECK(get_eim_package(port, "application/json").status == 415);
  // The JSON binding on its function's path: the same service (nothing queued any more).
  {
    rsp::http::ClientOptions options;
    options.trusted_cas.push_back(rsp::pki::load_certificate(pki, Curve::nist_p256, Role::ci).value());
    Bytes der = rsp::tlv::encode(0xBF4F, rsp::tlv::encode(0x5A, rsp::eid::to_bytes(eid).value()));
    auto r = rsp::http::Client::create(options)->post(
        "https://localhost:" + port + "/gsma/rsp2/esipa/getEimPackage", rsp::esipa::request_to_json(der).value(),
        {{"Content-Type", "application/json"}, {"X-Admin-Protocol", "gsma/rsp/v2.1.0"}});
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(rsp::esipa::response_from_json(rsp::esipa::Function::get_eim_package, r->body).value() ==
          Bytes{0xBF, 0x4F, 0x03, 0x02, 0x01, 0x01});
    eim.wait_for("interface=esipa-json function=GetEimPackage eid=" + eid + " outcome=noEimPackageAvailable");
  }

  auto metrics = rsp::http::Client::create({})->get("http://127.0.0.1:" + metrics_port + "/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find(R"(eim_requests_total{interface="esipa",function="GetEimPackage",outcome="delivered"} 1)") !=
        std::string::npos);
  CHECK(eim.stop(SIGTERM) == 0);
  CHECK(eim.output().find("eim: stopping (SIGTERM)") != std::string::npos);
  auto stored = eim::open_eim_store(db).value()->packages_for(eid, 10).value();
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].state == eim::PackageState::delivered);
}

TEST_CASE_METHOD(EimProcess, "eim serve: PostgreSQL as the store", "[eim][binary]") {
  std::string url = rsp::test::shared_postgres().create_schema();
  Bytes package = queue_package(url);
  rsp::test::ChildProcess eim("eim", dir.path(),
                              {"serve", "--pki", pki.string(), "--db", url, "--listen", "127.0.0.1:0"});
  std::string port = eim.wait_for("eim: ESipa of localhost on https://127.0.0.1:(\\d+)/");
  CHECK(body(get_eim_package(port)) == rsp::tlv::encode(0xBF4F, package));
  CHECK(body(get_eim_package(port)) == Bytes{0xBF, 0x4F, 0x03, 0x02, 0x01, 0x01});  // noEimPackageAvailable
  auto rows = rsp::test::shared_postgres().query(url, "SELECT eid, state FROM eim_packages");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0] == std::vector<std::string>{eid, "delivered"});
  CHECK(eim.stop(SIGTERM) == 0);
}

TEST_CASE_METHOD(EimProcess, "eim serve: configuration errors are one line and exit 1", "[eim][binary]") {
  auto run = [&](const std::string& args) {
    return rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/eim serve " + args + " 2>&1");
  };
  auto no_pki = run("--listen 127.0.0.1:0");
  CHECK(no_pki.status == 1);
  CHECK(no_pki.out == "eim: no PKI directory: give --pki or \"pki\" in the configuration\n");
  std::ofstream(dir.path() / "typo.json") << R"({"pki": "x", "listen_on": "127.0.0.1:0"})";
  auto typo = run("--config " + (dir.path() / "typo.json").string());
  CHECK(typo.status == 1);
  CHECK(typo.out.find("unknown key \"listen_on\"") != std::string::npos);
  auto no_listener = run("--pki " + pki.string() + " --db sqlite:" + (dir.path() / "x.db").string());
  CHECK(no_listener.status == 1);
  CHECK(no_listener.out == "eim: no listener (listen)\n");
  auto bad_lifetime = run("--pki " + pki.string() + " --listen 127.0.0.1:0 --package-lifetime=-5");
  CHECK(bad_lifetime.status == 1);
  CHECK(rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/eim 2>&1").status != 0);
}
