#pragma once
// The programs of a zero-touch set-up on loopback, for the ipa tests: `smdp serve` with ES2+ (an
// operator orders over HTTPS with its client certificate), optionally `smds serve`, and software
// eUICCs created as a factory leaves them (euicc-sim --default-smdp / --root-smds), each driven
// with `ipa --euicc tcp:...`.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/http_fixture.hpp"
#include "ipa_run.hpp"
#include "rsp/eid.hpp"
#include "rsp/files.hpp"
#include "rsp/pki/test_pki.hpp"
#include "rsp/profile_maker.hpp"
#include "support/child_process.hpp"
#include "support/command.hpp"

namespace ipa::test {

namespace fs = std::filesystem;
using nlohmann::json;

// A software eUICC as a process.
struct Device {
  std::unique_ptr<rsp::test::ChildProcess> process;
  std::string eid, port;
};

class ZeroTouchLab {
 public:
  // Profiles of type "zero-touch" with these ICCIDs are imported into the SM-DP+.
  explicit ZeroTouchLab(const std::vector<std::string>& iccids) {
    REQUIRE(rsp::pki::make(pki, rsp::pki::MakeOptions{}));  // dp-tls for localhost
    REQUIRE(rsp::files::write_atomic(operator_pem, operator_identity.chain.front().pem()));
    std::string packages;
    for (const auto& iccid : iccids) {
      rsp::ProfileSpec spec;
      spec.iccid = iccid;
      spec.imsi = "00101000000" + iccid.substr(iccid.size() - 4);
      spec.ki = rsp::Bytes(16, 0x33);
      spec.opc = rsp::Bytes(16, 0x44);
      fs::path file = dir.path() / (iccid + ".der");
      REQUIRE(rsp::files::write_atomic(file, rsp::make_profile_package(spec).value()));
      packages += " " + file.string();
    }
    if (iccids.empty()) return;
    auto imported = rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/smdp import --pki " + pki.string() +
                                           " --db " + db + " --operator operator-a=" + operator_pem.string() +
                                           " --profile-type zero-touch" + packages + " 2>&1");
    INFO(imported.out);
    REQUIRE(imported.status == 0);
  }

  // smdp serve with ES2+ for operator-a; `extra` flags (e.g. how to reach the SM-DS).
  void start_smdp(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"serve",
                                  "--pki",
                                  pki.string(),
                                  "--db",
                                  db,
                                  "--operator",
                                  "operator-a=" + operator_pem.string(),
                                  "--es9-listen",
                                  "127.0.0.1:0",
                                  "--es2-listen",
                                  "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    smdp = std::make_unique<rsp::test::ChildProcess>("smdp", dir.path(), args);
    es9_port = smdp->wait_for("ES9\\+ of localhost on https://127\\.0\\.0\\.1:(\\d+)");
    es2_url = "https://localhost:" + smdp->wait_for("ES2\\+ on port (\\d+)") + "/gsma/rsp2/es2plus/";
  }

  // smds serve (its ds-auth and ds-tls from the lab's PKI), with the SM-DP+ allowed on ES12.
  void start_smds() {
    smds = std::make_unique<rsp::test::ChildProcess>(
        "smds", dir.path(),
        std::vector<std::string>{"serve", "--pki", pki.string(), "--db", "sqlite:" + (dir.path() / "smds.db").string(),
                                 "--listen", "127.0.0.1:0", "--smdp",
                                 "smdp-a=" + (pki / "nist" / "dp-tls.pem").string()});
    smds_port = smds->wait_for("smds: ES11 and ES12 of localhost on https://127\\.0\\.0\\.1:(\\d+)/");
  }
  std::string smds_flags() const { return ca() + " --smds-port " + smds_port; }

  // ES12.RegisterEvent as the SM-DP+ sends it (its TLS identity): an Event Record of our choosing.
  void register_event(const std::string& eid, const std::string& event_id, const std::string& server) {
    rsp::http::ClientOptions options;
    options.trusted_ca_files.push_back(ci_pem);
    options.client_identity = rsp::http::TlsIdentity::from_pki(pki, rsp::crypto::Curve::nist_p256).value();
    auto client = rsp::http::Client::create(options).value();
    json body = {
        {"header", {{"functionRequesterIdentifier", "smdp-a"}, {"functionCallIdentifier", std::to_string(++calls_)}}},
        {"eid", eid},
        {"rspServerAddress", server},
        {"eventId", event_id},
        {"forwardingIndicator", false}};
    auto answer = client.post("https://localhost:" + smds_port + "/gsma/rsp2/es12/registerEvent", body.dump(),
                              {{"Content-Type", "application/json"}, {"X-Admin-Protocol", "gsma/rsp/v2.5.0"}});
    REQUIRE(answer);
    INFO(answer->body);
    REQUIRE(status_of(json::parse(answer->body)) == "Executed-Success");
  }

