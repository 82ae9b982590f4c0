// The ipa program end to end with the real binaries on loopback: `smdp serve` (SQLite, a fresh test
// PKI, profiles through `smdp import`, their orders written into its store) and `euicc-sim --listen`, driven
// through `ipa --euicc tcp:...` as the demo and an operator would: EID and chip info, downloads
// (text and --json), every profile management command, the USIM answering an AKA challenge made
// here from the profile's Ki/OPc, notifications sent to the SM-DP+ and removed, memory reset behind
// --yes; and the refusals: a wrong confirmation code, an untrusted SM-DP+, usage errors.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <regex>

#include "http/http_fixture.hpp"
#include "ipa_run.hpp"
#include "rsp/confirmation_code.hpp"
#include "rsp/crypto/aka.hpp"
#include "rsp/crypto/milenage.hpp"
#include "rsp/files.hpp"
#include "rsp/pki/test_pki.hpp"
#include "rsp/profile_maker.hpp"
#include "smdp/store.hpp"
#include "support/child_process.hpp"
#include "support/command.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using rsp::Bytes;
using rsp::test::hex;

const std::string kIccidText = "8949449999999990301";  // downloaded with text output, then managed
const std::string kIccidJson = "8949449999999990302";  // downloaded with --json
const std::string kIccidCode = "8949449999999990303";  // its order needs confirmation code 1234
const std::string kIccidLab = "8949449999999990304";   // downloaded with --insecure-lab-only
// 3GPP TS 35.208 test set 1.
const Bytes kKi = hex("465B5CE8B199B49FAA5F0A2EE238A6BC");
const Bytes kOpc = hex("CD63CB71954A9F4E48A5994E37A02BAF");

using Run = ipa::test::IpaRun;

// An SM-DP+ and a software eUICC of one test PKI, as processes.
struct Lab {
  rsp::test::TempDir dir;
  fs::path pki = dir.path() / "pki";
  fs::path ci_pem = pki / "nist" / "ci.pem";
  std::string db = "sqlite:" + (dir.path() / "smdp.db").string();
  std::unique_ptr<rsp::test::ChildProcess> smdp, card;
  std::string es9_port, card_port, eid;

