// ES2+ (SGP.22 v2.5 §5.3): the order life cycle through DownloadOrder, ConfirmOrder, ReleaseProfile
// and CancelOrder against the SQLite store, the exact JSON of the answers, and every refusal with
// its subject and reason codes.
#include <catch2/catch.hpp>

#include <regex>
#include <set>

#include "es2_fixture.hpp"
#include "rsp/confirmation_code.hpp"

using namespace smdp;
using namespace smdp::test;

namespace {

const std::string kIccid2 = "8900000000000000102";

std::set<std::string> keys(const json& object) {
  std::set<std::string> out;
  for (auto it = object.begin(); it != object.end(); ++it) out.insert(it.key());
  return out;
}

}  // namespace

TEST_CASE("order by ICCID: allocated, confirmed with a confirmation code, released, cancelled, ordered again",
          "[es2]") {
  Es2Fixture f;
  f.add_profile(kIccid, "op-a");

  json ordered = f.es2->download_order("op-a", es2_request({{"iccid", kIccid}}));
  CHECK(ordered == json::parse(R"({"header":{"functionExecutionStatus":{"status":"Executed-Success"}},"iccid":")" +
                               kIccid + "\"}"));
  CHECK(f.stored(kIccid).state == ProfileState::allocated);
  CHECK_FALSE(f.stored(kIccid).eid);
  CHECK(f.stored(kIccid).order_expires == f.now + 3600);

  json confirmed = f.es2->confirm_order(
      "op-a", es2_request({{"iccid", kIccid}, {"confirmationCode", "12345678"}, {"releaseFlag", false}}));
  REQUIRE(outcome(confirmed) == "ok");
  CHECK(keys(confirmed) == std::set<std::string>{"header", "matchingId", "smdpAddress"});  // no EID known yet
  CHECK(confirmed["smdpAddress"] == kSmdpAddress);
  const std::string matching_id = confirmed["matchingId"];
  CHECK(std::regex_match(matching_id, std::regex("[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}")));
  ProfileRecord p = f.stored(kIccid);
  CHECK(p.state == ProfileState::confirmed);
  CHECK_FALSE(p.released);
  CHECK(p.matching_id == matching_id);
  CHECK(p.confirmation_code_hash == rsp::sha256(rsp::to_bytes("12345678")));  // the code itself is not kept
  CHECK(p.confirmation_attempts_left == 3);
  CHECK(f.es2->activation_code("op-a", kIccid)->to_qr_text() == "LPA:1$smdp.example.com$" + matching_id + "$$1");

  CHECK(outcome(f.es2->release_profile("op-a", es2_request({{"iccid", kIccid}}))) == "ok");
  CHECK(f.stored(kIccid).state == ProfileState::released);
  CHECK(f.stored(kIccid).released);

  json cancelled = f.es2->cancel_order(
      "op-a",
      es2_request({{"iccid", kIccid}, {"matchingId", matching_id}, {"finalProfileStatusIndicator", "Available"}}));
  CHECK(cancelled == json::parse(R"({"header":{"functionExecutionStatus":{"status":"Executed-Success"}}})"));
  p = f.stored(kIccid);
  CHECK(p.state == ProfileState::available);
  CHECK_FALSE(p.matching_id);
  CHECK(p.confirmation_code_hash.empty());
  CHECK_FALSE(f.es2->activation_code("op-a", kIccid));

  CHECK(outcome(f.es2->download_order("op-a", es2_request({{"iccid", kIccid}}))) == "ok");
}

TEST_CASE("order by profileType for an EID: linked, released at once with the operator's matchingId, retired",
          "[es2]") {
  Es2Fixture f;
  f.add_profile(kIccid, "op-a", "IoT");

  json ordered = f.es2->download_order("op-a", es2_request({{"eid", kEid}, {"profileType", "IoT"}}));
  REQUIRE(outcome(ordered) == "ok");
  CHECK(ordered["iccid"] == kIccid);
  CHECK(f.stored(kIccid).state == ProfileState::linked);
  CHECK(f.stored(kIccid).eid == kEid);

  json confirmed = f.es2->confirm_order(
      "op-a", es2_request({{"iccid", kIccid}, {"matchingId", "ORDER-0001"}, {"releaseFlag", true}}));
  REQUIRE(outcome(confirmed) == "ok");
  CHECK(confirmed == json::parse(R"({"header":{"functionExecutionStatus":{"status":"Executed-Success"}},
      "matchingId":"ORDER-0001","smdpAddress":"smdp.example.com","eid":")" +
                                 std::string(kEid) + "\"}"));
  CHECK(f.stored(kIccid).state == ProfileState::released);
  CHECK(f.stored(kIccid).confirmation_code_hash.empty());
  CHECK(f.es2->activation_code("op-a", kIccid)->to_qr_text() == "LPA:1$smdp.example.com$ORDER-0001");

  CHECK(outcome(f.es2->cancel_order(
            "op-a", es2_request({{"iccid", kIccid}, {"eid", kEid}, {"finalProfileStatusIndicator", "Unavailable"}}))) ==
        "ok");
  CHECK(f.stored(kIccid).state == ProfileState::unavailable);
  CHECK(outcome(f.es2->download_order("op-a", es2_request({{"iccid", kIccid}}))) == "8.2.1/3.3");
  CHECK(outcome(f.es2->download_order("op-a", es2_request({{"profileType", "IoT"}}))) == "8.2.5/3.7");
}

