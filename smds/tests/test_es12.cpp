// ES12 on the SM-DS in-process (SGP.22 v2.5 §5.9): RegisterEvent and DeleteEvent with each status
// code they produce, on a real SQLite store.
#include <catch2/catch.hpp>

#include <random>

#include "rsp/eid.hpp"
#include "smds/es12.hpp"
#include "support/kit.hpp"

using namespace smds;
using nlohmann::json;

namespace {

const std::string kEid = *rsp::eid::complete("890490320000000000000000000001");

struct Es12Fixture {
  rsp::test::TempDir dir;
  std::unique_ptr<EventStore> store = open_event_store("sqlite:" + (dir.path() / "smds.db").string()).value();
  int64_t clock = 1'000'000;
  Es12 es12{*store, Es12Settings{"", 3, [this] { return clock; }, {}, {}}};

  static json header() { return {{"functionRequesterIdentifier", "smdp-a"}, {"functionCallIdentifier", "1"}}; }
  static json register_request(const std::string& event_id, const std::string& eid = kEid) {
    return {{"header", header()},
            {"eid", eid},
            {"rspServerAddress", "smdp-a.example.org"},
            {"eventId", event_id},
            {"forwardingIndicator", false}};
  }
  static json delete_request(const std::string& event_id, const std::string& eid = kEid) {
    return {{"header", header()}, {"eid", eid}, {"eventId", event_id}};
  }
};

std::string codes(const FunctionStatus& s) { return s.ok() ? "ok" : s.subject_code + "/" + s.reason_code; }

}  // namespace

TEST_CASE_METHOD(Es12Fixture, "ES12.RegisterEvent: stored once; the same event again is 8.9.5/3.3", "[smds][es12]") {
  CHECK(codes(es12.register_event("smdp-a", register_request("MATCH-1"))) == "ok");
  auto stored = store->event(kEid, "MATCH-1").value();
  REQUIRE(stored);
  CHECK(stored->rsp_server_address == "smdp-a.example.org");
  CHECK(stored->smdp == "smdp-a");
  CHECK(stored->registered == clock);
  CHECK(codes(es12.register_event("smdp-a", register_request("MATCH-1"))) == "8.9.5/3.3");
  CHECK(codes(es12.register_event("smdp-b", register_request("MATCH-1"))) == "8.9.5/3.3");
  CHECK(store->event(kEid, "MATCH-1").value()->smdp == "smdp-a");
}

TEST_CASE_METHOD(Es12Fixture, "ES12.RegisterEvent: malformed requests refused with 1.1, 8.1.1, 8.8.1 and 8.9.5 codes",
                 "[smds][es12]") {
  auto without = [](json r, const char* field) {
    r.erase(field);
    return r;
  };
  auto with = [](json r, const char* field, json value) {
    r[field] = std::move(value);
    return r;
  };
  const json good = register_request("E1");
  CHECK(codes(es12.register_event("smdp-a", without(good, "header"))) == "1.1/2.2");
  CHECK(codes(es12.register_event("smdp-a", with(good, "header", json{{"functionRequesterIdentifier", "x"}}))) ==
        "1.1/2.2");
  CHECK(codes(es12.register_event("smdp-a", json::array())) == "1.1/2.1");
  CHECK(codes(es12.register_event("smdp-a", without(good, "eid"))) == "8.1.1/2.2");
  CHECK(codes(es12.register_event("smdp-a", with(good, "eid", "89049032000000000000000000000000"))) == "8.1.1/2.1");
  CHECK(codes(es12.register_event("smdp-a", with(good, "eid", 12))) == "8.1.1/2.1");
  CHECK(codes(es12.register_event("smdp-a", without(good, "eventId"))) == "8.9.5/2.2");
  CHECK(codes(es12.register_event("smdp-a", with(good, "eventId", ""))) == "8.9.5/2.1");
  CHECK(codes(es12.register_event("smdp-a", with(good, "eventId", std::string(256, 'A')))) == "8.9.5/2.1");
  CHECK(codes(es12.register_event("smdp-a", with(good, "eventId", "with space"))) == "8.9.5/2.1");
  CHECK(codes(es12.register_event("smdp-a", without(good, "rspServerAddress"))) == "8.8.1/2.2");
  CHECK(codes(es12.register_event("smdp-a", with(good, "rspServerAddress", "bad/host"))) == "8.8.1/2.1");
  CHECK(codes(es12.register_event("smdp-a", with(good, "rspServerAddress", std::string(256, 'a')))) == "8.8.1/2.1");
  CHECK(codes(es12.register_event("smdp-a", without(good, "forwardingIndicator"))) == "8.9.5/2.2");
  CHECK(codes(es12.register_event("smdp-a", with(good, "forwardingIndicator", "yes"))) == "8.9.5/2.1");
  CHECK(codes(*es12.dispatch("registerEvent", "smdp-a", "{not json")) == "1.1/2.1");
  CHECK_FALSE(es12.dispatch("listEvents", "smdp-a", "{}"));
  CHECK(store->count_events_for_eid(kEid).value() == 0);
  // A test set-up's address with a port is an address.
  CHECK(codes(es12.register_event("smdp-a", with(good, "rspServerAddress", "localhost:8443"))) == "ok");
}

