// rsp-conformance run as a process against euicc-sim --listen: every eUICC case passes (exit 0, JUnit
// counts, --json lines); list shows IDs and sections; --case filters by glob; an unreachable card exits
// 1 and usage errors 2. The proof that cases can fail: with the card's wrong-status-word fault every
// case fails except ES10.StoreData.TruncatedTlv (the card refuses that one with 6A80 before the fault
// applies) and ES10b.LoadBoundProfilePackage.NoSession (any status word is the refusal it expects);
// the wrong-signature and skip-mac-check faults touch nothing these cases check.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "support/child_process.hpp"
#include "support/command.hpp"
#include "support/kit.hpp"

namespace {

using Run = rsp::test::CommandResult;

const std::set<std::string> kEuiccCases = {
    "ES10a.GetEuiccConfiguredAddresses.Nominal", "ES10b.GetEUICCInfo1.Nominal", "ES10b.GetEUICCInfo2.Nominal",
    "ES10b.GetEUICCInfo.ConsistentCiLists", "ES10b.GetEUICCChallenge.Nominal", "ES10b.GetRAT.Nominal",
    "ES10b.ListNotification.Nominal", "ES10c.GetEID.Nominal", "ES10c.GetEID.MatchesCertEuicc",
    "ES10c.GetProfilesInfo.Nominal", "ES10c.GetProfilesInfo.MalformedSearchCriteria", "ES10.StoreData.SegmentSizes",
    "ES10.StoreData.TruncatedTlv", "ES10b.GetEimConfigurationData.Nominal", "ES10b.GetCerts.Nominal",
    "ES10b.GetCerts.UnknownCi",
    // euicc_es10_error_cases.cpp and euicc_transport_cases.cpp, those that need neither --pki nor --destructive
    "ES10c.EnableProfile.UnknownIccid", "ES10c.EnableProfile.UnknownAid", "ES10c.DisableProfile.UnknownIccid",
    "ES10c.DeleteProfile.UnknownIccid", "ES10c.SetNickname.UnknownIccid", "ES10c.GetProfilesInfo.UnknownIccid",
    "ES10b.RemoveNotificationFromList.UnknownSeqNumber", "ES10b.RetrieveNotificationsList.UnknownSeqNumber",
    "ES10b.CancelSession.NoSession", "ES10b.LoadBoundProfilePackage.NoSession",
    "ES10b.GetEimConfigurationData.UnknownEimId", "ES10b.GetConnectivityParameters.Nominal",
    "ES10.Transport.T0GetResponse", "ES10.Transport.LogicalChannel", "ES10.StoreData.EverySegmentSize"};
// Not applicable without --pki (or --destructive): the download, eUICC Package, profile-state and
// corrupted-BPP cases (test_rsp_conformance_download, _sgp32, _euicc_faults).
constexpr size_t kPkiCases = 48;
// Pass under wrong-status-word: the card refuses them before the fault applies (6A80), or any
// status word is the refusal they expect.
const std::set<std::string> kRefusals = {"ES10.StoreData.TruncatedTlv", "ES10b.LoadBoundProfilePackage.NoSession"};

Run conformance(const std::string& args, bool with_stderr = true) {
  return rsp::test::run_command("timeout 20 " + std::string(RSP_BINARY_DIR) + "/rsp-conformance " + args +
                                (with_stderr ? " 2>&1" : " 2>/dev/null"));
}

struct Card {
  rsp::test::TempDir dir;
  std::unique_ptr<rsp::test::ChildProcess> process;
  std::string euicc;
  explicit Card(std::vector<std::string> faults = {}) {
    std::vector<std::string> args{"--state", (dir.path() / "card").string(), "--listen", "127.0.0.1:0"};
    if (!faults.empty()) args.push_back("--conformance-harness");
    for (auto& f : faults) args.insert(args.end(), {"--fault", f});
    process = std::make_unique<rsp::test::ChildProcess>("euicc-sim", dir.path(), args);
    euicc = "tcp:127.0.0.1:" + process->wait_for("listening on 127\\.0\\.0\\.1:(\\d+)");
  }
};

// case ID -> verdict, from --json lines.
std::map<std::string, std::string> verdicts(const std::string& json_lines) {
  std::map<std::string, std::string> v;
  std::istringstream in(json_lines);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    CHECK(j.contains("section"));
    v[j.at("case").get<std::string>()] = j.at("verdict").get<std::string>();
  }
  return v;
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("rsp-conformance run --role euicc passes every case against euicc-sim", "[conformance][cli]") {
  Card card;
  auto junit = card.dir.path() / "junit.xml";
  Run r = conformance("run --role euicc --euicc " + card.euicc + " --junit " + junit.string());
  INFO(r.out);
  REQUIRE(r.status == 0);
  for (const auto& id : kEuiccCases) CHECK(r.out.find("pass  " + id) != std::string::npos);
  CHECK(r.out.find("79 cases, 31 passed, 0 failed, 48 not applicable") != std::string::npos);

  std::string xml = rsp::test::read_text(junit);
  INFO(xml);
  CHECK(xml.rfind("<?xml version=\"1.0\"", 0) == 0);
  CHECK(xml.find("<testsuite name=\"rsp-conformance.euicc\" tests=\"79\" failures=\"0\" errors=\"0\" skipped=\"48\"") !=
        std::string::npos);
  CHECK(count(xml, "<testcase ") == 79);
  CHECK(count(xml, "</testcase>") == 79);
  CHECK(xml.find("</testsuites>") != std::string::npos);

  Run json = conformance("run --role euicc --euicc " + card.euicc + " --json", false);
  REQUIRE(json.status == 0);
  auto v = verdicts(json.out);
  CHECK(v.size() == kEuiccCases.size() + kPkiCases);
  for (const auto& [id, verdict] : v) CHECK(verdict == (kEuiccCases.count(id) == 1 ? "pass" : "n/a"));

  Run filtered = conformance("run --role euicc --euicc " + card.euicc + " --json --case 'ES10c.GetEID.*'", false);
  REQUIRE(filtered.status == 0);
  auto only = verdicts(filtered.out);
  CHECK(only.size() == 2);
  CHECK(only.count("ES10c.GetEID.Nominal") == 1);
  CHECK(only.count("ES10c.GetEID.MatchesCertEuicc") == 1);
}

TEST_CASE("rsp-conformance fails exactly the cases a card fault breaks", "[conformance][cli]") {
  {
    Card card({"wrong-status-word"});
    Run r = conformance("run --role euicc --euicc " + card.euicc + " --json", false);
    INFO(r.out);
    CHECK(r.status == 1);
    auto v = verdicts(r.out);
    REQUIRE(v.size() == kEuiccCases.size() + kPkiCases);
    for (const auto& [id, verdict] : v)
      CHECK(verdict == (kEuiccCases.count(id) == 0 ? "n/a" : kRefusals.count(id) ? "pass" : "fail"));
    auto junit = card.dir.path() / "junit.xml";
    conformance("run --role euicc --euicc " + card.euicc + " --junit " + junit.string());
    std::string xml = rsp::test::read_text(junit);
    CHECK(xml.find("tests=\"79\" failures=\"29\"") != std::string::npos);
    CHECK(count(xml, "<failure message=") == 29);
  }
  for (std::string fault : {"wrong-signature", "skip-mac-check"}) {
    Card card({fault});
    Run r = conformance("run --role euicc --euicc " + card.euicc);
    INFO(fault << ": " << r.out);
    CHECK(r.status == 0);
  }
}

TEST_CASE("rsp-conformance list shows IDs and sections, usage errors exit 2, an unreachable card exits 1",
          "[conformance][cli]") {
  Run list = conformance("list --role euicc");
  INFO(list.out);
  REQUIRE(list.status == 0);
  for (const auto& id : kEuiccCases) CHECK(list.out.find(id + "  [euicc]  ") != std::string::npos);
  CHECK(list.out.find("SGP.22 v2.5 §5.7.8") != std::string::npos);
  CHECK(list.out.find("expects: ") != std::string::npos);
  CHECK(conformance("list --role smdp").out.find("[euicc]") == std::string::npos);

  Run smds = conformance("run --role smds");
  CHECK(smds.status == 2);
  CHECK(smds.out.find("needs --smds") != std::string::npos);
  CHECK(conformance("run --role smdp").status == 2);  // no --smdp
  Run unknown = conformance("run --role toaster --euicc tcp:127.0.0.1:1");
  CHECK(unknown.status == 2);
  CHECK(unknown.out.find("unknown role toaster") != std::string::npos);
  Run missing = conformance("run --role euicc");
  CHECK(missing.status == 2);
  CHECK(missing.out.find("needs --euicc") != std::string::npos);
  CHECK(conformance("run --role euicc --euicc tcp:127.0.0.1:1 --case 'NoSuch.*'").status == 2);
  CHECK(conformance("frobnicate").status == 2);

  Run unreachable = conformance("run --role euicc --euicc tcp:127.0.0.1:1");
  CHECK(unreachable.status == 1);
  CHECK(std::regex_search(unreachable.out, std::regex("cannot reach the eUICC at tcp:127\\.0\\.0\\.1:1: .*refused")));
}
