// The SM-DS's EventStore on SQLite and on a throwaway PostgreSQL: Event Records in FIFO order,
// duplicates refused, deletion by the registering SM-DP+ only, lifetimes; ES11 sessions taken once.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "smds/event_store.hpp"
#include "support/kit.hpp"
#include "support/sql_backends.hpp"

using namespace smds;

namespace {

const std::string kEid = "89049032123451234512345678901235";
const std::string kOtherEid = "89049032000000000000000000000018";

using rsp::test::PostgresBackend;
using rsp::test::SqliteBackend;

std::unique_ptr<EventStore> open_or_fail(const std::string& url) {
  auto store = open_event_store(url);
  if (!store) FAIL("open_event_store: " << store.error().message);
  return std::move(*store);
}

EventRecord event(const std::string& eid, const std::string& id, const std::string& smdp = "smdp-a",
                  int64_t registered = 1000) {
  return EventRecord{eid, id, "smdp-a.example.org", smdp, registered, std::nullopt, 0};
}

}  // namespace

TEMPLATE_TEST_CASE("event store: records in FIFO order, duplicates refused, own deletion only", "[smds][store]",
                   SqliteBackend, PostgresBackend) {
  auto store = open_or_fail(TestType::fresh_url());
  auto first = event(kEid, "EVENT-2");
  auto second = event(kEid, "EVENT-1", "smdp-b");
  REQUIRE(store->add_event(first).value());
  REQUIRE(store->add_event(second).value());
  CHECK(second.sequence > first.sequence);
  auto other = event(kOtherEid, "EVENT-2");
  REQUIRE(store->add_event(other).value());  // the same event id for another EID is another record

  // The same (EID, eventId) again: refused, the first record unchanged.
  auto again = event(kEid, "EVENT-2", "smdp-b", 2000);
  CHECK_FALSE(store->add_event(again).value());
  CHECK(store->event(kEid, "EVENT-2").value() == first);

  auto listed = store->events_for_eid(kEid, 10).value();
  REQUIRE(listed.size() == 2);
  CHECK(listed[0] == first);  // first in, first out (SGP.21 SMDS8), whatever the ids
  CHECK(listed[1] == second);
  CHECK(store->events_for_eid(kEid, 1).value().size() == 1);
  CHECK(store->count_events_for_eid(kEid).value() == 2);
  CHECK(store->events_for_eid("89049032000000000000000000000026", 10).value().empty());

  // Only the SM-DP+ that registered an event removes it.
  CHECK_FALSE(store->remove_event(kEid, "EVENT-1", "smdp-a").value());
  CHECK(store->event(kEid, "EVENT-1").value());
  CHECK(store->remove_event(kEid, "EVENT-1", "smdp-b").value());
  CHECK_FALSE(store->event(kEid, "EVENT-1").value());
  CHECK_FALSE(store->remove_event(kEid, "EVENT-1", "smdp-b").value());

  // Lifetime: records registered before the cut go.
  auto late = event(kEid, "EVENT-3", "smdp-a", 5000);
  REQUIRE(store->add_event(late).value());
  CHECK(store->remove_events_before(3000).value() == 2);
  CHECK(store->events_for_eid(kEid, 10).value() == std::vector<EventRecord>{late});
}

TEMPLATE_TEST_CASE("event store: an ES11 session is taken once, expired ones counted out and removed", "[smds][store]",
                   SqliteBackend, PostgresBackend) {
  auto store = open_or_fail(TestType::fresh_url());
  Es11SessionRecord s{"0A0B0C0D0E0F",
                      "smds.example.org",
                      rsp::Bytes(16, 1),
                      rsp::Bytes(16, 2),
                      rsp::Bytes(20, 3),
                      rsp::Bytes(20, 4),
                      100,
                      700};
  REQUIRE(store->add_session(s));
  auto twice = store->add_session(s);
  REQUIRE_FALSE(twice);
  CHECK(twice.error().kind == StoreErrorKind::exists);
  Es11SessionRecord old = s;
  old.transaction_id = "01";
  old.expires = 200;
  REQUIRE(store->add_session(old));
  CHECK(store->count_sessions(300).value() == 1);
  CHECK(store->remove_expired_sessions(300).value() == 1);
  CHECK(store->take_session("0A0B0C0D0E0F").value() == s);
  CHECK_FALSE(store->take_session("0A0B0C0D0E0F").value());
  CHECK_FALSE(store->take_session("01").value());
}

TEST_CASE("event store: the SQLite file is created 0600; a reopened store keeps its records", "[smds][store]") {
  const std::string url = SqliteBackend::fresh_url();
  {
    auto store = open_or_fail(url);
    auto e = event(kEid, "KEPT");
    REQUIRE(store->add_event(e).value());
  }
  struct stat info {};
  REQUIRE(stat(url.substr(7).c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  CHECK(open_or_fail(url)->event(kEid, "KEPT").value());
  auto bad = open_event_store("mysql://smds:secret@db/smds");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("secret") == std::string::npos);
}
