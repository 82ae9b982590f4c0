// The fleet owner's API over real HTTPS in-process: each call nominal, fleet targets, owner
// isolation (another owner's device answers as an unknown one), pinned client certificates, and
// the refusals of bad input with their statuses.
#include <catch2/catch.hpp>

#include "owner_api_fixture.hpp"
#include "rsp/tlv.hpp"

using eim::test::eid;
using eim::test::OwnerApiFixture;
using nlohmann::json;

namespace {

const std::string kIccid = "8949449999999990049";

json target_eid(const std::string& e) { return {{"eid", e}}; }
json target_fleet(const std::string& f) { return {{"fleet", f}}; }

// The kinds of the device's packages, oldest first.
std::vector<std::string> kinds(const json& status, size_t device = 0) {
  std::vector<std::string> out;
  for (const auto& p : status["devices"][device]["packages"]) out.push_back(p["kind"]);
  return out;
}

}  // namespace

TEST_CASE("devices: add with verified certificates or with a request for them, list, show", "[eim][owner]") {
  OwnerApiFixture f;
  auto euicc = f.certificate(rsp::crypto::Role::euicc);
  std::string card = *euicc.subject_serial_number();
  auto added =
      f.a("/eim/v1/devices/add", {{"eid", card},
                                  {"fleet", "north"},
                                  {"associationToken", 7},
                                  {"counterValue", 5},
                                  {"euiccCertificate", rsp::to_base64(euicc.der())},
                                  {"eumCertificate", rsp::to_base64(f.certificate(rsp::crypto::Role::eum).der())}});
  INFO(added.body.dump());
  REQUIRE(added.status == 200);
  CHECK(added.body["results"][0]["added"] == true);
  CHECK_FALSE(added.body["results"][0].contains("queued"));  // its certificates are known

  // Without certificates the first package asks the IPA for them (tags A5 A6).
  auto more = f.a("/eim/v1/devices/add", {{"devices", {{{"eid", eid(1)}, {"fleet", "north"}}, {{"eid", eid(2)}}}}});
  REQUIRE(more.status == 200);
  REQUIRE(more.body["results"].size() == 2);
  CHECK(more.body["results"][0]["queued"]["kind"] == "ipaEuiccDataRequest");
  auto first = f.store->packages_for(eid(1), 10).value();
  REQUIRE(first.size() == 1);
  CHECK(rsp::to_hex(first[0].request).find("5C02A5A6") != std::string::npos);

  auto listed = f.a("/eim/v1/devices/list", json::object());
  REQUIRE(listed.status == 200);
  CHECK(listed.body["devices"].size() == 3);
  auto north = f.a("/eim/v1/devices/list", {{"fleet", "north"}});
  CHECK(north.body["devices"].size() == 2);

  auto shown = f.a("/eim/v1/devices/show", {{"eid", card}});
  REQUIRE(shown.status == 200);
  CHECK(shown.body["eid"] == card);
  CHECK(shown.body["fleet"] == "north");
  CHECK(shown.body["eimId"] == "eim.test.example");
  CHECK(shown.body["associationToken"] == 7);
  CHECK(shown.body["nextCounterValue"] == 6);
  CHECK(shown.body["certificates"] == true);
  CHECK(shown.body["packages"].empty());

  // The same EID again: 409, nothing changed.
  auto again = f.a("/eim/v1/devices/add", {{"eid", card}, {"fleet", "south"}});
  CHECK(again.status == 409);
  CHECK(again.body["error"] == "conflict");
  CHECK(f.store->device(card).value()->fleet == "north");
}

