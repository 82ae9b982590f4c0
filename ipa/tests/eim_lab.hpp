#pragma once
// The eIM beside the ipa end-to-end tests: `eim serve` processes (ESipa and the owner API under the
// lab PKI's eim and eim-tls), the fleet owner's identity and its `eim` client commands, over the
// ZeroTouchLab's PKI and software eUICCs; each card given the eIM by `ipa eim add-initial`.
#include <fstream>
#include <regex>

#include "zero_touch_lab.hpp"

namespace ipa::test {

// One `eim serve`: its ESipa and owner API ports.
struct EimServe {
  std::unique_ptr<rsp::test::ChildProcess> process;
  std::string esipa_port, owner_port;
  // How many logfmt lines of this process match `pattern` (e.g. one function's outcome for an EID).
  size_t lines_matching(const std::string& pattern) const {
    std::string text = process->output();
    std::regex re(pattern);
    return std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator());
  }
};

class EimLab : public ZeroTouchLab {
 public:
  // `iccids`: profiles in the SM-DP+'s inventory (for start_smdp), as ZeroTouchLab makes them.
  explicit EimLab(const std::vector<std::string>& iccids = {}) : ZeroTouchLab(iccids) {
    REQUIRE(rsp::files::write_atomic(owner_pem, owner_identity.chain.front().pem()));
    std::ofstream(owner_key) << owner_identity.key->to_pem();
  }

  // eim serve on `database` for owner-a; "0" ports: any free one; `extra` flags (e.g. --smdp-port).
  EimServe start_eim(const std::string& database, const std::string& esipa_port = "0",
                     const std::string& owner_port = "0", const std::vector<std::string>& extra = {}) {
    EimServe e;
    std::vector<std::string> args{"serve",
                                  "--pki",
                                  pki.string(),
                                  "--db",
                                  database,
                                  "--listen",
                                  "127.0.0.1:" + esipa_port,
                                  "--owner-listen",
                                  "127.0.0.1:" + owner_port,
                                  "--owner",
                                  "owner-a=" + owner_pem.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    e.process = std::make_unique<rsp::test::ChildProcess>("eim", dir.path(), args);
    e.esipa_port = e.process->wait_for("ESipa of localhost on https://127\\.0\\.0\\.1:(\\d+)/");
    e.owner_port = e.process->wait_for("eim: owner API on port (\\d+)");
    return e;
  }

  // AddInitialEim on the card behind `euicc`: eimId localhost at localhost:PORT, TLS trust the CI;
  // `extra` flags (e.g. --indirect-profile-download).
  void add_initial(const std::string& euicc, const std::string& esipa_port, const std::string& extra = "") {
    auto added = ipa(euicc, "eim add-initial --eim-id localhost --eim-fqdn localhost:" + esipa_port +
                                " --association-token" + " --eim-certificate " + (pki / "nist" / "eim.der").string() +
                                " --tls-certificate " + ci_pem.string() + " " + extra);
    REQUIRE(added.out == "eIM localhost added, association token 1\n");
  }
  static std::string euicc_of(const Device& d) { return "tcp:127.0.0.1:" + d.port; }
  // Where add_device(name) put the card's credentials.
  fs::path card_pki(const std::string& name) const { return dir.path() / (name + "-pki"); }

  // `eim ARGS --json` as owner-a at the owner API on `owner_port`: exit code and the answer.
  std::pair<int, json> owner(const std::string& owner_port, const std::string& args) {
    auto r = rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/eim " + args +
                                    " --eim-url https://localhost:" + owner_port + " --cert " + owner_pem.string() +
                                    " --key " + owner_key.string() + " --ca " + ci_pem.string() + " --json 2>&1");
    UNSCOPED_INFO("eim " << args << " -> " << r.status << ": " << r.out);
    auto last = r.out.find_last_of('\n', r.out.size() - 2);
    return {r.status, json::parse(r.out.substr(last == std::string::npos ? 0 : last + 1), nullptr, false)};
  }
  // The same, expected to succeed.
  json owner_ok(const std::string& owner_port, const std::string& args) {
    auto [status, answer] = owner(owner_port, args);
    REQUIRE(status == 0);
    return answer;
  }
  // The card of `eid` known to the eIM with its certificates from `card_pki` (so no
  // IpaEuiccDataRequest comes first).
  void register_device(const std::string& owner_port, const std::string& eid, const fs::path& card_pki,
                       const std::string& fleet = "north") {
    auto answer = owner_ok(owner_port, "device add --eid " + eid + " --fleet " + fleet +
                                           " --association-token 1 --euicc-certificate " +
                                           (card_pki / "nist" / "euicc.der").string() + " --eum-certificate " +
                                           (card_pki / "nist" / "eum.der").string());
    REQUIRE(answer["results"][0]["added"] == true);
  }
  // The device's packages as `eim status --eid` lists them.
  json packages(const std::string& owner_port, const std::string& eid) {
    return owner_ok(owner_port, "status --eid " + eid)["devices"][0]["packages"];
  }

  fs::path owner_pem = dir.path() / "owner-a.pem", owner_key = dir.path() / "owner-a.key";
  rsp::http::TlsIdentity owner_identity = rsp::test::self_signed_client("owner-a");
  std::string eim_db = "sqlite:" + (dir.path() / "eim.db").string();
};

// The data of an `ipa --json poll` (lpac-shaped; null when the run printed none).
inline json poll_data(const IpaRun& run) {
  auto payload = run.lpa();
  return payload.is_null() ? json() : payload["data"];
}

}  // namespace ipa::test
