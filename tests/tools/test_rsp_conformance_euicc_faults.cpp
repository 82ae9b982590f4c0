// Every eUICC-role case of rsp-conformance against euicc-sim --listen made with the same PKI, with
// --pki --destructive: all pass on each curve (the SGP.26 case is n/a: the PKI was not imported),
// and the card is left with no profile and no notification. The proof that the cases bite: each
// fault of the card's --conformance-harness fails exactly the cases that check that behaviour, and
// every other case still passes. With a PKI imported from the SGP.26 set (reference kit), the
// SGP.26 case reads its InvalidTestCases and says why none of them is a certificate a card checks.
#include <catch2/catch.hpp>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "tools/conformance_pki_card.hpp"

namespace {

using Run = rsp::test::CommandResult;
using Card = rsp::test::ConformancePkiCard;

const std::string kSgp26 = "ES10b.AuthenticateServer.Sgp26InvalidCertificates";

// case ID -> (verdict, detail), from --json lines.
std::map<std::string, std::pair<std::string, std::string>> verdicts(const std::string& json_lines) {
  std::map<std::string, std::pair<std::string, std::string>> v;
  std::istringstream in(json_lines);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    v[j.at("case")] = {j.at("verdict"), j.value("detail", "")};
  }
  return v;
}

// Every case passes but those in `failing` (which fail) and the SGP.26 one (n/a).
void check_all(const Run& r, const std::set<std::string>& failing) {
  INFO(r.out);
  CHECK(r.status == (failing.empty() ? 0 : 1));
  auto v = verdicts(r.out);
  CHECK(v.size() == 79);
  for (const auto& [id, result] : v) {
    INFO(id << ": " << result.second);
    CHECK(result.first == (id == kSgp26 ? "n/a" : failing.count(id) ? "fail" : "pass"));
  }
  CHECK(v[kSgp26].second.find("not made by rsp-pki import-sgp26") != std::string::npos);
}

// The card's profiles and notifications, as the ES10 cases report them: none.
void check_card_empty(const std::string& euicc) {
  auto v = verdicts(rsp::test::run_command("timeout 20 " + std::string(RSP_BINARY_DIR) +
                                           "/rsp-conformance run --role euicc --json --euicc " + euicc +
                                           " --case 'ES10[bc].*.Nominal' 2>/dev/null")
                        .out);
  CHECK(v["ES10c.GetProfilesInfo.Nominal"].second == "0 profiles");
  CHECK(v["ES10b.ListNotification.Nominal"].second == "0 pending");
}

const std::set<std::string> kInstallingAfterAuthentication = {"ES10b.Download.Nominal",
                                                              "ES10b.LoadBoundProfilePackage.BadSegmentMac",
                                                              "ES10b.LoadBoundProfilePackage.OtherOtpk",
                                                              "ES10b.LoadBoundProfilePackage.ReplayedSegment",
                                                              "ES10c.DisableProfile.NotEnabled",
                                                              "ES10c.EnableProfile.AlreadyEnabled",
                                                              "ES10c.DeleteProfile.Enabled",
                                                              "ES10c.SetNickname.Nominal",
                                                              "ES10b.LoadBoundProfilePackage.ReorderedGroups",
                                                              "ES10b.LoadBoundProfilePackage.MissingConfigureIsdp",
                                                              "ES10b.LoadBoundProfilePackage.MissingStoreMetadata",
                                                              "ES10b.LoadBoundProfilePackage.MissingProfileElements",
                                                              "ES10b.LoadBoundProfilePackage.ReorderedSegments",
                                                              "ES10b.LoadBoundProfilePackage.TruncatedSegment",
                                                              "ES10b.LoadBoundProfilePackage.OtherTransaction",
                                                              "ES10b.LoadBoundProfilePackage.IccidAlreadyExists",
                                                              "ES10b.RetrieveNotificationsList.InstallResult"};
// The other cases that verify a signature the card makes: euiccSignature1 (every block size) and
// euiccCancelSessionSignature.
const std::set<std::string> kVerifyingEuiccSignature = {"ES10.StoreData.LongCommandSegmentSizes",
                                                        "ES10b.CancelSession.Nominal"};

}  // namespace

TEST_CASE("every eUICC case passes against euicc-sim with --pki --destructive, on both curves", "[conformance][cli]") {
  for (auto curve : {rsp::crypto::Curve::nist_p256, rsp::crypto::Curve::brainpool_p256r1}) {
    INFO(rsp::crypto::short_name(curve));
    Card card({}, curve);
    check_all(card.run("--pki " + card.pki.string() + " --destructive"), {});
    check_card_empty(card.euicc);
  }
}

