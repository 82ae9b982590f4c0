// ipa poll against `eim serve` over the card transports a device has: the AT transport (a modem
// emulator on a pseudo-terminal with the software eUICC behind it) and PC/SC (euicc-sim as the card
// of a private pcscd's vpcd reader; skipped where pcscd or vpcd is absent). The owner's PSMO
// (setDefaultDpAddress) runs on the card, and the eIM records the card's verified result.
#include <catch2/catch.hpp>

#include "eim_lab.hpp"
#include "euicc/euicc.hpp"
#include "modem_emulator.hpp"
#include "pcscd_harness.hpp"

namespace {

using ipa::test::EimLab;
using ipa::test::poll_data;

// The lab PKI's own card (its default EID) behind `euicc`: given the eIM, registered, one PSMO
// queued, polled; the card's new default SM-DP+ address and the eIM's executed package checked.
void poll_psmo(EimLab& lab, const std::string& euicc) {
  auto eim = lab.start_eim(lab.eim_db);
  const std::string eid = rsp::pki::default_eid();
  lab.add_initial(euicc, eim.esipa_port);
  lab.register_device(eim.owner_port, eid, lab.pki);
  lab.owner_ok(eim.owner_port, "psmo --eid " + eid + " --set-default-dp smdp-moved.example");

  auto polled = lab.ipa(euicc, "--json poll");
  REQUIRE(polled.status == 0);
  CHECK(poll_data(polled)["eid"] == eid);
  CHECK(poll_data(polled)["euiccPackages"] == 1);
  CHECK(poll_data(polled)["resultsRemoved"] == 1);
  CHECK(lab.ipa(euicc, "addresses").out.find("smdp-moved.example") != std::string::npos);
  auto packages = lab.packages(eim.owner_port, eid);
  REQUIRE(packages.size() == 1);
  CHECK(packages[0]["state"] == "executed");
  CHECK(packages[0]["result"]["results"][0]["operation"] == "setDefaultDpAddress");
  CHECK_FALSE(packages[0]["result"].contains("error"));
  CHECK(eim.lines_matching("function=ProvideEimPackageResult eid=" + eid + " outcome=executed") == 1);
  CHECK(lab.ipa(euicc, "--json poll").lpa()["data"]["packages"] == 0);
  CHECK(eim.process->stop() == 0);
}

}  // namespace

TEST_CASE("ipa poll over the AT transport: the eIM's PSMO runs and its verified result is recorded",
          "[ipa][eim][process][at]") {
  EimLab lab;
  euicc::Options options;
  options.state_dir = lab.dir.path() / "at-card";
  options.pki_dir = lab.pki;
  auto card = euicc::Euicc::open(options);
  REQUIRE(card);
  euicc::Card terminal((*card)->isdr(), (*card)->usim());
  ipa::test::ModemEmulator modem(terminal);
  poll_psmo(lab, "at:" + modem.slave_path());
  CHECK(modem.open_sessions() == 0);
}

TEST_CASE("ipa poll over PC/SC: euicc-sim in a private pcscd's vpcd reader, the eIM's PSMO recorded",
          "[ipa][eim][process][pcsc]") {
  euicc::test::PrivatePcscd
      pcscd;  // exits 77 (skipped) when pcscd or vpcd is absent; sets PCSCLITE_CSOCK_NAME for the children
  EimLab lab;
  rsp::test::ChildProcess card("euicc-sim", lab.dir.path(),
                               {"--state", (lab.dir.path() / "pcsc-card").string(), "--vpcd",
                                "127.0.0.1:" + std::to_string(pcscd.vpcd_port()), "--pki", lab.pki.string()});
  CHECK(card.wait_for("EID (\\d{32})") == rsp::pki::default_eid());
  {
    euicc::test::PcscClient client;
    REQUIRE(client.wait_for_card(pcscd.reader_name(), std::chrono::seconds(10)));
  }
  INFO(pcscd.log().substr(0, 2000));
  poll_psmo(lab, "pcsc:0");
}
