// Zero-touch provisioning with the real programs on loopback: software eUICCs created as a factory
// leaves them (euicc-sim --default-smdp / --root-smds) and `ipa` with nothing but the eUICC: its
// addresses (addresses, set-default-smdp), a download with no default SM-DP+, an SM-DS that does
// not answer, and usage errors.
#include <catch2/catch.hpp>

#include "zero_touch_lab.hpp"

namespace {

using ipa::test::json;
using ipa::test::ZeroTouchLab;

}  // namespace

TEST_CASE("ipa addresses and set-default-smdp: the factory's addresses, changed and cleared", "[ipa][cli][process][zero-touch]") {
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
  CHECK(silent.err.rfind("discover failed at es11_initiate_authentication: initiateAuthentication: no answer from the SM-DS", 0) == 0);
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