TEST_CASE("download, psmo, eco, data-request queue packages; status shows them in order", "[eim][owner]") {
  OwnerApiFixture f;
  REQUIRE(f.a("/eim/v1/devices/add", {{"eid", eid(1)}}).status == 200);
  auto t = target_eid(eid(1));

  auto code = f.a("/eim/v1/download", {{"target", t}, {"activationCode", "LPA:1$smdp.example.com$MATCH-1"}});
  INFO(code.body.dump());
  REQUIRE(code.status == 200);
  CHECK(code.body["results"][0]["queued"]["kind"] == "profileDownloadTrigger");
  REQUIRE(f.a("/eim/v1/download", {{"target", t}, {"contactDefaultSmdp", true}}).status == 200);
  REQUIRE(f.a("/eim/v1/download", {{"target", t}, {"smdsAddress", "lpa.ds.example.com"}}).status == 200);

  auto psmo =
      f.a("/eim/v1/psmo",
          {{"target", t},
           {"operations",
            {{{"enable", {{"iccid", kIccid}, {"rollback", true}}}},
             {{"disable", {{"iccid", kIccid}}}},
             {{"delete", {{"iccid", kIccid}}}},
             {{"listProfileInfo", json::object()}},
             {{"getRAT", json::object()}},
             {{"configureImmediateEnable",
               {{"immediateEnable", true}, {"smdpOid", "1.3.6.1.4.1.31746"}, {"smdpAddress", "smdp.example.com"}}}},
             {{"setFallbackAttribute", {{"iccid", kIccid}}}},
             {{"unsetFallbackAttribute", json::object()}},
             {{"setDefaultDpAddress", {{"address", "smdp.example.com"}}}}}}});
  INFO(psmo.body.dump());
  REQUIRE(psmo.status == 200);
  CHECK(psmo.body["results"][0]["queued"]["kind"] == "euiccPackage");
  CHECK(psmo.body["results"][0]["queued"]["state"] == "queued");
  CHECK(psmo.body["results"][0]["queued"]["eimTransactionId"].get<std::string>().size() == 32);

  auto eco =
      f.a("/eim/v1/eco",
          {{"target", t}, {"operations", {{{"listEim", json::object()}}, {{"deleteEim", {{"eimId", "old.eim"}}}}}}});
  INFO(eco.body.dump());
  REQUIRE(eco.status == 200);
  // addEim with a configuration the schema accepts.
  rsp::Bytes config = rsp::tlv::encode(
      0x30, rsp::concat({rsp::tlv::encode(0x80, rsp::to_bytes("new.eim")), rsp::tlv::encode(0x83, rsp::Bytes{0})}));
  auto add_eim = f.a("/eim/v1/eco", {{"target", t},
                                     {"operations",
                                      {{{"addEim", {{"eimConfigurationData", rsp::to_base64(config)}}}},
                                       {{"updateEim", {{"eimConfigurationData", rsp::to_base64(config)}}}}}}});
  INFO(add_eim.body.dump());
  REQUIRE(add_eim.status == 200);

  auto data = f.a("/eim/v1/data-request", {{"target", t}, {"tags", {"BF20", "84"}}});
  REQUIRE(data.status == 200);
  CHECK(data.body["results"][0]["queued"]["kind"] == "ipaEuiccDataRequest");

  // The eCOs in the signed package: addEim A8 and updateEim AA around the configuration.
  std::string last_eco = rsp::to_hex(f.store->packages_for(eid(1), 10)->at(6).request);
  CHECK(last_eco.find("A8" + rsp::to_hex(rsp::tlv::encode_length(config.size() - 2)) + rsp::to_hex(config).substr(4)) !=
        std::string::npos);
  CHECK(last_eco.find("AA" + rsp::to_hex(rsp::tlv::encode_length(config.size() - 2)) + rsp::to_hex(config).substr(4)) !=
        std::string::npos);

  auto status = f.a("/eim/v1/status", {{"target", t}});
  REQUIRE(status.status == 200);
  CHECK(kinds(status.body) == std::vector<std::string>{"ipaEuiccDataRequest", "profileDownloadTrigger",
                                                       "profileDownloadTrigger", "profileDownloadTrigger",
                                                       "euiccPackage", "euiccPackage", "euiccPackage",
                                                       "ipaEuiccDataRequest"});
  const json& packages = status.body["devices"][0]["packages"];
  for (size_t i = 1; i < packages.size(); ++i) CHECK(packages[i]["counterValue"] > packages[i - 1]["counterValue"]);
  CHECK(packages[1]["state"] == "queued");
  CHECK(packages[1]["expires"] > packages[1]["created"]);
  // The trigger carries the activation code without "LPA:".
  auto stored = f.store->packages_for(eid(1), 10).value();
  CHECK(rsp::to_hex(stored[1].request).find(rsp::to_hex(rsp::to_bytes("1$smdp.example.com$MATCH-1"))) !=
        std::string::npos);
}