  Lab() {
    REQUIRE(rsp::pki::make(pki, rsp::pki::MakeOptions{}));  // dp-tls for localhost
    // The inventory as the README fills it: profile packages through `smdp import`, then the
    // orders, released, written into its store (what ES2+ ConfirmOrder would leave there).
    fs::path operator_pem = dir.path() / "operator-a.pem";
    REQUIRE(rsp::files::write_atomic(operator_pem, rsp::test::self_signed_client("operator-a").chain.front().pem()));
    std::string packages;
    for (const auto& iccid : {kIccidText, kIccidJson, kIccidCode, kIccidLab}) {
      rsp::ProfileSpec spec;
      spec.iccid = iccid;
      spec.imsi = "00101000000" + iccid.substr(iccid.size() - 4);
      spec.ki = kKi;
      spec.opc = kOpc;
      fs::path file = dir.path() / (iccid + ".der");
      REQUIRE(rsp::files::write_atomic(file, rsp::make_profile_package(spec).value()));
      packages += " " + file.string();
    }
    auto imported =
        rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/smdp import --pki " + pki.string() + " --db " + db +
                               " --operator operator-a=" + operator_pem.string() + " --provider 'CLI test'" + packages);
    INFO(imported.out);
    REQUIRE(imported.status == 0);
    {
      auto store = smdp::open_store(db);
      REQUIRE(store);
      order(**store, kIccidText, "CLI-TEXT");
      order(**store, kIccidJson, "CLI-JSON");
      order(**store, kIccidCode, "CLI-CODE", "1234");
      order(**store, kIccidLab, "CLI-LAB");
    }
    smdp = std::make_unique<rsp::test::ChildProcess>(
        "smdp", dir.path(),
        std::vector<std::string>{"serve", "--pki", pki.string(), "--db", db, "--es9-listen", "127.0.0.1:0"});
    es9_port = smdp->wait_for("ES9\\+ of localhost on https://127\\.0\\.0\\.1:(\\d+)");
    card = std::make_unique<rsp::test::ChildProcess>(
        "euicc-sim", dir.path(),
        std::vector<std::string>{"--state", (dir.path() / "card").string(), "--listen", "127.0.0.1:0", "--pki",
                                 pki.string()});
    eid = card->wait_for("EID (\\d{32})");
    card_port = card->wait_for("listening on 127\\.0\\.0\\.1:(\\d+)");
  }

  // The imported profile `iccid`, released for `matching_id` (and the confirmation code).
  static void order(smdp::Store& store, const std::string& iccid, const std::string& matching_id,
                    std::optional<std::string> confirmation_code = {}) {
    auto record = store.profile(iccid);
    REQUIRE(record);
    REQUIRE(record->has_value());
    smdp::ProfileRecord& p = **record;
    p.state = smdp::ProfileState::released;
    p.matching_id = matching_id;
    p.released = true;
    p.order_expires = time(nullptr) + 3600;
    if (confirmation_code) {
      p.confirmation_code_hash = rsp::sha256(rsp::to_bytes(*confirmation_code));
      p.confirmation_attempts_left = 3;
    }
    REQUIRE(store.update_profile(p).value_or(false));
  }

  // `ipa --euicc tcp:127.0.0.1:PORT ARGS` (ARGS as a shell would split them).
  Run ipa(const std::string& args, const std::string& environment = "") {
    fs::path err = dir.path() / "ipa.err";
    std::string euicc = environment.empty() ? " --euicc tcp:127.0.0.1:" + card_port : "";
    auto r = rsp::test::run_command(environment + std::string(RSP_BINARY_DIR) + "/ipa" + euicc + " " + args + " 2>" +
                                    err.string());
    Run run{r.status, r.out, rsp::test::read_text(err)};
    UNSCOPED_INFO("ipa " << args << " -> " << run.status << "\nstdout: " << run.out << "stderr: " << run.err);
    return run;
  }
  std::string code(const std::string& matching_id) const { return "'LPA:1$localhost$" + matching_id + "'"; }
  std::string es9() const { return " --ca " + ci_pem.string() + " --smdp-port " + es9_port; }

  std::vector<smdp::NotificationRecord> notifications_at_smdp(const std::string& iccid) {
    auto store = smdp::open_store(db);
    REQUIRE(store);
    return (*store)->notifications(iccid).value();
  }
};

const std::vector<std::string> kPhases = {
    "es10b_get_euicc_challenge_and_info", "es9p_initiate_authentication", "es10b_authenticate_server",
    "es9p_authenticate_client",           "es10b_prepare_download",       "es9p_get_bound_profile_package",
    "es10b_load_bound_profile_package",   "es9p_handle_notification"};

json profile_named(const json& list, const std::string& iccid) {
  for (const auto& p : list)
    if (p["iccid"] == iccid) return p;
  return nullptr;
}

}  // namespace