TEST_CASE("ConfirmOrder binds the EID it is given when DownloadOrder had none", "[es2]") {
  Es2Fixture f;
  f.add_profile(kIccid, "op-a");
  REQUIRE(outcome(f.es2->download_order("op-a", es2_request({{"iccid", kIccid}}))) == "ok");
  json confirmed = f.es2->confirm_order("op-a", es2_request({{"iccid", kIccid}, {"eid", kEid}, {"releaseFlag", true}}));
  REQUIRE(outcome(confirmed) == "ok");
  CHECK(confirmed["eid"] == kEid);
  CHECK(f.stored(kIccid).eid == kEid);
}

TEST_CASE("ICCIDs are accepted with 19 digits, 19 digits and F padding, or 20 digits, and answered without padding",
          "[es2]") {
  Es2Fixture f;
  f.add_profile(kIccid, "op-a");
  f.add_profile("89000000000000001030", "op-a");
  json padded = f.es2->download_order("op-a", es2_request({{"iccid", kIccid + "F"}}));
  REQUIRE(outcome(padded) == "ok");
  CHECK(padded["iccid"] == kIccid);
  CHECK(outcome(f.es2->download_order("op-a", es2_request({{"iccid", "89000000000000001030"}}))) == "ok");
  CHECK(outcome(f.es2->release_profile("op-a", es2_request({{"iccid", kIccid + "f"}}))) == "8.2.1/3.5");

  for (const char* bad : {"89000000000000001", "8900000000000000101FF", "89000000000000001A1", ""})
    CHECK(outcome(f.es2->download_order("op-a", es2_request({{"iccid", bad}}))) == "8.2.1/2.1");
}

TEST_CASE("DownloadOrder refusals", "[es2]") {
  Es2Fixture f;
  f.add_profile(kIccid, "op-a", "Test");
  auto order = [&](json fields) { return outcome(f.es2->download_order("op-a", es2_request(std::move(fields)))); };

  CHECK(order({{"iccid", "8900000000000000999"}}) == "8.2.1/3.9");
  CHECK(order({{"profileType", "NoSuchType"}}) == "8.2.5/3.9");
  CHECK(order({{"iccid", kIccid}, {"profileType", "Other"}}) == "8.2.5/3.8");
  CHECK(order(json::object()) == "8.2.1/2.2");
  CHECK(order({{"eid", kEid}}) == "8.2.1/2.2");
  CHECK(order({{"iccid", kIccid}, {"eid", "8904903212345123451234567890123"}}) == "8.1.1/2.1");   // 31 digits
  CHECK(order({{"iccid", kIccid}, {"eid", "89049032123451234512345678901236"}}) == "8.1.1/2.1");  // check digits
  CHECK(order({{"iccid", 8900000000000000101}}) == "8.2.1/2.1");
  CHECK(order({{"profileType", 5}}) == "8.2.5/2.1");
  CHECK(f.stored(kIccid).state == ProfileState::available);

  CHECK(order({{"iccid", kIccid}, {"profileType", "Test"}}) == "ok");
  CHECK(order({{"iccid", kIccid}}) == "8.2.1/3.3");
  CHECK(order({{"profileType", "Test"}}) == "8.2.5/3.7");
}

