// ES2+ ConfirmOrder and CancelOrder with an SM-DS (SGP.22 v2.5 §5.3.2, ES12 §5.9) in-process: the
// RegisterEvent hook called once before the answer with the order's matchingId, its refusal
// answered with the order untouched, DeleteEvent queued in the outbox on cancellation and when a
// registered order was not confirmed after all.
#include <catch2/catch.hpp>

#include "es2_fixture.hpp"

using namespace smdp;
using namespace smdp::test;

namespace {

constexpr const char* kEventIccid = "8949449999999990049";

struct SmdsFixture : Es2Fixture {
  std::vector<SmdsEvent> registered;
  FunctionStatus answer = FunctionStatus::success();

  SmdsFixture() : Es2Fixture(with_hook()) {
    add_profile(kEventIccid, "op-a");
    REQUIRE(outcome(es2->download_order("op-a", es2_request({{"iccid", kEventIccid}, {"eid", kEid}}))) == "ok");
  }
  Es2PlusSettings with_hook() {
    Es2PlusSettings s;
    s.register_event = [this](const SmdsEvent& e) {
      registered.push_back(e);
      return answer;
    };
    return s;
  }
  json confirm(json more) {
    more["iccid"] = kEventIccid;
    more["releaseFlag"] = true;
    return es2->confirm_order("op-a", es2_request(more));
  }
  std::vector<CallbackRecord> outbox() { return store->due_callbacks(now + 1, 10).value(); }
};

}  // namespace

TEST_CASE_METHOD(SmdsFixture, "ConfirmOrder with smdsAddress registers the event once, with the order's matchingId",
                 "[es2][smds]") {
  auto confirmed = confirm({{"smdsAddress", "smds.example.org"}, {"matchingId", "MATCH-SMDS-1"}});
  REQUIRE(outcome(confirmed) == "ok");
  REQUIRE(registered.size() == 1);
  CHECK(registered[0] == SmdsEvent{"smds.example.org", kEid, "MATCH-SMDS-1"});
  CHECK(stored(kEventIccid).smds_address == "smds.example.org");
  CHECK(outbox().empty());

  // CancelOrder: DeleteEvent waits in the outbox, addressed to the SM-DS's ES12.
  REQUIRE(outcome(es2->cancel_order(
              "op-a", es2_request({{"iccid", kEventIccid}, {"finalProfileStatusIndicator", "Available"}}))) == "ok");
  auto queued = outbox();
  REQUIRE(queued.size() == 1);
  CHECK(queued[0].url == "https://smds.example.org/gsma/rsp2/es12/deleteEvent");
  auto body = json::parse(queued[0].body);
  CHECK(body["eid"] == kEid);
  CHECK(body["eventId"] == "MATCH-SMDS-1");
  CHECK(body["header"]["functionRequesterIdentifier"] == kSmdpAddress);
}

TEST_CASE_METHOD(SmdsFixture, "ConfirmOrder: the SM-DS's refusal is the answer and the order stays unconfirmed",
                 "[es2][smds]") {
  const ProfileRecord before = stored(kEventIccid);  // linked to kEid by DownloadOrder
  for (auto [subject, reason] : {std::pair{"8.9", "5.1"}, std::pair{"8.9", "4.2"}, std::pair{"8.9.5", "3.3"}}) {
    answer = FunctionStatus::failure(subject, reason, "test");
    CHECK(outcome(confirm({{"smdsAddress", "smds.example.org"}})) == std::string(subject) + "/" + reason);
    CHECK(stored(kEventIccid) == before);
  }
  CHECK(outbox().empty());  // nothing was registered, so nothing to delete
  // No EID: 8.1.1/2.2 before any SM-DS is called; an address that is no address: 8.9/5.1.
  registered.clear();
  add_profile("8949449999999990056", "op-a");
  REQUIRE(outcome(es2->download_order("op-a", es2_request({{"iccid", "8949449999999990056"}}))) == "ok");
  CHECK(outcome(es2->confirm_order("op-a", es2_request({{"iccid", "8949449999999990056"},
                                                        {"smdsAddress", "smds.example.org"},
                                                        {"releaseFlag", true}}))) == "8.1.1/2.2");
  CHECK(outcome(confirm({{"smdsAddress", "smds example org"}})) == "8.9/5.1");
  CHECK(outcome(confirm({{"smdsAddress", std::string(300, 'a')}})) == "8.9/5.1");
  CHECK(registered.empty());
}

TEST_CASE_METHOD(SmdsFixture, "ConfirmOrder: without an SM-DS client an smdsAddress is 8.9/5.1", "[es2][smds]") {
  Es2Plus plain(*store, Es2PlusSettings{kSmdpAddress, 3600, 3, {}, {}, {}}, [this] { return now; });
  CHECK(
      outcome(plain.confirm_order(
          "op-a", es2_request({{"iccid", kEventIccid}, {"smdsAddress", "smds.example.org"}, {"releaseFlag", true}}))) ==
      "8.9/5.1");
  CHECK(stored(kEventIccid).state == ProfileState::linked);
  CHECK_FALSE(stored(kEventIccid).matching_id);
}

TEST_CASE_METHOD(
    SmdsFixture,
    "ConfirmOrder: an event registered for a matchingId another order took in the meantime is deleted again",
    "[es2][smds]") {
  // The other order holds the id by the time this one writes: registered, refused 8.2.6/3.3, deleted.
  add_profile("8949449999999990056", "op-a");
  REQUIRE(outcome(es2->download_order("op-a", es2_request({{"iccid", "8949449999999990056"}}))) == "ok");
  settings.register_event = nullptr;
  answer = FunctionStatus::success();
  Es2PlusSettings racing = settings;
  racing.register_event = [this](const SmdsEvent& e) {
    registered.push_back(e);
    // Another operator call confirms the other order with the same matchingId before ours writes.
    auto other = store->profile("8949449999999990056").value().value();
    other.matching_id = "TAKEN-LATE";
    other.state = ProfileState::released;
    REQUIRE(store->update_profile(other).value());
    return FunctionStatus::success();
  };
  Es2Plus es2_racing(*store, racing, [this] { return now; });
  auto answer_json = es2_racing.confirm_order("op-a", es2_request({{"iccid", kEventIccid},
                                                                   {"smdsAddress", "smds.example.org"},
                                                                   {"matchingId", "TAKEN-LATE"},
                                                                   {"releaseFlag", true}}));
  CHECK(outcome(answer_json) == "8.2.6/3.3");
  CHECK(registered.size() == 1);
  auto queued = outbox();
  REQUIRE(queued.size() == 1);
  CHECK(json::parse(queued[0].body)["eventId"] == "TAKEN-LATE");
}
