// rsp-conformance run --role ipa against this build's ipa: the harness is the eUICC (over TCP), the
// SM-DP+ and the eIM (in-process) of a fresh rsp-pki, and starts `ipa download` or `ipa poll` once per
// case. Every case passes in both ES9+ and both ESipa bindings; with each of the IPA's conformance
// faults exactly the cases that check that behaviour fail and every other passes, so no case of the
// role is one that cannot fail. Without --ipa-poll-command the ESipa cases are not applicable.
#include <catch2/catch.hpp>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "pcscd_harness.hpp"
#include "rsp/pki/test_pki.hpp"
#include "support/command.hpp"
#include "support/kit.hpp"

namespace {

using Run = rsp::test::CommandResult;

const std::set<std::string> kCases = {
    "ES10b.ProfileDownload.Sequence",
    "ES10.StoreData.BlockSize",
    "ES10b.LoadBoundProfilePackage.Segmentation",
    "ES10b.AuthenticateServer.RelayedUnchanged",
    "ES9p.AuthenticateClient.RelayedUnchanged",
    "ES10b.PrepareDownload.RelayedUnchanged",
    "ES9p.GetBoundProfilePackage.RelayedUnchanged",
    "ES9p.HandleNotification.RelayedUnchanged",
    "ES9p.AuthenticateClient.RelaysEuiccError",
    "ES9p.GetBoundProfilePackage.RelaysEuiccError",
    "ES10b.CancelSession.AfterServerError",
    "ES10b.CancelSession.AfterPrepareDownloadFailure",
    "ES10b.CancelSession.AfterLoadFailure",
    "ES10b.RemoveNotificationFromList.AfterAcknowledgement",
    "ES9p.HandleNotification.NotAcknowledged",
};
const std::set<std::string> kEsipaCases = {
    "ESipa.GetEimPackage.Eid",
    "ES10b.LoadEuiccPackage.RelayedUnchanged",
    "ESipa.ProvideEimPackageResult.RelayedUnchanged",
    "ESipa.ProvideEimPackageResult.RemovedAfterAcknowledgement",
    "ESipa.ProvideEimPackageResult.NotAcknowledged",
};

struct Harness {
  rsp::test::TempDir dir;
  std::filesystem::path pki = dir.path() / "pki";
  Harness() { REQUIRE(rsp::pki::make(pki, {})); }

  // rsp-conformance run --role ipa with `flags`; its exit status and output (both streams).
  Run conformance(const std::string& flags) const {
    return rsp::test::run_command("timeout 120 " + std::string(RSP_BINARY_DIR) + "/rsp-conformance run --role ipa " +
                                  flags + " 2>&1");
  }
  // The role's --json verdicts (case ID -> verdict) with this build's ipa: `global` before the
  // command, `download` / `poll` after it.
  std::map<std::string, std::string> verdicts(const std::string& global, const std::string& download,
                                              const std::string& poll, Run& r, const std::string& extra = "") const {
    std::string ipa = std::string(RSP_BINARY_DIR) + "/ipa --euicc {euicc} " + global;
    std::string flags = "--json --pki " + pki.string() + " --ipa-command '" + ipa +
                        " download --activation-code {activation_code} --ca {ca} " + download + "'";
    flags += " --ipa-poll-command '" + ipa + " poll --eim-ca {ca} " + poll + "' " + extra;
    r = conformance(flags);
    std::map<std::string, std::string> v;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line.front() == '{') {
        auto j = nlohmann::json::parse(line);
        v[j.at("case")] = j.at("verdict");
      }
    return v;
  }
};

}  // namespace

TEST_CASE("rsp-conformance --role ipa: every case passes against ipa, in both ES9+ and ESipa bindings",
          "[conformance][cli]") {
  Harness h;
  for (auto [es9, esipa] :
       {std::pair{"--binding json", "--binding asn1"}, std::pair{"--binding asn1", "--binding json"}}) {
    Run r;
    auto v = h.verdicts("", es9, esipa, r);
    INFO(es9 << " / " << esipa << "\n" << r.out);
    CHECK(r.status == 0);
    CHECK(v.size() == kCases.size() + kEsipaCases.size());
    for (const auto& id : kCases) CHECK(v[id] == "pass");
    for (const auto& id : kEsipaCases) CHECK(v[id] == "pass");
  }
}

