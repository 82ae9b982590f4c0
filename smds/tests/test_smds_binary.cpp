// The smds program: serve from a configuration file with a flag over it, one logfmt line per ES12
// call, /metrics, SIGTERM ends it with exit 0; PostgreSQL as its store (skipped where absent);
// configuration errors are one line and exit 1.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "rsp/eid.hpp"
#include "rsp/http/client.hpp"
#include "rsp/pki/test_pki.hpp"
#include "smds/event_store.hpp"
#include "support/child_process.hpp"
#include "support/command.hpp"
#include "support/postgres_harness.hpp"

using nlohmann::json;
using rsp::crypto::Curve;
using rsp::crypto::Role;

namespace {

struct SmdsProcess {
  rsp::test::TempDir dir;
  std::filesystem::path pki = dir.path() / "pki";
  std::string dp_tls = rsp::pki::certificate_path(pki, Curve::nist_p256, Role::dp_tls).replace_extension(".pem").string();

  SmdsProcess() { REQUIRE(rsp::pki::make(pki, {})); }

  // RegisterEvent as the PKI's SM-DP+; the answer's status.
  static std::string register_event(const std::filesystem::path& pki, const std::string& port, const std::string& event_id) {
    rsp::http::ClientOptions options;
    options.trusted_cas.push_back(rsp::pki::load_certificate(pki, Curve::nist_p256, Role::ci).value());
    options.client_identity = *rsp::http::TlsIdentity::from_pki(pki, Curve::nist_p256, Role::dp_tls);
    json body = {{"header", {{"functionRequesterIdentifier", "localhost"}, {"functionCallIdentifier", "1"}}},
                 {"eid", rsp::pki::default_eid()}, {"rspServerAddress", "localhost"}, {"eventId", event_id},
                 {"forwardingIndicator", false}};
    auto r = rsp::http::Client::create(options)->post("https://localhost:" + port + "/gsma/rsp2/es12/registerEvent", body.dump(),
                                                      {{"Content-Type", "application/json"}, {"X-Admin-Protocol", "gsma/rsp/v2.5.0"}});
    REQUIRE(r);
    return json::parse(r->body)["header"]["functionExecutionStatus"]["status"];
  }
};

}  // namespace

TEST_CASE_METHOD(SmdsProcess, "smds serve: configuration file and flags, logfmt, /metrics, SIGTERM", "[smds][binary]") {
  std::string db = "sqlite:" + (dir.path() / "smds.db").string();
  std::ofstream(dir.path() / "smds.json") << json{{"pki", pki.string()},
                                                  {"listen", "127.0.0.1:0"},
                                                  {"database", "sqlite:/nonexistent-dir/smds.db"},
                                                  {"smdps", {{{"name", "smdp-a"}, {"client_certificate", dp_tls}}}}}
                                                 .dump();
  // --db wins over the file's database.
  rsp::test::ChildProcess smds("smds", dir.path(),
                               {"serve", "--config", (dir.path() / "smds.json").string(), "--db", db, "--metrics-listen", "127.0.0.1:0"});
  std::string port = smds.wait_for("ES11 and ES12 of localhost on https://127.0.0.1:(\\d+)/");
  std::string metrics_port = smds.wait_for("metrics on port (\\d+)");
  CHECK(register_event(pki, port, "EV-1") == "Executed-Success");
  smds.wait_for("interface=es12 function=registerEvent smdp=smdp-a outcome=Executed-Success");
  auto metrics = rsp::http::Client::create({})->get("http://127.0.0.1:" + metrics_port + "/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find("smds_requests_total{interface=\"es12\",function=\"registerEvent\",outcome=\"Executed-Success\"} 1") !=
        std::string::npos);
  CHECK(smds.stop(SIGTERM) == 0);
  CHECK(smds.output().find("smds: stopping (SIGTERM)") != std::string::npos);
  CHECK(smds::open_event_store(db).value()->event(rsp::pki::default_eid(), "EV-1").value());
}

TEST_CASE_METHOD(SmdsProcess, "smds serve: PostgreSQL as the store", "[smds][binary]") {
  std::string url = rsp::test::shared_postgres().create_schema();
  rsp::test::ChildProcess smds("smds", dir.path(),
                               {"serve", "--pki", pki.string(), "--db", url, "--listen", "127.0.0.1:0", "--smdp", "smdp-a=" + dp_tls});
  std::string port = smds.wait_for("ES11 and ES12 of localhost on https://127.0.0.1:(\\d+)/");
  CHECK(register_event(pki, port, "EV-PG") == "Executed-Success");
  auto rows = rsp::test::shared_postgres().query(url, "SELECT event_id, smdp FROM events");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0] == std::vector<std::string>{"EV-PG", "smdp-a"});
  CHECK(smds.stop(SIGTERM) == 0);
}

TEST_CASE_METHOD(SmdsProcess, "smds serve: configuration errors are one line and exit 1", "[smds][binary]") {
  auto run = [&](const std::string& args) {
    return rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/smds serve " + args + " 2>&1");
  };
  auto no_pki = run("--listen 127.0.0.1:0");
  CHECK(no_pki.status == 1);
  CHECK(no_pki.out == "smds: no PKI directory: give --pki or \"pki\" in the configuration\n");
  auto bad_pin = run("--pki " + pki.string() + " --listen 127.0.0.1:0 --smdp smdp-a");
  CHECK(bad_pin.status == 1);
  CHECK(bad_pin.out.find("--smdp wants NAME=CLIENT_CERT.pem") != std::string::npos);
  std::ofstream(dir.path() / "typo.json") << R"({"pki": "x", "listen_on": "127.0.0.1:0"})";
  auto typo = run("--config " + (dir.path() / "typo.json").string());
  CHECK(typo.status == 1);
  CHECK(typo.out.find("unknown key \"listen_on\"") != std::string::npos);
  auto missing_certificate = run("--pki " + pki.string() + " --listen 127.0.0.1:0 --smdp smdp-a=/nonexistent.pem --db sqlite:" +
                                 (dir.path() / "x.db").string());
  CHECK(missing_certificate.status == 1);
  CHECK(missing_certificate.out.find("SM-DP+ smdp-a") != std::string::npos);
}
