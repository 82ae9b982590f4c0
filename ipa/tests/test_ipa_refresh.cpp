// An enable PSMO that resets the card (SGP.32 v1.2 refreshFlag: the eUICC asks the device for a
// REFRESH, and an IoT IPA sees the card go away) with the real programs: `eim serve`, `euicc-sim
// --listen` and `ipa run`. euicc-sim has no CAT session and never resets itself after a switch, so
// the reset is its restart: killed and started again on the same --state directory and port right
// after it ran the package and before the eIM has the result. The round ends card_unreachable, the
// next one (after ipa run reconnects) reports the result the card kept; the eIM records the package
// executed once and the profile is enabled.
#include <catch2/catch.hpp>

#include <atomic>
#include <csignal>

#include "eim_lab.hpp"
#include "https_proxy.hpp"

namespace {

using ipa::test::EimLab;
using ipa::test::EimServe;
using ipa::test::poll_data;

const std::string kIccid = "8949449999999990415";

}  // namespace

TEST_CASE("ipa run: the card reset by an enable PSMO before the report, the next round reports the kept result once",
          "[ipa][eim][process][refresh]") {
  EimLab lab({kIccid});
  lab.start_smdp();
  EimServe eim = lab.start_eim(lab.eim_db);
  auto& card = lab.add_device("card", "localhost");
  lab.add_initial(EimLab::euicc_of(card), eim.esipa_port);
  lab.register_device(eim.owner_port, card.eid, lab.card_pki("card"));
  std::string iccid = lab.order_for(card.eid);
  REQUIRE(lab.ipa(card, "download --default-smdp" + lab.smdp_flags()).status == 0);
  lab.owner_ok(eim.owner_port, "psmo --eid " + card.eid + " --enable " + iccid);

  // Between the IPA and the eIM: at the first ProvideEimPackageResult (BF50) the card has run the
  // enable; it is restarted there, then the report goes on to the eIM, or is lost on the way too.
  bool report_lost = GENERATE(false, true);
  std::atomic<int> restarts{0};
  rsp::http::ClientOptions to_eim;
  to_eim.trusted_ca_files.push_back(lab.ci_pem);
  auto eim_tls =
      rsp::http::TlsIdentity::from_pki(lab.pki, rsp::crypto::Curve::nist_p256, rsp::crypto::Role::eim_tls).value();
  auto restart_card = [&](rsp::http::Request& r) -> std::optional<rsp::http::Response> {
    if (restarts > 0 || !r.body.starts_with("\xBF\x50")) return std::nullopt;
    ++restarts;
    card.process->stop(SIGKILL);
    card.process = std::make_unique<rsp::test::ChildProcess>(
        "euicc-sim", lab.dir.path(),
        std::vector<std::string>{"--state", (lab.dir.path() / "card").string(), "--listen", "127.0.0.1:" + card.port,
                                 "--pki", lab.card_pki("card").string()});
    card.process->wait_for("listening on 127\\.0\\.0\\.1:(\\d+)");
    if (!report_lost) return std::nullopt;
    rsp::http::Response gone;
    gone.status = 500;  // not retried (a 502 or 503 would be)
    return gone;
  };
  ipa::test::HttpsProxy proxy(eim_tls, "https://localhost:" + eim.esipa_port, to_eim, restart_card);

  std::string through_proxy = " --eim-address localhost:" + std::to_string(proxy.port());
  auto run = lab.ipa(card, "--json run --rounds 3 --interval 0 --max-backoff 1" + through_proxy);
  CHECK(restarts == 1);
  REQUIRE(run.status == 0);  // the last round succeeded
  auto data = poll_data(run);
  CHECK(data["rounds"] == 3);
  CHECK(data["packages"] == 1);      // run once, never delivered again
  CHECK(data["failedRounds"] == 1);  // the round the card went away in
  INFO(run.out);
  // Round 1: the card ran the package and went away. With the report through, the eIM has it but
  // the card cannot drop the acknowledged result; with the report lost, the round's next card call
  // (the notifications) finds the card gone. Either way round 2, after the reconnect, reports the
  // result the card kept.
  CHECK(run.out.find(report_lost ? "round 1: provideEimPackageResult" : "round 1: cannot remove seqNumber") !=
        std::string::npos);
  CHECK(run.err.find("function=loadEuiccPackage") != std::string::npos);
  CHECK(run.err.find("step=keptResult") != std::string::npos);
  CHECK(run.out.find("round 2: 0 packages from localhost:" + std::to_string(proxy.port()) + " (1 results reported;") !=
        std::string::npos);

  auto packages = lab.packages(eim.owner_port, card.eid);
  REQUIRE(packages.size() == 1);
  CHECK(packages[0]["state"] == "executed");
  CHECK(packages[0]["result"]["results"][0]["operation"] == "enable");
  CHECK(eim.lines_matching("function=GetEimPackage eid=" + card.eid + " outcome=delivered") == 1);
  CHECK(eim.lines_matching("function=ProvideEimPackageResult eid=" + card.eid + " outcome=executed") == 1);
  // The restarted card has the profile enabled and keeps no result.
  auto profiles = lab.ipa(card, "--json profile list");
  CHECK(profiles.out.find(iccid) != std::string::npos);
  CHECK(profiles.out.find("\"enabled\"") != std::string::npos);
  CHECK(lab.ipa(card, "--json poll").status == 0);
}