TEST_CASE("a fleet target queues one package per device of that owner's fleet", "[eim][owner]") {
  OwnerApiFixture f;
  REQUIRE(f.a("/eim/v1/devices/add", {{"devices",
                                       {{{"eid", eid(1)}, {"fleet", "north"}},
                                        {{"eid", eid(2)}, {"fleet", "north"}},
                                        {{"eid", eid(3)}, {"fleet", "north"}},
                                        {{"eid", eid(4)}, {"fleet", "south"}}}}})
              .status == 200);
  REQUIRE(f.b("/eim/v1/devices/add", {{"devices", {{{"eid", eid(5)}, {"fleet", "north"}}}}}).status == 200);

  auto queued =
      f.a("/eim/v1/psmo", {{"target", target_fleet("north")}, {"operations", {{{"getRAT", json::object()}}}}});
  INFO(queued.body.dump());
  REQUIRE(queued.status == 200);
  REQUIRE(queued.body["results"].size() == 3);
  for (int n : {1, 2, 3}) CHECK(f.store->packages_for(eid(n), 10)->size() == 2);
  CHECK(f.store->packages_for(eid(4), 10)->size() == 1);  // south: only its certificate request
  CHECK(f.store->packages_for(eid(5), 10)->size() == 1);  // owner b's north

  auto status = f.a("/eim/v1/status", {{"target", target_fleet("north")}});
  REQUIRE(status.status == 200);
  REQUIRE(status.body["devices"].size() == 3);
  CHECK(kinds(status.body, 2) == std::vector<std::string>{"ipaEuiccDataRequest", "euiccPackage"});

  auto none = f.a("/eim/v1/download", {{"target", target_fleet("west")}, {"contactDefaultSmdp", true}});
  CHECK(none.status == 404);
  CHECK(none.body["error"] == "not_found");
}

TEST_CASE("owner b cannot see, queue for or add over owner a's devices; answers as for unknown", "[eim][owner]") {
  OwnerApiFixture f;
  REQUIRE(f.a("/eim/v1/devices/add", {{"eid", eid(1)}, {"fleet", "south"}}).status == 200);
  REQUIRE(f.b("/eim/v1/devices/add", {{"eid", eid(2)}}).status == 200);
  const std::string theirs = eid(1), unknown = eid(9);

  auto same = [&](const std::string& path, const std::function<json(const std::string&)>& body) {
    auto foreign = f.b(path, body(theirs));
    auto missing = f.b(path, body(unknown));
    INFO(path << " " << foreign.body.dump());
    CHECK(foreign.status == 404);
    CHECK(foreign.status == missing.status);
    CHECK(foreign.body == missing.body);
  };
  same("/eim/v1/devices/show", [](const std::string& e) { return json{{"eid", e}}; });
  same("/eim/v1/status", [](const std::string& e) { return json{{"target", target_eid(e)}}; });
  same("/eim/v1/download", [](const std::string& e) {
    return json{{"target", target_eid(e)}, {"contactDefaultSmdp", true}};
  });
  same("/eim/v1/psmo", [](const std::string& e) {
    return json{{"target", target_eid(e)}, {"operations", {{{"disable", {{"iccid", kIccid}}}}}}};
  });
  same("/eim/v1/eco", [](const std::string& e) {
    return json{{"target", target_eid(e)}, {"operations", {{{"listEim", json::object()}}}}};
  });
  same("/eim/v1/data-request", [](const std::string& e) { return json{{"target", target_eid(e)}, {"tags", {"A5"}}}; });
  // Owner a's fleet is no fleet of owner b's.
  auto fleet = f.b("/eim/v1/status", {{"target", target_fleet("south")}});
  auto no_fleet = f.b("/eim/v1/status", {{"target", target_fleet("nowhere")}});
  CHECK(fleet.status == 404);
  CHECK(fleet.body == no_fleet.body);

  // Adding over a's device: the answer b gets for its own device again, and a's record unchanged.
  auto over = f.b("/eim/v1/devices/add", {{"eid", theirs}, {"fleet", "b"}});
  auto own = f.b("/eim/v1/devices/add", {{"eid", eid(2)}, {"fleet", "b"}});
  CHECK(over.status == 409);
  CHECK(over.body == own.body);
  auto record = f.store->device(theirs).value();
  CHECK(record->owner == "owner-a");
  CHECK(record->fleet == "south");

  auto listed = f.b("/eim/v1/devices/list", json::object());
  REQUIRE(listed.body["devices"].size() == 1);
  CHECK(listed.body["devices"][0]["eid"] == eid(2));
  CHECK(f.store->packages_for(theirs, 10)->size() == 1);  // only a's certificate request
}

TEST_CASE("without a pinned client certificate every call is 403", "[eim][owner]") {
  OwnerApiFixture f;
  json body = {{"eid", eid(1)}};
  auto none = f.post_raw(std::nullopt, "/eim/v1/devices/add", body.dump());
  CHECK(none.status == 403);
  CHECK(none.body["error"] == "forbidden");
  auto stranger = f.post(rsp::test::self_signed_client("stranger"), "/eim/v1/devices/add", body);
  CHECK(stranger.status == 403);
  CHECK(stranger.body["error"] == "forbidden");
  CHECK_FALSE(f.store->device(eid(1)).value());
}