TEST_CASE("ipa: EID, downloads, profile management, the USIM's AKA answer, notifications, memory reset",
          "[ipa][cli][process]") {
  Lab lab;

  // --- the eUICC ---------------------------------------------------------------------------------
  auto eid = lab.ipa("eid");
  CHECK(eid.status == 0);
  CHECK(eid.out == lab.eid + "\n");
  auto eid_json = lab.ipa("eid --json");  // global options may follow the command
  REQUIRE(eid_json.status == 0);
  CHECK(eid_json.lines() ==
        std::vector<json>{
            {{"type", "lpa"}, {"payload", {{"code", 0}, {"message", "success"}, {"data", {{"eidValue", lab.eid}}}}}}});
  auto from_environment = lab.ipa("eid", "IPA_EUICC=tcp:127.0.0.1:" + lab.card_port + " ");
  CHECK(from_environment.out == lab.eid + "\n");
  auto traced = lab.ipa("--trace eid");
  CHECK(traced.status == 0);
  CHECK(traced.err.find("-> ") != std::string::npos);
  CHECK(traced.err.find("<- ") != std::string::npos);
  CHECK(traced.err.find("-> 80AA000008A906830107840101\n<- 9000\n") == 0);  // TERMINAL CAPABILITY first
  auto info = lab.ipa("info");
  CHECK(info.status == 0);
  CHECK(info.field("EID") == lab.eid);
  CHECK(std::regex_match(info.field("SVN"), std::regex("\\d+\\.\\d+\\.\\d+")));
  CHECK(std::regex_match(info.field("CI keys for verification"), std::regex("[0-9A-F]{40}.*")));
  CHECK(info.field("free memory").find("bytes non-volatile") != std::string::npos);
  CHECK(info.field("profiles") == "0");

  // --- downloads -----------------------------------------------------------------------------------
  auto text = lab.ipa("download --activation-code " + lab.code("CLI-TEXT") + lab.es9());
  REQUIRE(text.status == 0);
  std::vector<std::string> phases;
  std::istringstream progress(text.out);
  for (std::string line; std::getline(progress, line);) {
    std::smatch m;
    if (std::regex_match(line, m, std::regex("\\[ *\\d+\\.\\d\\d s\\] (\\w+) \\.\\.\\."))) phases.push_back(m[1]);
  }
  CHECK(phases == kPhases);
  CHECK(text.out.find("installed " + kIccidText + " (transactionId ") != std::string::npos);

  auto as_json = lab.ipa(
      "--json download --smdp localhost --matching-id CLI-JSON --binding asn1 --tac 35290611 --imei 490154203237518" +
      lab.es9());
  REQUIRE(as_json.status == 0);
  auto lines = as_json.lines();
  REQUIRE(lines.size() == kPhases.size() + 1);
  for (size_t i = 0; i < kPhases.size(); ++i)
    CHECK(lines[i] ==
          json{{"type", "progress"}, {"payload", {{"code", 0}, {"message", kPhases[i]}, {"data", nullptr}}}});
  const json& done = lines.back();
  CHECK(done["type"] == "lpa");
  CHECK(done["payload"]["code"] == 0);
  CHECK(done["payload"]["message"] == "success");
  CHECK(done["payload"]["data"]["iccid"] == kIccidJson);
  CHECK(done["payload"]["data"]["transactionId"].get<std::string>().size() == 32);
  CHECK(done["payload"]["data"]["notificationSent"] == true);

  // --- the profiles --------------------------------------------------------------------------------
  auto list = lab.ipa("profile list");
  CHECK(list.status == 0);
  CHECK(list.out.find(kIccidText + "\tdisabled\toperational\tCLI test\t" + kIccidText + "\t-\n") != std::string::npos);
  CHECK(list.out.find(kIccidJson + "\tdisabled\toperational\tCLI test\t" + kIccidJson + "\t-\n") != std::string::npos);
  CHECK(lab.ipa("profile enable " + kIccidText).status == 0);
  auto again = lab.ipa("profile enable " + kIccidText);
  CHECK(again.status == 1);
  CHECK(again.err == "profile enable " + kIccidText + ": EnableProfile: profileNotInDisabledState (2)\n");

  // --- the network's challenge, answered by the enabled profile's USIM ------------------------------
  auto milenage = rsp::crypto::Milenage::create(kKi, kOpc).value();
  Bytes rand = rsp::random_bytes(16);
  auto vector = rsp::crypto::generate_vector(milenage, rand, hex("000000000020"), hex("8000"));
  std::string challenge = "usim authenticate --rand " + rsp::to_hex(rand) + " --autn " + rsp::to_hex(vector.autn);
  auto aka = lab.ipa(challenge);
  REQUIRE(aka.status == 0);
  CHECK(aka.field("RES") == rsp::to_hex(vector.xres));
  CHECK(aka.field("CK") == rsp::to_hex(vector.ck));
  CHECK(aka.field("IK") == rsp::to_hex(vector.ik));
  CHECK(aka.field("Kc") == rsp::to_hex(rsp::crypto::kc_from_ck_ik(vector.ck, vector.ik)));
  // The same challenge again is a replay: a synchronisation failure, whose AUTS gives the network SQN_MS.
  auto replay = lab.ipa("--json " + challenge + " --aid " + rsp::to_hex(rsp::kDefaultUsimAid));
  CHECK(replay.status == 1);
  auto replay_lines = replay.lines();
  REQUIRE(replay_lines.size() == 1);
  const json resync = replay_lines.front()["payload"];
  CHECK(resync["code"] == -1);
  auto sqn_ms = rsp::crypto::resynchronise(milenage, rand, hex(resync["data"]["auts"].get<std::string>()));
  REQUIRE(sqn_ms);
  CHECK(rsp::to_hex(*sqn_ms) == "000000000020");

  // --- nickname, disable, delete ----------------------------------------------------------------------
  CHECK(lab.ipa("profile nickname " + kIccidText + " 'field unit 7'").status == 0);
  auto listed = lab.ipa("--json profile list");
  REQUIRE(listed.status == 0);
  json profiles = listed.lines().back()["payload"]["data"];
  REQUIRE(profiles.size() == 2);
  CHECK(profile_named(profiles, kIccidText) == json{{"iccid", kIccidText},
                                                    {"isdpAid", profile_named(profiles, kIccidText)["isdpAid"]},
                                                    {"profileState", "enabled"},
                                                    {"profileNickname", "field unit 7"},
                                                    {"serviceProviderName", "CLI test"},
                                                    {"profileName", kIccidText},
                                                    {"profileClass", "operational"}});
  CHECK(
      std::regex_match(profile_named(profiles, kIccidText)["isdpAid"].get<std::string>(), std::regex("[0-9a-f]{32}")));
  CHECK(lab.ipa("profile delete " + kIccidText).status == 1);  // still enabled: profileNotInDisabledState
  CHECK(lab.ipa("profile disable " + kIccidText).status == 0);
  CHECK(lab.ipa("usim authenticate --rand " + rsp::to_hex(rand) + " --autn " + rsp::to_hex(vector.autn)).status ==
        1);  // no USIM now
  CHECK(lab.ipa("profile delete " + kIccidText).status == 0);

  // --- notifications: the deletion goes to the SM-DP+ and off the card ---------------------------------
  auto pending = lab.ipa("--json notification list");
  REQUIRE(pending.status == 0);
  json notifications = pending.lines().back()["payload"]["data"];
  REQUIRE(notifications.size() == 1);
  CHECK(notifications[0]["profileManagementOperation"] == "delete");
  CHECK(notifications[0]["iccid"] == kIccidText);
  CHECK(notifications[0]["notificationAddress"] == "localhost");
  const long seq = notifications[0]["seqNumber"];
  CHECK(lab.ipa("notification list").out == std::to_string(seq) + "\tdelete\t" + kIccidText + "\tlocalhost\n");
  auto untrusted = lab.ipa("notification process --smdp-port " + lab.es9_port);  // the system store knows no test CI
  CHECK(untrusted.status == 1);
  auto sent = lab.ipa("notification process " + std::to_string(seq) + lab.es9());
  CHECK(sent.status == 0);
  CHECK(sent.out ==
        "notification " + std::to_string(seq) + " delete " + kIccidText + " to localhost: sent and removed\n");
  CHECK(lab.ipa("notification list").out == "no notifications\n");
  auto at_smdp = lab.notifications_at_smdp(kIccidText);
  CHECK(std::count_if(at_smdp.begin(), at_smdp.end(), [](const auto& n) { return n.event == "delete"; }) == 1);
  CHECK(lab.ipa("notification remove 9999").status == 1);  // nothingToDelete

  // --- memory reset -------------------------------------------------------------------------------
  auto refused = lab.ipa("memory-reset");
  CHECK(refused.status == 1);
  CHECK(refused.err.find("--yes") != std::string::npos);
  CHECK(lab.ipa("profile list").out.find(kIccidJson) != std::string::npos);
  CHECK(lab.ipa("memory-reset --yes").status == 0);
  CHECK(lab.ipa("profile list").out == "no profiles\n");
  // Whatever the reset left to notify can be dropped without sending it.
  json left = lab.ipa("--json notification list").lines().back()["payload"]["data"];
  for (const auto& n : left)
    CHECK(lab.ipa("notification remove " + std::to_string(n["seqNumber"].get<long>())).status == 0);
  CHECK(lab.ipa("notification list").out == "no notifications\n");
}