TEST_CASE("each card fault fails exactly the eUICC cases that check that behaviour", "[conformance][cli]") {
  std::set<std::string> wrong_signature = kInstallingAfterAuthentication;
  wrong_signature.insert(kVerifyingEuiccSignature.begin(), kVerifyingEuiccSignature.end());
  wrong_signature.insert(
      {"ES10b.LoadEuiccPackage.Nominal", "ES10b.LoadEuiccPackage.ReplayedCounter", "ES10b.LoadEuiccPackage.OtherEid"});
  const std::map<std::string, std::set<std::string>> broken = {
      {"skip-signature-check",
       {"ES10b.AuthenticateServer.InvalidServerSignature", "ES10b.PrepareDownload.InvalidSmdpSignature",
        "ES10b.LoadEuiccPackage.InvalidSignature"}},
      {"accept-any-challenge", {"ES10b.AuthenticateServer.EuiccChallengeMismatch"}},
      {"reuse-counter", {"ES10b.LoadEuiccPackage.ReplayedCounter"}},
      {"skip-segment-order-check", {"ES10b.LoadBoundProfilePackage.ReorderedGroups"}},
      {"skip-bpp-structure-check",
       {"ES10b.LoadBoundProfilePackage.ReorderedGroups", "ES10b.LoadBoundProfilePackage.MissingConfigureIsdp",
        "ES10b.LoadBoundProfilePackage.MissingProfileElements"}},
      {"answer-without-get-response", {"ES10.Transport.T0GetResponse"}},
      {"ignore-channel-close", {"ES10.Transport.LogicalChannel"}},
      {"skip-session-checks",
       {"ES10b.AuthenticateServer.Replayed", "ES10b.PrepareDownload.OtherTransactionId",
        "ES10b.LoadBoundProfilePackage.OtherTransaction"}},
      {"undefined-error-codes",
       {"ES10c.EnableProfile.UnknownIccid", "ES10c.EnableProfile.UnknownAid", "ES10c.DisableProfile.UnknownIccid",
        "ES10c.DeleteProfile.UnknownIccid", "ES10c.SetNickname.UnknownIccid",
        "ES10b.RemoveNotificationFromList.UnknownSeqNumber", "ES10c.DisableProfile.NotEnabled",
        "ES10c.EnableProfile.AlreadyEnabled", "ES10c.DeleteProfile.Enabled",
        "ES10c.eUICCMemoryReset.DefaultSmdpAddress"}},
      {"skip-certificate-check",
       {"ES10b.AuthenticateServer.ExpiredDpAuth", "ES10b.PrepareDownload.ExpiredDpPb",
        "ES10b.AuthenticateServer.DpAuthBadCertificateSignature", "ES10b.PrepareDownload.DpPbBadCertificateSignature",
        "ES10b.PrepareDownload.DpAuthAsDpPb", "ES10b.AuthenticateServer.DpPbAsDpAuth"}},
      {"skip-mac-check",
       {"ES10b.LoadBoundProfilePackage.BadSegmentMac", "ES10b.LoadBoundProfilePackage.ReplayedSegment",
        "ES10b.LoadBoundProfilePackage.ReorderedSegments"}},
      {"wrong-signature", wrong_signature},
  };
  // One card per fault on one PKI, the harness run against all of them at once.
  rsp::test::TempDir dir;
  auto pki = dir.path() / "pki";
  REQUIRE(rsp::pki::make(pki, {}));
  struct Faulty {
    std::unique_ptr<rsp::test::ChildProcess> process;
    std::string euicc;
    std::filesystem::path out;
  };
  std::map<std::string, Faulty> cards;
  std::string script;
  for (const auto& [fault, failing] : broken) {
    Faulty& f = cards[fault];
    f.process = std::make_unique<rsp::test::ChildProcess>(
        "euicc-sim", dir.path(),
        std::vector<std::string>{"--state", (dir.path() / fault).string(), "--pki", pki.string(), "--listen",
                                 "127.0.0.1:0", "--conformance-harness", "--fault", fault});
    f.euicc = "tcp:127.0.0.1:" + f.process->wait_for("listening on 127\\.0\\.0\\.1:(\\d+)");
    f.out = dir.path() / (fault + ".json");
    script += "(timeout 60 " + std::string(RSP_BINARY_DIR) + "/rsp-conformance run --role euicc --json --euicc " +
              f.euicc + " --pki " + pki.string() + " --destructive > " + f.out.string() + " 2>/dev/null; echo $? > " +
              f.out.string() + ".status) & ";
  }
  rsp::test::run_command(script + "wait");
  for (const auto& [fault, failing] : broken) {
    INFO(fault);
    const Faulty& f = cards.at(fault);
    Run r{std::stoi(rsp::test::read_text(f.out.string() + ".status")), rsp::test::read_text(f.out)};
    check_all(r, failing);
    // Even a card that wrongly installs a profile is left without it.
    check_card_empty(f.euicc);
  }
}

TEST_CASE("against a card and --pki imported from the SGP.26 set every case passes but the eIM ones",
          "[conformance][cli]") {
  auto source = rsp::test::require_kit() / "certs/sgp26-v3/sgp26";
  rsp::test::TempDir dir;
  auto pki = dir.path() / "pki";
  REQUIRE(rsp::pki::import_sgp26(source, pki));
  rsp::test::ChildProcess card(
      "euicc-sim", dir.path(),
      {"--state", (dir.path() / "card").string(), "--pki", pki.string(), "--listen", "127.0.0.1:0"});
  std::string euicc = "tcp:127.0.0.1:" + card.wait_for("listening on 127\\.0\\.0\\.1:(\\d+)");
  Run r = rsp::test::run_command("timeout 20 " + std::string(RSP_BINARY_DIR) +
                                 "/rsp-conformance run --role euicc --json --euicc " + euicc + " --pki " +
                                 pki.string() + " --destructive 2>/dev/null");
  INFO(r.out);
  CHECK(r.status == 0);
  auto v = verdicts(r.out);
  CHECK(v.size() == 79);
  for (const auto& [id, result] : v) {
    INFO(id << ": " << result.second);
    bool eim = id.find("LoadEuiccPackage") != std::string::npos || id == "ES10b.AddInitialEim.AlreadyAssociated" ||
               id == "ES10b.ConfigureImmediateProfileEnabling.EimAssociated";
    CHECK(result.first == (eim || id == kSgp26 ? "n/a" : "pass"));
  }
  // SGP.26's InvalidTestCases (next to the imported set) hold eUICC and EUM certificates only.
  CHECK(v[kSgp26].second.find("InvalidTestCases hold no CERT.DPauth or CERT.DPpb") != std::string::npos);
}