TEST_CASE("bad input is 400 with a message; unknown paths 404, bodies over the limit 413", "[eim][owner]") {
  eim::OwnerApiSettings settings;
  settings.max_devices_per_call = 3;
  settings.body_limit = 4096;
  OwnerApiFixture f(settings);
  REQUIRE(f.a("/eim/v1/devices/add", {{"devices",
                                       {{{"eid", eid(1)}, {"fleet", "big"}},
                                        {{"eid", eid(2)}, {"fleet", "big"}},
                                        {{"eid", eid(3)}, {"fleet", "big"}}}}})
              .status == 200);
  REQUIRE(f.a("/eim/v1/devices/add", {{"eid", eid(4)}, {"fleet", "big"}}).status == 200);
  auto t = target_eid(eid(1));
  auto disable = [&](const std::string& iccid) {
    return json{{"target", t}, {"operations", {{{"disable", {{"iccid", iccid}}}}}}};
  };
  auto ops = [&](json list) { return json{{"target", t}, {"operations", std::move(list)}}; };

  struct Case {
    const char* what;
    std::string path;
    std::string body;
  };
  std::string bad_eid = eid(1);
  bad_eid.back() = bad_eid.back() == '0' ? '1' : '0';
  std::vector<Case> cases = {
      {"not JSON", "/eim/v1/psmo", "{\"target\":"},
      {"not an object", "/eim/v1/psmo", "[1,2]"},
      {"EID check digits", "/eim/v1/devices/add", json{{"eid", bad_eid}}.dump()},
      {"EID in a target", "/eim/v1/status", json{{"target", target_eid("8904")}}.dump()},
      {"target both", "/eim/v1/status", json{{"target", {{"eid", eid(1)}, {"fleet", "big"}}}}.dump()},
      {"ICCID short", "/eim/v1/psmo", disable("894944999999999").dump()},
      {"ICCID letters", "/eim/v1/psmo", disable("89494499999999900AB").dump()},
      {"unknown operation", "/eim/v1/psmo", ops({{{"format", json::object()}}}).dump()},
      {"eCO in a PSMO list", "/eim/v1/psmo", ops({{{"listEim", json::object()}}}).dump()},
      {"two names in one operation", "/eim/v1/psmo",
       ops({{{"getRAT", json::object()}, {"listProfileInfo", json::object()}}}).dump()},
      {"no operations", "/eim/v1/psmo", ops(json::array()).dump()},
      {"too many operations", "/eim/v1/psmo", ops(json(std::vector<json>(33, {{"getRAT", json::object()}}))).dump()},
      {"bad OID", "/eim/v1/psmo", ops({{{"configureImmediateEnable", {{"smdpOid", "1..2"}}}}}).dump()},
      {"addEim not a configuration", "/eim/v1/eco", ops({{{"addEim", {{"eimConfigurationData", "MAA="}}}}}).dump()},
      {"two download kinds", "/eim/v1/download",
       json{{"target", t}, {"contactDefaultSmdp", true}, {"smdsAddress", "x"}}.dump()},
      {"bad activation code", "/eim/v1/download", json{{"target", t}, {"activationCode", "2$x$y"}}.dump()},
      {"bad tag", "/eim/v1/data-request", json{{"target", t}, {"tags", {"BF"}}}.dump()},
      {"too many EIDs", "/eim/v1/devices/add",
       json{{"devices", {{{"eid", eid(5)}}, {{"eid", eid(6)}}, {{"eid", eid(7)}}, {{"eid", eid(8)}}}}}.dump()},
      {"fleet above the bound", "/eim/v1/status", json{{"target", target_fleet("big")}}.dump()},
      {"certificates alone", "/eim/v1/devices/add", json{{"eid", eid(5)}, {"euiccCertificate", "MAA="}}.dump()},
  };
  for (const auto& c : cases) {
    auto answer = f.post_raw(f.owner_a, c.path, c.body);
    INFO(c.what << ": " << answer.body.dump());
    CHECK(answer.status == 400);
    CHECK(answer.body["error"] == "bad_request");
    CHECK_FALSE(answer.body["message"].get<std::string>().empty());
  }
  CHECK_FALSE(f.store->device(eid(5)).value());
  CHECK(f.store->packages_for(eid(1), 10)->size() == 1);

  CHECK(f.a("/eim/v1/nothing", json::object()).status == 404);
  auto large = f.a("/eim/v1/devices/list", {{"fleet", std::string(5000, 'x')}});
  CHECK(large.status == 413);
  CHECK(large.body["error"] == "payload_too_large");
}

