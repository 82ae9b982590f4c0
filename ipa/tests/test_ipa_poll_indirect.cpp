// A ProfileDownloadTrigger run through the eIM (SGP.32 v1.2 indirect profile download) with the
// real programs: `smdp serve` holding an order bound to the card's EID, `eim serve` relaying ES9+ to
// it (--smdp-port), a software eUICC whose eIM configuration announces indirectProfileDownload, and
// `ipa poll --indirect-download`: the ES9+ steps go as ESipa messages to the eIM only, the profile
// installs, the installation result reaches the SM-DP+ through the eIM and the trigger's result the
// eIM's owner. Without the flag, or when the eIM does not offer it, the IPA goes to the SM-DP+ itself.
#include <catch2/catch.hpp>

#include "eim_lab.hpp"

namespace {

using ipa::test::EimLab;
using ipa::test::EimServe;
using ipa::test::poll_data;

const std::string kIccid1 = "8949449999999990308";
const std::string kIccid2 = "8949449999999990316";
const std::string kIccid3 = "8949449999999990324";

}  // namespace

TEST_CASE("ipa poll --indirect-download: the eIM relays the download of a ProfileDownloadTrigger",
          "[ipa][eim][process][indirect]") {
  std::string binding = GENERATE("asn1", "json");
  EimLab lab({kIccid1, kIccid2, kIccid3});
  lab.start_smdp();
  EimServe eim = lab.start_eim(lab.eim_db, "0", "0", {"--smdp-port", lab.es9_port});
  auto& card = lab.add_device("card", "localhost");
  lab.add_initial(EimLab::euicc_of(card), eim.esipa_port, "--indirect-profile-download");
  lab.register_device(eim.owner_port, card.eid, lab.card_pki("card"));

  std::string iccid = lab.order_for(card.eid);  // at the default SM-DP+, bound to the EID
  lab.owner_ok(eim.owner_port, "download --eid " + card.eid + " --default-smdp");
  // No --ca and no --smdp-port: the IPA never talks to the SM-DP+ itself.
  auto polled = lab.ipa(card, "--json poll --indirect-download --binding " + binding);
  REQUIRE(polled.status == 0);
  auto data = poll_data(polled);
  CHECK(data["downloadTriggers"] == 1);
  CHECK(data["indirectDownloads"] == 1);
  CHECK(data["es9BytesSent"] > 0);
  CHECK(polled.err.find("path=indirect") != std::string::npos);
  CHECK(lab.ipa(card, "profile list").out.find(iccid) != std::string::npos);
  // The eIM relayed each step to the SM-DP+ and the installation result with them.
  for (const char* function :
       {"InitiateAuthentication", "AuthenticateClient", "GetBoundProfilePackage", "HandleNotification"})
    CHECK(eim.lines_matching(std::string("function=") + function + " .*outcome=relayed") == 1);
  CHECK(lab.smdp->output().find("function=handleNotification") != std::string::npos);
  auto packages = lab.packages(eim.owner_port, card.eid);
  REQUIRE(packages.size() == 1);
  CHECK(packages[0]["state"] == "executed");

  // The compact ESipa forms: the same download, fewer bytes to the eIM, the eIM rebuilding the full
  // ES9+ messages (the SM-DP+ checks the eUICC's signatures over them).
  std::string second = lab.order_for(card.eid);
  lab.owner_ok(eim.owner_port, "download --eid " + card.eid + " --default-smdp");
  auto compact = lab.ipa(card, "--json poll --indirect-download --minimize-esipa-bytes --binding " + binding);
  REQUIRE(compact.status == 0);
  CHECK(poll_data(compact)["indirectDownloads"] == 1);
  CHECK(lab.ipa(card, "profile list").out.find(second) != std::string::npos);
  CHECK(poll_data(compact)["es9BytesSent"] < data["es9BytesSent"]);
  CHECK(lab.ipa(card, "poll --minimize-esipa-bytes").status == 2);  // only with --indirect-download

  // The same IPA without the flag goes to the SM-DP+ itself: here it cannot (no CA given), and the
  // trigger's result says so.
  lab.order_for(card.eid);
  lab.owner_ok(eim.owner_port, "download --eid " + card.eid + " --default-smdp");
  auto direct = lab.ipa(card, "--json poll --binding " + binding);
  CHECK(poll_data(direct)["indirectDownloads"] == 0);
  CHECK(direct.err.find("path=direct") != std::string::npos);
  CHECK(eim.lines_matching("function=InitiateAuthentication ") == 2);  // the two indirect downloads only
}
