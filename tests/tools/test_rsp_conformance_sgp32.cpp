// rsp-conformance's SGP.32 eUICC cases (ES10b' and eUICC Packages, the harness as the eIM of --pki)
// against euicc-sim --listen made with the same PKI: with --pki --destructive all pass, again on the
// same card (the harness's eIM found, not added twice), and the card keeps no package result; without
// --destructive or --pki the five package cases are not applicable; an eIM of the same eimId with
// another key makes them not applicable too. The proof that they can fail: the card's
// wrong-signature fault fails exactly the cases that verify the card's signature.
#include <catch2/catch.hpp>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "tools/conformance_pki_card.hpp"

namespace {

using Run = rsp::test::CommandResult;

const std::set<std::string> kPackage = {"ES10b.LoadEuiccPackage.Nominal", "ES10b.LoadEuiccPackage.InvalidSignature",
                                        "ES10b.LoadEuiccPackage.ReplayedCounter", "ES10b.LoadEuiccPackage.OtherEid",
                                        "ES10b.LoadEuiccPackage.UnknownEim"};
const std::set<std::string> kReadOnly = {"ES10b.GetEimConfigurationData.Nominal", "ES10b.GetCerts.Nominal",
                                         "ES10b.GetCerts.UnknownCi"};

using Sgp32Card = rsp::test::ConformancePkiCard;

// Every case's verdict and detail (case ID -> verdict, detail) from --json lines.
std::map<std::string, std::pair<std::string, std::string>> verdicts(const std::string& json_lines) {
  std::map<std::string, std::pair<std::string, std::string>> v;
  std::istringstream in(json_lines);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    std::string id = j.at("case");
    v[id] = {j.at("verdict"), j.value("detail", "")};
  }
  return v;
}

void check(const Run& r, const std::set<std::string>& want_na, const std::set<std::string>& want_fail = {},
           const std::string& reason = {}) {
  INFO(r.out);
  auto v = verdicts(r.out);
  for (const auto& id : kReadOnly) CHECK(v[id].first == "pass");
  for (const auto& id : kPackage) {
    const auto& result = v[id];
    INFO(id << ": " << result.second);
    CHECK(result.first == (want_fail.count(id) ? "fail" : want_na.count(id) ? "n/a" : "pass"));
    if (want_na.count(id) && !reason.empty()) CHECK(result.second.find(reason) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("rsp-conformance SGP.32 eUICC cases pass against euicc-sim with --pki --destructive", "[conformance][cli]") {
  Sgp32Card card;
  check(card.run("--pki " + card.pki.string()), kPackage, {}, "needs --destructive");
  check(card.run("--destructive"), kPackage, {}, "needs --pki");
  Run r = card.run("--pki " + card.pki.string() + " --destructive");
  CHECK(r.status == 0);
  check(r, {});
  // Again: the harness's eIM is on the card now and is used as it is.
  check(card.run("--pki " + card.pki.string() + " --destructive"), {});
  // No package result is left on the card; the harness's eIM is.
  auto after = verdicts(card.run("--case 'ES10b.*'").out);
  CHECK(after["ES10b.ListNotification.Nominal"] == std::pair<std::string, std::string>("pass", "0 pending"));
  CHECK(after["ES10b.GetEimConfigurationData.Nominal"] == std::pair<std::string, std::string>("pass", "1 eIM(s)"));

  // Another eIM key under the same eimId: the harness does not touch that eIM.
  auto other = card.dir.path() / "other-eim";
  REQUIRE(rsp::pki::issue_eim(card.pki, other, "localhost", "Other eIM"));
  check(card.run("--pki " + other.string() + " --destructive"), kPackage, {}, "another key");
}

TEST_CASE("rsp-conformance SGP.32 eUICC cases fail exactly where the wrong-signature fault breaks a check",
          "[conformance][cli]") {
  Sgp32Card card({"wrong-signature"});
  Run r = card.run("--pki " + card.pki.string() + " --destructive");
  CHECK(r.status == 1);
  check(
      r, {},
      {"ES10b.LoadEuiccPackage.Nominal", "ES10b.LoadEuiccPackage.ReplayedCounter", "ES10b.LoadEuiccPackage.OtherEid"});
}