TEST_CASE("device add refuses certificates that do not chain or name another EID, and stores nothing", "[eim][owner]") {
  OwnerApiFixture f;
  rsp::test::TestPki other;
  auto foreign_euicc = rsp::pki::load_certificate(other.dir.path(), other.curve, rsp::crypto::Role::euicc).value();
  auto foreign_eum = rsp::pki::load_certificate(other.dir.path(), other.curve, rsp::crypto::Role::eum).value();
  auto euicc = f.certificate(rsp::crypto::Role::euicc);
  auto eum = f.certificate(rsp::crypto::Role::eum);
  std::string card = *euicc.subject_serial_number();
  auto add = [&](const std::string& e, const rsp::crypto::Certificate& c, const rsp::crypto::Certificate& m) {
    return f.a(
        "/eim/v1/devices/add",
        {{"eid", e}, {"euiccCertificate", rsp::to_base64(c.der())}, {"eumCertificate", rsp::to_base64(m.der())}});
  };
  auto unchained = add(card, foreign_euicc, foreign_eum);
  INFO(unchained.body.dump());
  CHECK(unchained.status == 400);
  CHECK_THAT(unchained.body["message"].get<std::string>(), Catch::Contains("chain"));
  auto mixed = add(card, euicc, foreign_eum);
  CHECK(mixed.status == 400);
  auto other_eid = add(eid(3), euicc, eum);
  CHECK(other_eid.status == 400);
  CHECK_THAT(other_eid.body["message"].get<std::string>(), Catch::Contains("another eUICC"));
  CHECK_FALSE(f.store->device(card).value());
  CHECK_FALSE(f.store->device(eid(3)).value());
  CHECK(add(card, euicc, eum).status == 200);
}

TEST_CASE("download with a trigger of its own per device, in one call", "[eim][owner]") {
  OwnerApiFixture f;
  REQUIRE(f.a("/eim/v1/devices/add", {{"devices", {{{"eid", eid(1)}}, {{"eid", eid(2)}}, {{"eid", eid(3)}}}}}).status ==
          200);
  REQUIRE(f.b("/eim/v1/devices/add", {{"eid", eid(4)}}).status == 200);
  json downloads = {{{"eid", eid(1)}, {"activationCode", "LPA:1$smdp.example.com$MATCH-1"}},
                    {{"eid", eid(2)}, {"activationCode", "1$smdp.example.com$MATCH-2"}},
                    {{"eid", eid(3)}, {"contactDefaultSmdp", true}},
                    {{"eid", eid(4)}, {"contactDefaultSmdp", true}}};  // owner b's: as unknown
  auto queued = f.a("/eim/v1/download", {{"downloads", downloads}});
  INFO(queued.body.dump());
  REQUIRE(queued.status == 200);
  auto results = queued.body["results"];
  REQUIRE(results.size() == 4);
  for (int n : {0, 1, 2}) CHECK(results[n]["queued"]["kind"] == "profileDownloadTrigger");
  CHECK(results[3]["error"] == "not_found");
  CHECK(f.store->packages_for(eid(4), 10)->size() == 1);  // only its certificate request
  // Each device got its own trigger: its activation code, or the default SM-DP+.
  auto trigger_of = [&](int n) { return rsp::to_hex(f.store->packages_for(eid(n), 10)->back().request); };
  CHECK(trigger_of(1).find(rsp::to_hex(rsp::to_bytes("1$smdp.example.com$MATCH-1"))) != std::string::npos);
  CHECK(trigger_of(2).find(rsp::to_hex(rsp::to_bytes("1$smdp.example.com$MATCH-2"))) != std::string::npos);
  CHECK(trigger_of(3).find("8100") != std::string::npos);

  // One bad entry: 400 naming it, nothing queued for anyone.
  size_t before = f.store->packages_for(eid(1), 10)->size();
  json bad = {{{"eid", eid(1)}, {"contactDefaultSmdp", true}}, {{"eid", eid(2)}, {"activationCode", "2$x$y"}}};
  auto refused = f.a("/eim/v1/download", {{"downloads", bad}});
  CHECK(refused.status == 400);
  CHECK(refused.body["message"].get<std::string>().find(eid(2)) != std::string::npos);
  CHECK(f.store->packages_for(eid(1), 10)->size() == before);
  CHECK(f.a("/eim/v1/download", {{"downloads", json::array()}}).status == 400);
  CHECK(f.a("/eim/v1/download", {{"downloads", {{{"eid", eid(1)}}}}}).status == 400);  // no trigger
  CHECK(f.a("/eim/v1/download", {{"downloads", downloads}, {"target", target_eid(eid(1))}}).status == 400);
}
