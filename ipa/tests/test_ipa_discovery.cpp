// Discovery with the real programs on loopback: an operator orders a profile for an EID with an
// SM-DS address (`smdp serve` registers the event at `smds serve` over ES12); the device, knowing
// nothing but its eUICC's root SM-DS, finds the event (`ipa discover`, both bindings) and installs
// the profile (`ipa download --discover`); the event is gone afterwards; another device finds an
// empty list and nothing to download; one whose first event is unknown at its SM-DP+ installs
// through the second; one with no event but an order at its default SM-DP+ gets that one through
// the same command.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "zero_touch_lab.hpp"

namespace {

using ipa::test::json;
using ipa::test::ZeroTouchLab;

const std::string kIccid = "8949449999999990511";
const std::string kIccidDefault = "8949449999999990512";
const std::string kIccidSecond = "8949449999999990513";

}  // namespace

TEST_CASE("ipa discover and download --discover: an event registered at the SM-DS, found and installed, then gone",
          "[ipa][cli][process][zero-touch]") {
  ZeroTouchLab lab({kIccid, kIccidDefault, kIccidSecond});
  lab.start_smds();
  lab.start_smdp();
  auto& device = lab.add_device("device", std::nullopt, "localhost");
  auto& other = lab.add_device("other", std::nullopt, "localhost");
  std::string iccid = lab.order_for(device.eid, "localhost:" + lab.smds_port);

  // The event, in both bindings, from the eUICC's root SM-DS.
  auto found = lab.ipa(device, "--json discover" + lab.smds_flags());
  REQUIRE(found.status == 0);
  json entries = found.lpa()["data"]["eventEntries"];
  REQUIRE(entries.size() == 1);
  std::string event_id = entries[0]["eventId"];
  CHECK_FALSE(event_id.empty());
  CHECK(entries[0]["rspServerAddress"] == "localhost");
  auto lines = found.lines();
  REQUIRE(lines.size() == 5);
  CHECK(lines[1]["payload"]["message"] == "es11_initiate_authentication");
  CHECK(lines[3]["payload"]["message"] == "es11_authenticate_client");
  auto as_text = lab.ipa(device, "discover --binding asn1" + lab.smds_flags());
  CHECK(as_text.status == 0);
  CHECK(as_text.out.find(event_id + " localhost\n1 event at localhost\n") != std::string::npos);

  // Another device: an empty list is an answer (exit 0); download --discover has nothing to take.
  auto none = lab.ipa(other, "discover" + lab.smds_flags());
  CHECK(none.status == 0);
  CHECK(none.out.find("no event for this EID at localhost\n") != std::string::npos);
  auto nothing = lab.ipa(other, "download --discover" + lab.smds_flags() + " --smdp-port " + lab.es9_port);
  CHECK(nothing.status == 1);
  CHECK(nothing.err ==
        "nothing for this EID: no event at the SM-DS localhost and no default SM-DP+ address on the eUICC\n");
  CHECK(lab.ipa(other, "--json profile list").out.find(iccid) == std::string::npos);

  // The device installs the profile through its event, with nothing but its eUICC to go on.
  auto installed = lab.ipa(device, "--json download --discover" + lab.smds_flags() + " --smdp-port " + lab.es9_port);
  REQUIRE(installed.status == 0);
  json done = installed.lpa();
  CHECK(done["data"]["iccid"] == iccid);
  CHECK(done["data"]["eventId"] == event_id);
  CHECK(lab.ipa(device, "profile list").out.find(iccid) != std::string::npos);

  // The SM-DP+ deletes the event once the profile is installed (ES12.DeleteEvent, from its outbox).
  bool gone = false;
  for (int i = 0; i < 50 && !gone; ++i) {
    auto after = lab.ipa(device, "--json discover" + lab.smds_flags());
    gone = after.status == 0 && after.lpa()["data"]["eventEntries"].empty();
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  CHECK(gone);

  // Two events, the first one unknown at its SM-DP+ (8.2.6/3.8): a warning, then the second installs;
  // one end line.
  auto& second = lab.add_device("second", std::nullopt, "localhost");
  lab.register_event(second.eid, "NO-SUCH-ORDER", "localhost");
  std::string second_iccid = lab.order_for(second.eid, "localhost:" + lab.smds_port);
  auto past_one = lab.ipa(second, "--json download --discover" + lab.smds_flags() + " --smdp-port " + lab.es9_port);
  REQUIRE(past_one.status == 0);
  CHECK(past_one.err.find(
            "event NO-SUCH-ORDER at localhost: download failed at es9p_authenticate_client: authenticateClient: "
            "Failed 8.2.6/3.8") != std::string::npos);
  size_t ends = 0;
  for (const auto& line : past_one.lines()) ends += line["type"] == "lpa";
  CHECK(ends == 1);
  CHECK(past_one.lpa()["data"]["iccid"] == second_iccid);

  // No event, an order at the default SM-DP+: download --discover falls back to it (no matchingId).
  auto& by_default = lab.add_device("by-default", "localhost", "localhost");
  std::string default_iccid = lab.order_for(by_default.eid);
  auto fallback = lab.ipa(by_default, "download --discover" + lab.smds_flags() + " --smdp-port " + lab.es9_port);
  REQUIRE(fallback.status == 0);
  CHECK(fallback.out.find("no event at localhost; asking the default SM-DP+ localhost\n") != std::string::npos);
  CHECK(fallback.out.find("installed " + default_iccid) != std::string::npos);
}