TEST_CASE("ConfirmOrder with an empty matchingId: the default SM-DP+ order, found by its EID", "[es2]") {
  Es2Fixture f;
  f.add_profile(kIccid, "op-a");
  f.add_profile(kIccid2, "op-a");
  REQUIRE(outcome(f.es2->download_order("op-a", es2_request({{"iccid", kIccid}}))) == "ok");
  REQUIRE(outcome(f.es2->download_order("op-a", es2_request({{"iccid", kIccid2}}))) == "ok");
  auto confirm = [&](json fields) { return f.es2->confirm_order("op-a", es2_request(std::move(fields))); };

  // No EID anywhere: the default SM-DP+ case cannot be served (8.1.1/2.2), nothing changes.
  CHECK(outcome(confirm({{"iccid", kIccid}, {"matchingId", ""}, {"releaseFlag", true}})) == "8.1.1/2.2");
  CHECK(f.stored(kIccid).state == ProfileState::allocated);
  CHECK_FALSE(f.stored(kIccid).matching_id);

  // With the EID: released with no matchingId; the answer says so with an empty one.
  json confirmed = confirm({{"iccid", kIccid}, {"eid", kEid}, {"matchingId", ""}, {"releaseFlag", true}});
  REQUIRE(outcome(confirmed) == "ok");
  CHECK(confirmed["matchingId"] == "");
  CHECK(confirmed["eid"] == kEid);
  CHECK(f.stored(kIccid).state == ProfileState::released);
  CHECK_FALSE(f.stored(kIccid).matching_id);
  CHECK(f.stored(kIccid).eid == kEid);
  auto orders = f.store->orders_for_eid(kEid).value();
  REQUIRE(orders.size() == 1);
  CHECK(orders[0].iccid == kIccid);

  // An absent matchingId still gets a made one.
  json made = confirm({{"iccid", kIccid2}, {"eid", kOtherEid}, {"releaseFlag", true}});
  REQUIRE(outcome(made) == "ok");
  CHECK_FALSE(made["matchingId"].get<std::string>().empty());
  CHECK(f.stored(kIccid2).matching_id == made["matchingId"].get<std::string>());
}

TEST_CASE("ConfirmOrder refusals", "[es2]") {
  Es2Fixture f;
  f.add_profile(kIccid, "op-a");
  f.add_profile(kIccid2, "op-a");
  auto confirm = [&](json fields) { return outcome(f.es2->confirm_order("op-a", es2_request(std::move(fields)))); };

  // Still Available: nothing to confirm.
  CHECK(confirm({{"iccid", kIccid}, {"releaseFlag", true}}) == "8.2.1/3.5");
  CHECK(confirm({{"iccid", "8900000000000000999"}, {"releaseFlag", true}}) == "8.2.1/3.9");

  REQUIRE(outcome(f.es2->download_order("op-a", es2_request({{"iccid", kIccid}, {"eid", kEid}}))) == "ok");
  REQUIRE(outcome(f.es2->download_order("op-a", es2_request({{"iccid", kIccid2}}))) == "ok");
  CHECK(confirm({{"releaseFlag", true}}) == "8.2.1/2.2");
  CHECK(confirm({{"iccid", kIccid}}) == "1.1/2.2");
  CHECK(confirm({{"iccid", kIccid}, {"releaseFlag", "true"}}) == "1.1/2.1");
  CHECK(confirm({{"iccid", kIccid}, {"eid", kOtherEid}, {"releaseFlag", true}}) == "8.1.1/3.10");
  CHECK(confirm({{"iccid", kIccid}, {"matchingId", "A$B"}, {"releaseFlag", true}}) == "8.2.6/2.1");
  CHECK(confirm({{"iccid", kIccid}, {"matchingId", 12}, {"releaseFlag", true}}) == "8.2.6/2.1");
  CHECK(confirm({{"iccid", kIccid}, {"confirmationCode", 1234}, {"releaseFlag", true}}) == "8.2.7/2.1");
  // An SM-DS event needs the EID; kIccid2 has none.
  CHECK(confirm({{"iccid", kIccid2}, {"smdsAddress", "smds.example.com"}, {"releaseFlag", true}}) == "8.1.1/2.2");
  CHECK(f.stored(kIccid).state == ProfileState::linked);
  CHECK(f.stored(kIccid2).state == ProfileState::allocated);

  // A matchingId already held by another order.
  REQUIRE(confirm({{"iccid", kIccid}, {"matchingId", "SHARED-1"}, {"releaseFlag", true}}) == "ok");
  CHECK(confirm({{"iccid", kIccid2}, {"matchingId", "SHARED-1"}, {"releaseFlag", true}}) == "8.2.6/3.3");
  CHECK(f.stored(kIccid2).state == ProfileState::allocated);
  // Confirmed once: a second ConfirmOrder is not a transition the order has.
  CHECK(confirm({{"iccid", kIccid}, {"releaseFlag", true}}) == "8.2.1/3.5");
}