TEST_CASE("ipa: refusals end in one line with the spec's codes and exit 1, usage errors exit 2",
          "[ipa][cli][process]") {
  Lab lab;

  SECTION("a wrong confirmation code: 8.2.7/3.8, then the right one installs") {
    auto wrong =
        lab.ipa("download --activation-code " + lab.code("CLI-CODE") + " --confirmation-code 4321" + lab.es9());
    CHECK(wrong.status == 1);
    CHECK(std::regex_search(wrong.err,
                            std::regex("^download failed at es9p_get_bound_profile_package: .*8\\.2\\.7/3\\.8")));
    CHECK(std::count(wrong.err.begin(), wrong.err.end(), '\n') == 1);
    auto wrong_json =
        lab.ipa("--json download --activation-code " + lab.code("CLI-CODE") + " --confirmation-code 4321" + lab.es9());
    CHECK(wrong_json.status == 1);
    const json result = wrong_json.lines().back()["payload"];
    CHECK(result["code"] == -1);
    CHECK(result["message"].get<std::string>().find("8.2.7/3.8") != std::string::npos);
    CHECK(result["data"]["subjectCode"] == "8.2.7");
    CHECK(result["data"]["reasonCode"] == "3.8");
    CHECK(result["data"]["failedPhase"] == "es9p_get_bound_profile_package");
    CHECK(result["data"]["sessionCancelled"] == true);
    CHECK(lab.ipa("download --activation-code " + lab.code("CLI-CODE") + " --confirmation-code 1234" + lab.es9())
              .status == 0);
  }
  SECTION("an SM-DP+ whose TLS certificate chains to no trusted CA is refused") {
    auto untrusted = lab.ipa("download --activation-code " + lab.code("CLI-LAB") + " --smdp-port " + lab.es9_port);
    CHECK(untrusted.status == 1);
    CHECK(std::regex_search(
        untrusted.err,
        std::regex("^download failed at es9p_initiate_authentication: .*TLS certificate verification failed")));
    CHECK(lab.ipa("profile list").out == "no profiles\n");
    // Only the explicit lab switch lets it through, and it says so.
    auto lab_only = lab.ipa("download --activation-code " + lab.code("CLI-LAB") + " --insecure-lab-only --smdp-port " +
                            lab.es9_port);
    CHECK(lab_only.status == 0);
    CHECK(lab_only.err.find("WARNING: --insecure-lab-only") != std::string::npos);
  }
  SECTION("usage") {
    CHECK(lab.ipa("").status == 2);
    CHECK(lab.ipa("profile").status == 2);
    CHECK(lab.ipa("profile enable").status == 2);
    CHECK(lab.ipa("profile enable 12ab").status == 2);
    CHECK(lab.ipa("download").status == 2);
    CHECK(lab.ipa("download --activation-code " + lab.code("X") + " --smdp localhost --matching-id X").status == 2);
    CHECK(lab.ipa("download --smdp localhost").status == 2);
    CHECK(lab.ipa("download --activation-code " + lab.code("X") + " --binding xml").status == 2);
    CHECK(lab.ipa("download --activation-code " + lab.code("X") + " --tac 1234").status == 2);
    CHECK(lab.ipa("usim authenticate --rand 00 --autn 00").status == 2);
    CHECK(lab.ipa("--segment-size 5 eid").status == 2);
    CHECK(lab.ipa("--isdr-aid XYZ eid").status == 2);
    CHECK(lab.ipa("--help").status == 0);
  }
  SECTION("an eUICC that is not there") {
    auto absent = lab.ipa("eid", "IPA_EUICC=tcp:127.0.0.1:1 ");
    CHECK(absent.status == 1);
    CHECK(absent.err.rfind("cannot reach the eUICC at tcp:127.0.0.1:1: ", 0) == 0);
  }
}
