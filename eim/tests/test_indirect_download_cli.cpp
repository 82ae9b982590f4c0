// `ipa download --via-eim` with the programs on loopback: `smdp serve` with an operator's order
// bound to the EID, `euicc-sim --listen` as the device, and the eIM's ESipa service in-process
// behind HTTPS. The profile installs through the eIM in both ESipa bindings, the SM-DP+'s refusal
// prints as in a direct download, an eIM whose certificate is not trusted is refused, and the
// flags' misuse is a usage error. --minimize-esipa-bytes sends the compact forms the eIM rebuilds.
#include <catch2/catch.hpp>

#include "esipa_https.hpp"
#include "zero_touch_lab.hpp"

namespace {

using ipa::test::ZeroTouchLab;

struct Lab {
  ZeroTouchLab lab{{"8949449999999990401", "8949449999999990402"}};
  std::unique_ptr<eim::test::EsipaHttps> eim;

  Lab() {
    lab.start_smdp();
    eim = std::make_unique<eim::test::EsipaHttps>(lab.pki, rsp::crypto::Curve::nist_p256,
                                                  static_cast<uint16_t>(std::stoi(lab.es9_port)),
                                                  lab.dir.path() / "eim.db");
  }
  std::string via_eim() const { return " --via-eim " + eim->address(); }
};

}  // namespace

TEST_CASE("ipa download --via-eim: the profile through the eIM in both bindings, a refusal as for a direct download",
          "[ipa][cli][process][eim][indirect]") {
  Lab l;
  auto& first = l.lab.add_device("first", "localhost");
  auto& second = l.lab.add_device("second", "localhost");
  std::string iccid1 = l.lab.order_for(first.eid);
  std::string iccid2 = l.lab.order_for(second.eid);

  // ASN.1 binding (the default), text output.
  auto installed = l.lab.ipa(first, "download --default-smdp" + l.via_eim() + l.lab.ca());
  REQUIRE(installed.status == 0);
  CHECK(installed.out.find(iccid1) != std::string::npos);
  CHECK(l.lab.ipa(first, "profile list").out.find(iccid1) != std::string::npos);
  auto notified = l.eim->last("HandleNotification");
  REQUIRE(notified);
  CHECK(notified->outcome == "relayed");

  // JSON binding, JSON output: the lpac-shaped result.
  auto as_json = l.lab.ipa(second, "--json download --default-smdp" + l.via_eim() + " --eim-binding json" + l.lab.ca());
  REQUIRE(as_json.status == 0);
  auto last = as_json.lines().back()["payload"]["data"];
  CHECK(last["iccid"] == iccid2);
  CHECK(last["notificationSent"] == true);

  // The order is done: the SM-DP+'s eidMismatch comes back through the eIM as 8.1.1/3.8, one line, exit 1.
  auto again = l.lab.ipa(first, "download --default-smdp" + l.via_eim() + l.lab.ca());
  CHECK(again.status == 1);
  CHECK(again.err.rfind("nothing for this EID at localhost: authenticateClient: Failed 8.1.1/3.8", 0) == 0);
  CHECK(l.eim->last("AuthenticateClient")->outcome == "refused by SM-DP+");
}

TEST_CASE("ipa download --via-eim: an untrusted eIM and usage errors", "[ipa][cli][process][eim][indirect]") {
  Lab l;
  auto& card = l.lab.add_device("card", "localhost");
  l.lab.order_for(card.eid);

  // Without --ca the system store is asked, which does not know the lab's CI.
  auto untrusted = l.lab.ipa(card, "download --default-smdp" + l.via_eim());
  CHECK(untrusted.status == 1);
  CHECK(untrusted.err.find("TLS certificate verification failed") != std::string::npos);
  CHECK(l.eim->seen().empty());

  CHECK(l.lab.ipa(card, "download --default-smdp --eim-binding json" + l.lab.ca()).status == 2);  // needs --via-eim
  CHECK(l.lab.ipa(card, "download --default-smdp --eim-binding xml" + l.via_eim() + l.lab.ca()).status == 2);
  CHECK(l.lab.ipa(card, "download --default-smdp --via-eim https://eim/x" + l.lab.ca()).status != 0);
}

TEST_CASE("ipa download --via-eim --minimize-esipa-bytes: the compact forms, rebuilt by the eIM",
          "[ipa][cli][process][eim][indirect]") {
  Lab l;
  auto& card = l.lab.add_device("card", "localhost");
  std::string iccid = l.lab.order_for(card.eid);
  // Without --via-eim the flag is a usage error.
  CHECK(l.lab.ipa(card, "download --default-smdp --minimize-esipa-bytes" + l.lab.ca()).status == 2);

  // The eIM's record of the device holds CERT.EUM, which the compact AuthenticateServerResponse leaves out.
  eim::DeviceRecord record;
  record.eid = card.eid;
  record.owner = "owner-1";
  record.eim_id = "eim-1";
  record.eum_certificate =
      rsp::pki::load_certificate(l.lab.pki, rsp::crypto::Curve::nist_p256, rsp::crypto::Role::eum).value().der();
  REQUIRE(l.eim->store->add_device(record).value());

  auto installed = l.lab.ipa(
      card, "download --default-smdp --minimize-esipa-bytes" + l.via_eim() + " --eim-binding json" + l.lab.ca());
  INFO(installed.out << installed.err);
  REQUIRE(installed.status == 0);
  CHECK(installed.out.find(iccid) != std::string::npos);
  for (const char* function : {"AuthenticateClient", "GetBoundProfilePackage", "HandleNotification"}) {
    auto reply = l.eim->last(function);
    REQUIRE(reply);
    CHECK(reply->outcome == "relayed");
    CHECK(reply->message.find("rebuilt from the compact form") != std::string::npos);
  }
}