TEST_CASE("CancelOrder and ReleaseProfile refusals", "[es2]") {
  Es2Fixture f;
  f.add_profile(kIccid, "op-a");
  auto cancel = [&](json fields) { return outcome(f.es2->cancel_order("op-a", es2_request(std::move(fields)))); };
  auto release = [&](json fields) { return outcome(f.es2->release_profile("op-a", es2_request(std::move(fields)))); };

  CHECK(cancel({{"iccid", kIccid}, {"finalProfileStatusIndicator", "Available"}}) == "8.2.1/3.5");  // no order
  CHECK(cancel({{"iccid", "8900000000000000999"}, {"finalProfileStatusIndicator", "Available"}}) == "8.2.1/3.9");
  CHECK(release({{"iccid", "8900000000000000999"}}) == "8.2.1/3.9");
  CHECK(release(json::object()) == "8.2.1/2.2");
  CHECK(release({{"iccid", kIccid}}) == "8.2.1/3.5");

  REQUIRE(outcome(f.es2->download_order("op-a", es2_request({{"iccid", kIccid}, {"eid", kEid}}))) == "ok");
  CHECK(release({{"iccid", kIccid}}) == "8.2.1/3.5");  // allocated/linked: not confirmed yet
  REQUIRE(outcome(f.es2->confirm_order(
              "op-a", es2_request({{"iccid", kIccid}, {"matchingId", "M-1"}, {"releaseFlag", false}}))) == "ok");
  CHECK(cancel({{"iccid", kIccid}}) == "1.1/2.2");
  CHECK(cancel({{"iccid", kIccid}, {"finalProfileStatusIndicator", "Gone"}}) == "1.1/2.1");
  CHECK(cancel({{"iccid", kIccid}, {"eid", kOtherEid}, {"finalProfileStatusIndicator", "Available"}}) == "8.1.1/3.10");
  CHECK(cancel({{"iccid", kIccid}, {"matchingId", "M-2"}, {"finalProfileStatusIndicator", "Available"}}) ==
        "8.2.6/3.10");
  CHECK(f.stored(kIccid).state == ProfileState::confirmed);
  CHECK(release({{"iccid", kIccid}}) == "ok");
  CHECK(release({{"iccid", kIccid}}) == "8.2.1/3.5");

  // Once the BPP has left the profile may be on a card: it can be retired, not handed out again.
  ProfileRecord p = f.stored(kIccid);
  p.state = ProfileState::downloaded;
  REQUIRE(f.store->update_profile(p).value());
  CHECK(cancel({{"iccid", kIccid}, {"finalProfileStatusIndicator", "Available"}}) == "8.2.1/3.5");
  CHECK(cancel({{"iccid", kIccid}, {"finalProfileStatusIndicator", "Unavailable"}}) == "ok");
}

TEST_CASE("an order past its lifetime can no longer be confirmed or released, only cancelled", "[es2]") {
  Es2Fixture f;
  f.add_profile(kIccid, "op-a");
  f.add_profile(kIccid2, "op-a");
  REQUIRE(outcome(f.es2->download_order("op-a", es2_request({{"iccid", kIccid}}))) == "ok");
  REQUIRE(outcome(f.es2->download_order("op-a", es2_request({{"iccid", kIccid2}}))) == "ok");
  f.now += 1000;
  REQUIRE(outcome(f.es2->confirm_order("op-a", es2_request({{"iccid", kIccid2}, {"releaseFlag", false}}))) == "ok");
  CHECK(f.stored(kIccid2).order_expires == f.now + 3600);  // ConfirmOrder starts the lifetime again

  f.now += 3600;
  CHECK(outcome(f.es2->confirm_order("op-a", es2_request({{"iccid", kIccid}, {"releaseFlag", true}}))) == "8.8.5/4.10");
  CHECK(outcome(f.es2->release_profile("op-a", es2_request({{"iccid", kIccid2}}))) == "8.8.5/4.10");
  CHECK(outcome(f.es2->cancel_order(
            "op-a", es2_request({{"iccid", kIccid}, {"finalProfileStatusIndicator", "Available"}}))) == "ok");
  CHECK(outcome(f.es2->cancel_order(
            "op-a", es2_request({{"iccid", kIccid2}, {"finalProfileStatusIndicator", "Available"}}))) == "ok");
}

TEST_CASE("a made matchingId that is already taken is drawn again", "[es2]") {
  std::vector<std::string> draws = {"TAKEN-1", "TAKEN-1", "FRESH-2"};
  Es2PlusSettings settings;
  settings.generate_matching_id = [&draws] {
    std::string next = draws.front();
    draws.erase(draws.begin());
    return next;
  };
  Es2Fixture f(settings);
  f.add_profile(kIccid, "op-a");
  f.add_profile(kIccid2, "op-a");
  for (const auto& iccid : {kIccid, kIccid2})
    REQUIRE(outcome(f.es2->download_order("op-a", es2_request({{"iccid", iccid}}))) == "ok");
  CHECK(f.es2->confirm_order("op-a", es2_request({{"iccid", kIccid}, {"releaseFlag", true}}))["matchingId"] ==
        "TAKEN-1");
  CHECK(f.es2->confirm_order("op-a", es2_request({{"iccid", kIccid2}, {"releaseFlag", true}}))["matchingId"] ==
        "FRESH-2");
  CHECK(draws.empty());
}

