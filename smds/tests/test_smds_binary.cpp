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
  std::string dp_tls =
      rsp::pki::certificate_path(pki, Curve::nist_p256, Role::dp_tls).replace_extension(".pem").string();

  SmdsProcess() { REQUIRE(rsp::pki::make(pki, {})); }

  // RegisterEvent as the PKI's SM-DP+; the answer's status.
  static std::string register_event(const std::filesystem::path& pki, const std::string& port,
                                    const std::string& event_id) {
    rsp::http::ClientOptions options;
    options.trusted_cas.push_back(rsp::pki::load_certificate(pki, Curve::nist_p256, Role::ci).value());
    options.client_identity = *rsp::http::TlsIdentity::from_pki(pki, Curve::nist_p256, Role::dp_tls);
    json body = {{"header", {{"functionRequesterIdentifier", "localhost"}, {"functionCallIdentifier", "1"}}},
                 {"eid", rsp::pki::default_eid()},
                 {"rspServerAddress", "localhost"},
                 {"eventId", event_id},
                 {"forwardingIndicator", false}};
    auto r = rsp::http::Client::create(options)->post(
        "https://localhost:" + port + "/gsma/rsp2/es12/registerEvent", body.dump(),
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
  rsp::test::ChildProcess smds(
      "smds", dir.path(),
      {"serve", "--config", (dir.path() / "smds.json").string(), "--db", db, "--metrics-listen", "127.0.0.1:0"});
  std::string port = smds.wait_for("ES11 and ES12 of localhost on https://127.0.0.1:(\\d+)/");
  std::string metrics_port = smds.wait_for("metrics on port (\\d+)");
  CHECK(register_event(pki, port, "EV-1") == "Executed-Success");
  smds.wait_for("interface=es12 function=registerEvent smdp=smdp-a outcome=Executed-Success");
  auto metrics = rsp::http::Client::create({})->get("http://127.0.0.1:" + metrics_port + "/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find(
            "smds_requests_total{interface=\"es12\",function=\"registerEvent\",outcome=\"Executed-Success\"} 1") !=
        std::string::npos);
  CHECK(smds.stop(SIGTERM) == 0);
  CHECK(smds.output().find("smds: stopping (SIGTERM)") != std::string::npos);
  CHECK(smds::open_event_store(db).value()->event(rsp::pki::default_eid(), "EV-1").value());
}

TEST_CASE_METHOD(SmdsProcess, "smds serve: PostgreSQL as the store", "[smds][binary]") {
  std::string url = rsp::test::shared_postgres().create_schema();
  rsp::test::ChildProcess smds(
      "smds", dir.path(),
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
  auto missing_certificate =
      run("--pki " + pki.string() +
          " --listen 127.0.0.1:0 --smdp smdp-a=/nonexistent.pem --db sqlite:" + (dir.path() / "x.db").string());
  CHECK(missing_certificate.status == 1);
  CHECK(missing_certificate.out.find("SM-DP+ smdp-a") != std::string::npos);
}

TEST_CASE_METHOD(SmdsProcess, "smds serve: an alternative SM-DS cascades forwarded registrations to the root SM-DS",
                 "[smds][binary]") {
  // Both from one PKI: the root pins the alternative by the ds-tls certificate it presents.
  std::string ds_tls =
      rsp::pki::certificate_path(pki, Curve::nist_p256, Role::ds_tls).replace_extension(".pem").string();
  std::string root_db = "sqlite:" + (dir.path() / "root.db").string(),
              alt_db = "sqlite:" + (dir.path() / "alt.db").string();
  auto root = std::make_unique<rsp::test::ChildProcess>(
      "smds", dir.path(),
      std::vector<std::string>{"serve", "--pki", pki.string(), "--db", root_db, "--listen", "127.0.0.1:0", "--smdp",
                               "alt=" + ds_tls});
  std::string root_port = root->wait_for("ES11 and ES12 of localhost on https://127.0.0.1:(\\d+)/");
  rsp::test::ChildProcess alt(
      "smds", dir.path(),
      {"serve", "--pki", pki.string(), "--db", alt_db, "--listen", "127.0.0.1:0", "--smdp", "smdp-a=" + dp_tls,
       "--smds-address", "alt.example.org", "--root-smds", "localhost:" + root_port});
  std::string alt_port = alt.wait_for("ES11 and ES12 of alt.example.org on https://127.0.0.1:(\\d+)/");
  auto post = [&](const std::string& function, json body) {
    rsp::http::ClientOptions options;
    options.trusted_cas.push_back(rsp::pki::load_certificate(pki, Curve::nist_p256, Role::ci).value());
    options.client_identity = *rsp::http::TlsIdentity::from_pki(pki, Curve::nist_p256, Role::dp_tls);
    body["header"] = {{"functionRequesterIdentifier", "localhost"}, {"functionCallIdentifier", "1"}};
    auto r = rsp::http::Client::create(options)->post(
        "https://localhost:" + alt_port + "/gsma/rsp2/es12/" + function, body.dump(),
        {{"Content-Type", "application/json"}, {"X-Admin-Protocol", "gsma/rsp/v2.5.0"}});
    REQUIRE(r);
    INFO(r->body);
    json answer = json::parse(r->body);
    const json& s = answer["header"]["functionExecutionStatus"];
    return s["status"] == "Executed-Success" ? std::string("ok")
                                             : s["statusCodeData"]["subjectCode"].get<std::string>() + "/" +
                                                   s["statusCodeData"]["reasonCode"].get<std::string>();
  };
  const std::string eid = rsp::pki::default_eid();
  auto registration = [&](const std::string& id, bool forward) {
    return json{{"eid", eid}, {"rspServerAddress", "localhost"}, {"eventId", id}, {"forwardingIndicator", forward}};
  };
  auto at = [&](const std::string& db) { return smds::open_event_store(db).value()->events_for_eid(eid, 10).value(); };

  CHECK(post("registerEvent", registration("CASCADED", true)) == "ok");
  CHECK(post("registerEvent", registration("LOCAL", false)) == "ok");
  auto root_events = at(root_db);
  REQUIRE(root_events.size() == 1);
  CHECK(root_events[0].event_id == "CASCADED");
  CHECK(root_events[0].rsp_server_address == "alt.example.org");  // the device asks the alternative SM-DS next
  CHECK(root_events[0].smdp == "alt");
  CHECK(at(alt_db).size() == 2);

  CHECK(post("deleteEvent", {{"eid", eid}, {"eventId", "CASCADED"}}) == "ok");
  CHECK(at(root_db).empty());
  CHECK(at(alt_db).size() == 1);

  // The root down: 8.9/5.1, nothing kept at the alternative.
  root->stop();
  CHECK(post("registerEvent", registration("ROOT-DOWN", true)) == "8.9/5.1");
  CHECK(at(alt_db).size() == 1);
  CHECK(alt.stop(SIGTERM) == 0);
}