TEST_CASE_METHOD(Es12Fixture, "ES12.RegisterEvent: bounded per EID (8.9.5/4.8); forwarding without a root is local",
                 "[smds][es12]") {
  auto forwarded = register_request("F1");
  forwarded["forwardingIndicator"] = true;
  CHECK(codes(es12.register_event("smdp-a", forwarded)) == "ok");  // this SM-DS is the root: nothing to forward to
  CHECK(codes(es12.register_event("smdp-a", register_request("F2"))) == "ok");
  CHECK(codes(es12.register_event("smdp-a", register_request("F3"))) == "ok");
  CHECK(codes(es12.register_event("smdp-a", register_request("F4"))) == "8.9.5/4.8");
  CHECK(store->count_events_for_eid(kEid).value() == 3);
}

TEST_CASE(
    "ES12 cascade: forwardingIndicator true goes to the root SM-DS first; refused or unreachable there, not kept here",
    "[smds][es12]") {
  rsp::test::TempDir dir;
  auto store = open_event_store("sqlite:" + (dir.path() / "smds.db").string()).value();
  std::vector<rsp::server::Es12Event> registered, deleted;
  FunctionStatus root_answer = FunctionStatus::success();
  Es12Settings settings{"root.smds.example.org", 32, {}, {}, {}};
  settings.forward_register = [&](const rsp::server::Es12Event& e) {
    registered.push_back(e);
    return root_answer;
  };
  settings.forward_delete = [&](const rsp::server::Es12Event& e) {
    deleted.push_back(e);
    return root_answer;
  };
  Es12 es12(*store, settings);
  auto forwarded = [](const std::string& id) {
    auto r = Es12Fixture::register_request(id);
    r["forwardingIndicator"] = true;
    return r;
  };

  CHECK(codes(es12.register_event("smdp-a", forwarded("F1"))) == "ok");
  REQUIRE(registered == std::vector<rsp::server::Es12Event>{{"root.smds.example.org", kEid, "F1"}});
  CHECK(store->event(kEid, "F1").value()->forwarded_to == "root.smds.example.org");
  // Not asked to forward: kept here only.
  CHECK(codes(es12.register_event("smdp-a", Es12Fixture::register_request("L1"))) == "ok");
  CHECK(registered.size() == 1);
  CHECK_FALSE(store->event(kEid, "L1").value()->forwarded_to);

  // The root refuses (8.9/4.2) or cannot be reached (8.9/5.1): the event is not kept.
  root_answer = FunctionStatus::failure("8.9.5", "3.3", "duplicate at the root");
  CHECK(codes(es12.register_event("smdp-a", forwarded("F2"))) == "8.9/4.2");
  root_answer = FunctionStatus::failure("8.9", "5.1", "down");
  CHECK(codes(es12.register_event("smdp-a", forwarded("F3"))) == "8.9/5.1");
  CHECK_FALSE(store->event(kEid, "F2").value());
  CHECK_FALSE(store->event(kEid, "F3").value());

  // DeleteEvent of a forwarded event: the root first; unreachable keeps it here for a retry.
  CHECK(codes(es12.delete_event("smdp-a", Es12Fixture::delete_request("F1"))) == "8.9/5.1");
  CHECK(store->event(kEid, "F1").value());
  root_answer = FunctionStatus::failure("8.9.5", "3.9", "gone there already");
  CHECK(codes(es12.delete_event("smdp-a", Es12Fixture::delete_request("F1"))) == "ok");
  CHECK_FALSE(store->event(kEid, "F1").value());
  CHECK(deleted.size() == 2);
  // A local event is deleted without the root; another SM-DP+'s forwarded one is not touched.
  CHECK(codes(es12.delete_event("smdp-a", Es12Fixture::delete_request("L1"))) == "ok");
  CHECK(deleted.size() == 2);
}