TEST_CASE("made matchingIds are activation-code safe and differ", "[es2]") {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string id = random_matching_id();
    CHECK(valid_matching_id(id));
    CHECK(rsp::ActivationCode::parse("LPA:1$smdp.example.com$" + id)->matching_id == id);
    seen.insert(id);
  }
  CHECK(seen.size() == 200);
  CHECK_FALSE(valid_matching_id(""));
  CHECK_FALSE(valid_matching_id("with space"));
  CHECK_FALSE(valid_matching_id(std::string(256, 'A')));
}

TEST_CASE("malformed requests get a Failed header that says what is wrong, and nothing else", "[es2]") {
  Es2Fixture f;
  f.add_profile(kIccid, "op-a");

  json not_json = f.es2->dispatch("downloadOrder", "op-a", std::string_view("{\"iccid\": ")).value();
  CHECK(outcome(not_json) == "1.1/2.1");
  CHECK(keys(not_json) == std::set<std::string>{"header"});
  CHECK(not_json["header"]["functionExecutionStatus"]["statusCodeData"]["message"] ==
        "the request body is not valid JSON");
  CHECK(outcome(f.es2->dispatch("downloadOrder", "op-a", std::string_view("[1,2]")).value()) == "1.1/2.1");

  CHECK(outcome(f.es2->download_order("op-a", json{{"iccid", kIccid}})) == "1.1/2.2");  // no header
  CHECK(outcome(f.es2->download_order("op-a", json{{"header", "x"}, {"iccid", kIccid}})) == "1.1/2.1");
  CHECK(outcome(f.es2->download_order(
            "op-a", json{{"header", {{"functionRequesterIdentifier", "x"}}}, {"iccid", kIccid}})) == "1.1/2.2");
  CHECK(outcome(f.es2->download_order("", es2_request({{"iccid", kIccid}}))) == "1.1/1.1");

  json failed = f.es2->download_order("op-a", es2_request({{"iccid", "8900000000000000999"}}));
  const json& data = failed["header"]["functionExecutionStatus"];
  CHECK(data["status"] == "Failed");
  CHECK(keys(data["statusCodeData"]) == std::set<std::string>{"subjectCode", "reasonCode", "message"});
  CHECK(keys(failed) == std::set<std::string>{"header"});
  CHECK(f.stored(kIccid).state == ProfileState::available);
}

TEST_CASE("the dispatcher serves the four functions by path name and nothing else", "[es2]") {
  Es2Fixture f;
  f.add_profile(kIccid, "op-a");
  std::string body = es2_request({{"iccid", kIccid}}).dump();
  CHECK(outcome(f.es2->dispatch("downloadOrder", "op-a", std::string_view(body)).value()) == "ok");
  CHECK(outcome(f.es2->dispatch("confirmOrder", "op-a", es2_request({{"iccid", kIccid}, {"releaseFlag", false}}))
                    .value()) == "ok");
  CHECK(outcome(f.es2->dispatch("releaseProfile", "op-a", es2_request({{"iccid", kIccid}})).value()) == "ok");
  CHECK(outcome(f.es2
                    ->dispatch("cancelOrder", "op-a",
                               es2_request({{"iccid", kIccid}, {"finalProfileStatusIndicator", "Available"}}))
                    .value()) == "ok");
  CHECK_FALSE(f.es2->dispatch("handleDownloadProgressInfo", "op-a", es2_request({})));
  CHECK_FALSE(f.es2->dispatch("getProfileStatus", "op-a", std::string_view("not json")));
  CHECK_FALSE(f.es2->dispatch("DownloadOrder", "op-a", es2_request({})));
}

TEST_CASE("each call is logged in one line with function, operator, call id, iccid and outcome", "[es2]") {
  std::vector<std::string> lines;
  Es2PlusSettings settings;
  settings.log = [&lines](const std::string& line) { lines.push_back(line); };
  Es2Fixture f(settings);
  f.es2->download_order("op-a", es2_request({{"iccid", kIccid}}));
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] ==
        "ES2+ downloadOrder operator=op-a functionCallIdentifier=FCI-1 iccid=" + kIccid + " Failed 8.2.1/3.9");
}