  // A new card, its factory addresses given (or not) by euicc-sim's creation flags; each card has
  // an EID of its own under the lab's EUM.
  Device& add_device(const std::string& name, std::optional<std::string> default_smdp,
                     std::optional<std::string> root_smds = {}) {
    auto card_pki = dir.path() / (name + "-pki");
    issue_card_credentials(card_pki, devices.size() + 1);
    std::vector<std::string> args{"--state",        (dir.path() / name).string(), "--listen", "127.0.0.1:0", "--pki",
                                  card_pki.string()};
    if (default_smdp) args.insert(args.end(), {"--default-smdp", *default_smdp});
    if (root_smds) args.insert(args.end(), {"--root-smds", *root_smds});
    Device d;
    d.process = std::make_unique<rsp::test::ChildProcess>("euicc-sim", dir.path(), args);
    d.eid = d.process->wait_for("EID (\\d{32})");
    d.port = d.process->wait_for("listening on 127\\.0\\.0\\.1:(\\d+)");
    devices.push_back(std::move(d));
    return devices.back();
  }

  // `ipa --euicc tcp:127.0.0.1:PORT ARGS` (ARGS as a shell would split them).
  IpaRun ipa(const Device& device, const std::string& args) { return ipa("tcp:127.0.0.1:" + device.port, args); }
  // `ipa --euicc EUICC ARGS`, any transport (at:DEV, pcsc:N).
  IpaRun ipa(const std::string& euicc, const std::string& args) {
    fs::path err = dir.path() / "ipa.err";
    auto r = rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/ipa --euicc " + euicc + " " + args + " 2>" +
                                    err.string());
    IpaRun run{r.status, r.out, rsp::test::read_text(err)};
    UNSCOPED_INFO("ipa " << args << " -> " << run.status << "\nstdout: " << run.out << "stderr: " << run.err);
    return run;
  }
  std::string ca() const { return " --ca " + ci_pem.string(); }
  std::string smdp_flags() const { return ca() + " --smdp-port " + es9_port; }

  // ES2+ as the operator: the body's answer (HTTP 200 expected).
  json es2(const std::string& function, json body) {
    rsp::http::ClientOptions options;
    options.trusted_cas.push_back(
        rsp::pki::load_certificate(pki, rsp::crypto::Curve::nist_p256, rsp::crypto::Role::ci).value());
    options.client_identity = operator_identity;
    auto client = rsp::http::Client::create(options).value();
    body["header"] = {{"functionRequesterIdentifier", "operator-a"},
                      {"functionCallIdentifier", std::to_string(++calls_)}};
    auto answer = client.post(es2_url + function, body.dump(),
                              {{"Content-Type", "application/json"}, {"X-Admin-Protocol", "gsma/rsp/v2.5.0"}});
    REQUIRE(answer);
    INFO(answer->body);
    REQUIRE(answer->status == 200);
    return json::parse(answer->body);
  }
  static std::string status_of(const json& answer) { return answer["header"]["functionExecutionStatus"]["status"]; }

  // DownloadOrder for `eid`, ConfirmOrder with an empty matchingId (the default SM-DP+ case, SGP.22
  // v2.5 §5.3.2) or with an SM-DS address (the event registered there): the ICCID ordered.
  std::string order_for(const std::string& eid, std::optional<std::string> smds_address = {}) {
    auto ordered = es2("downloadOrder", {{"eid", eid}, {"profileType", "zero-touch"}});
    INFO(ordered.dump());
    REQUIRE(status_of(ordered) == "Executed-Success");
    std::string iccid = ordered["iccid"];
    json confirm = {{"iccid", iccid}, {"eid", eid}, {"releaseFlag", true}};
    if (smds_address)
      confirm["smdsAddress"] = *smds_address;
    else
      confirm["matchingId"] = "";
    auto confirmed = es2("confirmOrder", confirm);
    INFO(confirmed.dump());
    REQUIRE(status_of(confirmed) == "Executed-Success");
    return iccid;
  }

  rsp::test::TempDir dir;
  fs::path pki = dir.path() / "pki";
  fs::path ci_pem = pki / "nist" / "ci.pem";
  fs::path operator_pem = dir.path() / "operator-a.pem";
  rsp::http::TlsIdentity operator_identity = rsp::test::self_signed_client("operator-a");
  std::string db = "sqlite:" + (dir.path() / "smdp.db").string();
  std::unique_ptr<rsp::test::ChildProcess> smdp, smds;
  std::string es9_port, es2_url, smds_port;
  std::deque<Device> devices;  // references to its members stay valid as devices are added

 private:
  // Another eUICC of the lab's EUM (rsp-pki euicc), EID number `n`.
  void issue_card_credentials(const fs::path& card_pki, size_t n) {
    std::string serial = std::to_string(n);
    std::string eid = rsp::eid::complete(rsp::pki::default_eid().substr(0, 30 - serial.size()) + serial).value();
    REQUIRE(rsp::pki::issue_euicc(pki, card_pki, eid));
  }

  int calls_ = 0;
};

}  // namespace ipa::test