TEST_CASE_METHOD(Es12Fixture, "ES12.DeleteEvent: the registering SM-DP+ deletes; anyone else, or twice, gets 8.9.5/3.9",
                 "[smds][es12]") {
  REQUIRE(codes(es12.register_event("smdp-a", register_request("D1"))) == "ok");
  CHECK(codes(es12.delete_event("smdp-b", delete_request("D1"))) == "8.9.5/3.9");
  CHECK(store->event(kEid, "D1").value());
  CHECK(codes(es12.delete_event("smdp-a", delete_request("D2"))) == "8.9.5/3.9");
  CHECK(codes(es12.delete_event(
            "smdp-a", delete_request("D1", *rsp::eid::complete("890490320000000000000000000002")))) == "8.9.5/3.9");
  CHECK(codes(es12.delete_event("smdp-a", delete_request("D1"))) == "ok");
  CHECK_FALSE(store->event(kEid, "D1").value());
  CHECK(codes(es12.delete_event("smdp-a", delete_request("D1"))) == "8.9.5/3.9");
  auto no_eid = delete_request("D1");
  no_eid.erase("eid");
  CHECK(codes(es12.delete_event("smdp-a", no_eid)) == "8.1.1/2.2");
  CHECK(codes(*es12.dispatch("deleteEvent", "smdp-a", delete_request("D9").dump())) == "8.9.5/3.9");
}

TEST_CASE_METHOD(Es12Fixture, "ES12: mutated and random bodies always get a status, never an exception",
                 "[smds][es12]") {
  std::mt19937 random(12);
  const std::string good = register_request("MUT-1").dump();
  int accepted = 0;
  for (int round = 0; round < 400; ++round) {
    std::string body = good;
    switch (round % 4) {
      case 0: body[random() % body.size()] = static_cast<char>(random()); break;
      case 1: body.resize(random() % body.size()); break;
      case 2: body.insert(random() % body.size(), 1, static_cast<char>(random())); break;
      default:
        body.assign(random() % 200, ' ');
        for (char& c : body) c = static_cast<char>(random());
    }
    for (const char* function : {"registerEvent", "deleteEvent"}) {
      std::optional<FunctionStatus> status;
      REQUIRE_NOTHROW(status = es12.dispatch(function, "smdp-a", body));
      REQUIRE(status);
      if (status->ok())
        ++accepted;
      else
        CHECK_FALSE(status->subject_code.empty());
    }
  }
  // Whatever got in is a well-formed record of this EID (a mutation may still be a valid request).
  for (const auto& e : store->events_for_eid(kEid, 100).value()) {
    CHECK_FALSE(e.event_id.empty());
    CHECK(e.event_id.size() <= kMaxEventIdLength);
  }
  CHECK(accepted < 400);
}
