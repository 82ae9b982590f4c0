// rsp-conformance's download cases (the harness as IPA and SM-DP+) against euicc-sim --listen made
// with the same --pki: with --destructive every case passes and the card ends with no profile and
// no notification of the test profile; without it the installing cases are not applicable; without
// --pki all eight are. The proof that the cases can fail: the card's skip-mac-check fault fails
// exactly the bad-MAC and replayed-segment cases, wrong-signature exactly the cases whose SM-DP+
// verifies euiccSignature1 (the nominal download and the three BPP cases).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "tools/conformance_pki_card.hpp"

namespace {

using Run = rsp::test::CommandResult;

const std::set<std::string> kInstalling = {"ES10b.Download.Nominal", "ES10b.LoadBoundProfilePackage.BadSegmentMac",
                                           "ES10b.LoadBoundProfilePackage.OtherOtpk",
                                           "ES10b.LoadBoundProfilePackage.ReplayedSegment"};
const std::set<std::string> kReadOnly = {
    "ES10b.AuthenticateServer.InvalidServerSignature", "ES10b.AuthenticateServer.EuiccChallengeMismatch",
    "ES10b.AuthenticateServer.UnknownCi", "ES10b.PrepareDownload.InvalidSmdpSignature"};

using Card = rsp::test::ConformancePkiCard;

// The download cases' verdicts (case ID -> verdict) from --json lines.
std::map<std::string, std::string> download_verdicts(const std::string& json_lines) {
  std::map<std::string, std::string> v;
  std::istringstream in(json_lines);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    std::string id = j.at("case");
    if (kInstalling.count(id) || kReadOnly.count(id)) v[id] = j.at("verdict");
  }
  return v;
}

// The card's profiles and notifications, as the ES10 cases report them.
void check_card_empty(const Card& card) {
  Run r = rsp::test::run_command("timeout 20 " + std::string(RSP_BINARY_DIR) +
                                 "/rsp-conformance run --role euicc --euicc " + card.euicc +
                                 " --case 'ES10[bc].*.Nominal' 2>&1");
  INFO(r.out);
  CHECK(r.out.find("pass  ES10c.GetProfilesInfo.Nominal: 0 profiles") != std::string::npos);
  CHECK(r.out.find("pass  ES10b.ListNotification.Nominal: 0 pending") != std::string::npos);
}

}  // namespace

TEST_CASE("rsp-conformance download cases pass against euicc-sim with --pki --destructive", "[conformance][cli]") {
  Card card;
  Run r = card.run("--pki " + card.pki.string() + " --destructive");
  INFO(r.out);
  CHECK(r.status == 0);
  auto v = download_verdicts(r.out);
  CHECK(v.size() == 8);
  for (const auto& [id, verdict] : v) CHECK(verdict == "pass");
  check_card_empty(card);

  Run safe = card.run("--pki " + card.pki.string());
  INFO(safe.out);
  CHECK(safe.status == 0);
  for (const auto& [id, verdict] : download_verdicts(safe.out))
    CHECK(verdict == (kInstalling.count(id) ? "n/a" : "pass"));

  Run no_pki = card.run("--destructive");
  CHECK(no_pki.status == 0);
  auto without = download_verdicts(no_pki.out);
  CHECK(without.size() == 8);
  for (const auto& [id, verdict] : without) CHECK(verdict == "n/a");
}

TEST_CASE("rsp-conformance download cases fail exactly where a card fault breaks a check", "[conformance][cli]") {
  const std::map<std::string, std::set<std::string>> broken = {
      {"skip-mac-check",
       {"ES10b.LoadBoundProfilePackage.BadSegmentMac", "ES10b.LoadBoundProfilePackage.ReplayedSegment"}},
      {"wrong-signature", kInstalling}};
  for (const auto& [fault, failing] : broken) {
    Card card({fault});
    Run r = card.run("--pki " + card.pki.string() + " --destructive");
    INFO(fault << ": " << r.out);
    CHECK(r.status == 1);
    auto v = download_verdicts(r.out);
    CHECK(v.size() == 8);
    for (const auto& [id, verdict] : v) CHECK(verdict == (failing.count(id) ? "fail" : "pass"));
    // Even the card that wrongly installs a profile with a bad MAC is left without it.
    check_card_empty(card);
  }
}