TEST_CASE("rsp-conformance --role ipa: each IPA fault fails exactly the cases that check its behaviour",
          "[conformance][cli]") {
  const std::map<std::string, std::set<std::string>> broken = {
      {"oversize-segment", {"ES10.StoreData.BlockSize", "ES10b.LoadBoundProfilePackage.Segmentation"}},
      {"alter-relay",
       {"ES9p.HandleNotification.RelayedUnchanged", "ES9p.AuthenticateClient.RelaysEuiccError",
        "ES9p.GetBoundProfilePackage.RelaysEuiccError", "ESipa.ProvideEimPackageResult.RelayedUnchanged"}},
      {"skip-cancel-session",
       {"ES10b.CancelSession.AfterServerError", "ES10b.CancelSession.AfterPrepareDownloadFailure",
        "ES10b.CancelSession.AfterLoadFailure"}},
      {"remove-notification-early",
       {"ES10b.RemoveNotificationFromList.AfterAcknowledgement", "ES9p.HandleNotification.NotAcknowledged",
        "ESipa.ProvideEimPackageResult.RemovedAfterAcknowledgement", "ESipa.ProvideEimPackageResult.NotAcknowledged"}},
      // The harness eIM hands its package out whatever EID is asked for, so only the case checking the EID fails.
      {"wrong-eid", {"ESipa.GetEimPackage.Eid"}},
  };
  Harness h;
  for (const auto& [fault, failing] : broken) {
    Run r;
    auto v = h.verdicts("--conformance-harness --fault " + fault, "", "", r);
    INFO(fault << "\n" << r.out);
    CHECK(r.status == 1);
    CHECK(v.size() == kCases.size() + kEsipaCases.size());
    for (const auto& id : kCases) CHECK(v[id] == (failing.count(id) ? "fail" : "pass"));
    for (const auto& id : kEsipaCases) CHECK(v[id] == (failing.count(id) ? "fail" : "pass"));
  }
}

TEST_CASE("rsp-conformance --role ipa: usage, list, and ipa's fault switch", "[conformance][cli]") {
  Harness h;
  Run no_command = h.conformance("--pki " + h.pki.string());
  CHECK(no_command.status == 2);
  CHECK(no_command.out.find("needs --ipa-command") != std::string::npos);
  Run no_pki = h.conformance("--ipa-command 'true'");
  CHECK(no_pki.status == 2);
  CHECK(no_pki.out.find("needs --pki") != std::string::npos);
  // An IPA that does nothing fails every case, with the reason in the detail; without
  // --ipa-poll-command the ESipa cases are not applicable.
  Run idle = h.conformance("--pki " + h.pki.string() + " --ipa-command 'true {euicc}'");
  INFO(idle.out);
  CHECK(idle.status == 1);
  CHECK(idle.out.find("20 cases, 0 passed, 15 failed, 5 not applicable") != std::string::npos);
  Run idle_poll = h.conformance("--pki " + h.pki.string() +
                                " --ipa-command 'true' --ipa-poll-command 'true {euicc}' --case 'ESipa.*'");
  INFO(idle_poll.out);
  CHECK(idle_poll.status == 1);
  CHECK(idle_poll.out.find("4 cases, 0 passed, 4 failed") != std::string::npos);

  Run list = rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/rsp-conformance list --role ipa");
  for (const auto& id : kCases) CHECK(list.out.find(id + "  [ipa]") != std::string::npos);
  for (const auto& id : kEsipaCases) CHECK(list.out.find(id + "  [ipa]") != std::string::npos);
  for (const char* placeholder :
       {"{euicc}", "{smdp}", "{activation_code}", "{matching_id}", "{ca}", "{eim}", "{eim_id}"})
    CHECK(list.out.find(placeholder) != std::string::npos);

  const std::string ipa = std::string(RSP_BINARY_DIR) + "/ipa --euicc tcp:127.0.0.1:1 ";
  CHECK(rsp::test::run_command(ipa + "--fault alter-relay eid 2>&1").status == 2);
  CHECK(rsp::test::run_command(ipa + "--conformance-harness --fault no-such-fault eid 2>&1").status == 2);
}

TEST_CASE("rsp-conformance --role ipa --ipa-vpcd: the IPA reaches the harness's cards through pcscd",
          "[conformance][cli][pcsc]") {
  euicc::test::PrivatePcscd
      pcscd;  // exits 77 (skipped) when pcscd or vpcd is absent; sets PCSCLITE_CSOCK_NAME for the children
  Harness h;
  Run r;
  // The relay cases: the nominal download and poll round, one card each, both through PC/SC.
  auto v = h.verdicts("", "", "", r,
                      "--ipa-vpcd 127.0.0.1:" + std::to_string(pcscd.vpcd_port()) + " --ipa-reader '" +
                          pcscd.reader_name() + "' --case '*.RelayedUnchanged'");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(v.size() == 7);
  for (const auto& [id, verdict] : v) CHECK(verdict == "pass");
  CHECK(h.conformance("--pki " + h.pki.string() + " --ipa-command true --ipa-vpcd nowhere").status == 2);
}
