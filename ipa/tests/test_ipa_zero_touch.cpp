// Zero-touch provisioning with the real programs on loopback: software eUICCs created as a factory
// leaves them (euicc-sim --default-smdp / --root-smds), `smdp serve` taking an operator's ES2+
// orders, and `ipa` with nothing but the eUICC: its addresses (addresses, set-default-smdp),
// `download --default-smdp` (the order bound to the EID, no matchingId), the clean "nothing for
// this EID" (8.1.1/3.8, exit 1, nothing changed on the card), a download with no default SM-DP+,
// an SM-DS that does not answer, and usage errors.
#include <catch2/catch.hpp>

#include "zero_touch_lab.hpp"

namespace {

using ipa::test::json;
using ipa::test::ZeroTouchLab;

const std::string kIccid1 = "8949449999999990501";
const std::string kIccid2 = "8949449999999990502";

}  // namespace

TEST_CASE("ipa addresses and set-default-smdp: the factory's addresses, changed and cleared",
          "[ipa][cli][process][zero-touch]") {
  ZeroTouchLab lab({});
  auto& card = lab.add_device("card", "smdp.example.com", "localhost");
  auto shown = lab.ipa(card, "addresses");
  CHECK(shown.status == 0);
  CHECK(shown.out == "default SM-DP+: smdp.example.com\nroot SM-DS: localhost\n");
  auto as_json = lab.ipa(card, "--json addresses");
  REQUIRE(as_json.status == 0);
  CHECK(as_json.lpa()["data"] == json{{"defaultDpAddress", "smdp.example.com"}, {"rootDsAddress", "localhost"}});

  CHECK(lab.ipa(card, "set-default-smdp other.example.com").status == 0);
  CHECK(lab.ipa(card, "addresses").out == "default SM-DP+: other.example.com\nroot SM-DS: localhost\n");
  auto cleared = lab.ipa(card, "set-default-smdp ''");
  CHECK(cleared.status == 0);
  CHECK(cleared.out == "default SM-DP+ address removed\n");
  CHECK(lab.ipa(card, "addresses").out == "default SM-DP+: (none)\nroot SM-DS: localhost\n");

  // No default SM-DP+: download --default-smdp has nowhere to go.
  auto nowhere = lab.ipa(card, "download --default-smdp");
  CHECK(nowhere.status == 1);
  CHECK(nowhere.out.empty());
  CHECK(nowhere.err == "download: the eUICC has no default SM-DP+ address (set one with ipa set-default-smdp ADDR)\n");
  // An SM-DS that does not answer: one line naming the ES11 step, exit 1, for discover and download --discover.
  auto silent = lab.ipa(card, "discover --smds 127.0.0.1 --smds-port 1" + lab.ca());
  CHECK(silent.status == 1);
  CHECK(silent.err.rfind(
            "discover failed at es11_initiate_authentication: initiateAuthentication: no answer from the SM-DS", 0) ==
        0);
  auto silent_json = lab.ipa(card, "--json discover --smds-port 1" + lab.ca());
  CHECK(silent_json.status == 1);
  json silent_data = silent_json.lpa()["data"];
  CHECK(silent_data["smdsAddress"] == "localhost");  // the eUICC's root SM-DS
  CHECK(silent_data["failedPhase"] == "es11_initiate_authentication");
  CHECK(silent_data["eventEntries"] == json::array());
  auto silent_download = lab.ipa(card, "download --discover --smds localhost --smds-port 1" + lab.ca());
  CHECK(silent_download.status == 1);
  CHECK(silent_download.err.rfind("download: event retrieval failed at es11_initiate_authentication", 0) == 0);

  // Usage: one way to say where to download from.
  CHECK(lab.ipa(card, "download --default-smdp --discover").status == 2);
  CHECK(lab.ipa(card, "download --default-smdp --smdp x --matching-id y").status == 2);
  CHECK(lab.ipa(card, "set-default-smdp").status == 2);
}

TEST_CASE("ipa download --default-smdp: the order bound to the EID, and nothing for another EID",
          "[ipa][cli][process][zero-touch]") {
  ZeroTouchLab lab({kIccid1, kIccid2});
  lab.start_smdp();
  auto& ordered = lab.add_device("ordered", "localhost");
  auto& empty = lab.add_device("empty", "localhost");
  REQUIRE(ordered.eid != empty.eid);
  std::string iccid = lab.order_for(ordered.eid);

  // A device with nothing ordered: one clean line with the SM-DP+'s code, exit 1, the card as it was.
  auto nothing = lab.ipa(empty, "download --default-smdp" + lab.smdp_flags());
  CHECK(nothing.status == 1);
  CHECK(nothing.err == "nothing for this EID at localhost: authenticateClient: Failed 8.1.1/3.8 (" +
                           nothing.err.substr(nothing.err.find('(') + 1));
  CHECK(nothing.err.find('\n') == nothing.err.size() - 1);
  auto nothing_json = lab.ipa(empty, "--json download --default-smdp" + lab.smdp_flags());
  CHECK(nothing_json.status == 1);
  json failure = nothing_json.lpa();
  CHECK(failure["code"] == -1);
  CHECK(failure["message"].get<std::string>().rfind("nothing for this EID at localhost", 0) == 0);
  CHECK(failure["data"]["subjectCode"] == "8.1.1");
  CHECK(failure["data"]["reasonCode"] == "3.8");
  CHECK(failure["data"]["failedPhase"] == "es9p_authenticate_client");
  CHECK(lab.ipa(empty, "--json profile list").out.find("\"data\":[]") != std::string::npos);
  CHECK(lab.ipa(empty, "--json notification list").out.find("\"data\":[]") != std::string::npos);

  // --discover with an SM-DS that does not answer: one warning, then the default SM-DP+, which has
  // nothing for this device either.
  auto no_smds = lab.ipa(empty, "download --discover --smds localhost --smds-port 1" + lab.smdp_flags());
  CHECK(no_smds.status == 1);
  INFO(no_smds.err);
  CHECK(no_smds.err.rfind("ipa: download: event retrieval failed at es11_initiate_authentication", 0) == 0);
  CHECK(no_smds.err.find("; asking the default SM-DP+ localhost\nnothing for this EID at localhost") !=
        std::string::npos);

  // The device with an order: the profile, with no activation code anywhere.
  auto installed = lab.ipa(ordered, "--json download --default-smdp" + lab.smdp_flags());
  REQUIRE(installed.status == 0);
  auto lines = installed.lines();
  CHECK(lines.front()["payload"]["message"] == "es10b_get_euicc_challenge_and_info");
  CHECK(lines.back()["payload"]["data"]["iccid"] == iccid);
  CHECK(lines.back()["payload"]["data"]["notificationSent"] == true);
  CHECK(lab.ipa(ordered, "profile list").out.find(iccid) != std::string::npos);

  // Its order is done: a second run finds nothing, and leaves the installed profile alone.
  auto again = lab.ipa(ordered, "download --default-smdp" + lab.smdp_flags());
  CHECK(again.status == 1);
  CHECK(again.err.rfind("nothing for this EID at localhost: authenticateClient: Failed 8.1.1/3.8", 0) == 0);
  CHECK(lab.ipa(ordered, "profile list").out.find(iccid) != std::string::npos);
}
