// The store's behaviour, the same cases against SQLite and PostgreSQL.
#include <catch2/catch.hpp>

#include "store_backends.hpp"

using namespace smdp;
using namespace smdp::test;

TEMPLATE_TEST_CASE("store behaviour", "[store]", SqliteBackend, PostgresBackend) {
  const std::string url = TestType::fresh_url();
  auto store = open_or_fail(url);

  SECTION("add, get, and a versioned update that loses to an earlier writer") {
    ProfileRecord p = make_profile("8900000000000000001");
    REQUIRE(store->add_profile(p));
    CHECK(p.version == 1);
    ProfileRecord again = make_profile("8900000000000000001");
    auto duplicate = store->add_profile(again);
    REQUIRE_FALSE(duplicate);
    CHECK(duplicate.error().kind == StoreErrorKind::exists);

    auto first = store->profile(p.iccid).value();
    REQUIRE(first);
    CHECK(*first == p);
    ProfileRecord second = *first;
    first->state = ProfileState::allocated;
    first->eid = std::string(32, '8');
    REQUIRE(store->update_profile(*first).value());
    CHECK(first->version == 2);
    second.state = ProfileState::unavailable;
    CHECK_FALSE(store->update_profile(second).value());
    CHECK(second.version == 1);
    CHECK(*store->profile(p.iccid).value() == *first);

    ProfileRecord unknown = make_profile("8900000000000000999");
    CHECK_FALSE(store->update_profile(unknown).value());
    CHECK_FALSE(store->profile("8900000000000000999").value());
  }

  SECTION("matchingId is unique while set, and finds its profile") {
    ProfileRecord a = make_profile("8900000000000000001"), b = make_profile("8900000000000000002");
    REQUIRE(store->add_profile(a));
    REQUIRE(store->add_profile(b));
    a.matching_id = "MID-1";
    REQUIRE(store->update_profile(a).value());
    b.matching_id = "MID-1";
    auto taken = store->update_profile(b);
    REQUIRE_FALSE(taken);
    CHECK(taken.error().kind == StoreErrorKind::conflict);
    CHECK(taken.error().message.find("MID-1") == std::string::npos);

    ProfileRecord c = make_profile("8900000000000000003");
    c.matching_id = "MID-1";
    auto added = store->add_profile(c);
    REQUIRE_FALSE(added);
    CHECK(added.error().kind == StoreErrorKind::conflict);

    CHECK(store->profile_by_matching_id("MID-1").value()->iccid == a.iccid);
    CHECK_FALSE(store->profile_by_matching_id("MID-2").value());
    b.matching_id.reset();  // the refused write left b as it was; several profiles may have none
    REQUIRE(store->update_profile(b).value());
  }

  SECTION("an available profile by operator and type") {
    for (auto p : {make_profile("8900000000000000001", "operator-a", "t1"),
                   make_profile("8900000000000000002", "operator-a", "t1"),
                   make_profile("8900000000000000003", "operator-a", "t2"),
                   make_profile("8900000000000000004", "operator-b", "t1")})
      REQUIRE(store->add_profile(p));
    auto taken = store->available_profile("operator-a", "t1").value();
    REQUIRE(taken);
    CHECK(taken->operator_id == "operator-a");
    CHECK(taken->profile_type == "t1");
    taken->state = ProfileState::allocated;
    REQUIRE(store->update_profile(*taken).value());
    auto next = store->available_profile("operator-a", "t1").value();
    REQUIRE(next);
    CHECK(next->iccid != taken->iccid);
    next->state = ProfileState::linked;
    REQUIRE(store->update_profile(*next).value());
    CHECK_FALSE(store->available_profile("operator-a", "t1").value());
    CHECK(store->available_profile("operator-b", "t1").value()->iccid == "8900000000000000004");

    CHECK(store->profile_type_exists("operator-a", "t1").value());
    CHECK(store->profile_type_exists("operator-a", "t2").value());
    CHECK_FALSE(store->profile_type_exists("operator-a", "t3").value());
    CHECK_FALSE(store->profile_type_exists("operator-c", "t1").value());
  }

  SECTION("sessions: versioned, and removed once expired") {
    SessionRecord early = make_session("0A0B", 100), late = make_session("0C0D", 300);
    REQUIRE(store->add_session(early));
    REQUIRE(store->add_session(late));
    auto duplicate = store->add_session(early);
    REQUIRE_FALSE(duplicate);
    CHECK(duplicate.error().kind == StoreErrorKind::exists);

    SessionRecord read = *store->session("0A0B").value();
    CHECK(read == early);
    SessionRecord stale = read;
    read.state = SessionState::authenticated;
    read.eid = std::string(32, '9');
    read.bound_profile_package = Bytes(70000, 0x5A);  // BPPs are large
    REQUIRE(store->update_session(read).value());
    CHECK_FALSE(store->update_session(stale).value());
    CHECK(*store->session("0A0B").value() == read);

    CHECK(store->remove_expired_sessions(100).value() == 0);  // expires at 100: not before 100
    CHECK(store->remove_expired_sessions(200).value() == 1);
    CHECK_FALSE(store->session("0A0B").value());
    CHECK(store->session("0C0D").value());
  }

  SECTION("a shared secret: the first one stored, whoever asks after") {
    const Bytes first(32, 0xA1), second(32, 0xB2);
    CHECK(store->shared_secret("es9-transaction-id", first).value() == first);
    CHECK(store->shared_secret("es9-transaction-id", second).value() == first);
    auto other_instance = open_or_fail(url);  // another SM-DP+ on the same database
    CHECK(other_instance->shared_secret("es9-transaction-id", second).value() == first);
    CHECK(store->shared_secret("another", second).value() == second);
  }

  SECTION("notifications: a known (eid, sequence number) is not stored again") {
    NotificationRecord n{std::string(32, '1'), 7,   "install", "8900000000000000001", "0A0B", true,
                         {0xBF, 0x37, 0x00},   1000};
    CHECK(store->add_notification(n).value());
    NotificationRecord repeat = n;
    repeat.received = 2000;
    CHECK_FALSE(store->add_notification(repeat).value());
    NotificationRecord next = n;
    next.sequence_number = 8;
    next.event = "enable";
    next.received = 1500;
    CHECK(store->add_notification(next).value());
    NotificationRecord other_card = n;
    other_card.eid = std::string(32, '2');
    other_card.iccid = "8900000000000000002";
    CHECK(store->add_notification(other_card).value());

    auto stored = store->notifications("8900000000000000001").value();
    REQUIRE(stored.size() == 2);
    CHECK(stored[0] == n);
    CHECK(stored[1] == next);
    CHECK(store->notifications("8900000000000000009").value().empty());

    // Retention: those received before the bound go (n and other_card at 1000), later ones stay,
    // and a removed (eid, sequence number) is taken again.
    CHECK(store->remove_notifications_received_before(1000).value() == 0);
    CHECK(store->remove_notifications_received_before(1001).value() == 2);
    stored = store->notifications("8900000000000000001").value();
    REQUIRE(stored.size() == 1);
    CHECK(stored[0] == next);
    CHECK(store->notifications("8900000000000000002").value().empty());
    CHECK(store->add_notification(n).value());
  }

  SECTION("callbacks: due in order of time, rescheduled, completed") {
    const int64_t late = store->enqueue_callback({0, "operator-a", "https://op/a", "{\"n\":1}", 0, 50}).value();
    const int64_t first = store->enqueue_callback({0, "operator-a", "https://op/a", "{\"n\":2}", 0, 10}).value();
    const int64_t second = store->enqueue_callback({0, "operator-b", "https://op/b", "{\"n\":3}", 0, 10}).value();
    CHECK(first != second);

    auto due = store->due_callbacks(20, 10).value();
    REQUIRE(due.size() == 2);
    CHECK(due[0] == CallbackRecord{first, "operator-a", "https://op/a", "{\"n\":2}", 0, 10});
    CHECK(due[1].id == second);
    CHECK(store->due_callbacks(100, 2).value().size() == 2);  // the limit holds

    REQUIRE(store->reschedule_callback(first, 1, 200));
    due = store->due_callbacks(100, 10).value();
    REQUIRE(due.size() == 2);
    CHECK(due[0].id == second);
    CHECK(due[1].id == late);
    REQUIRE(store->complete_callback(second));
    due = store->due_callbacks(1000, 10).value();
    REQUIRE(due.size() == 2);
    CHECK(due[0].id == late);
    CHECK(due[1] == CallbackRecord{first, "operator-a", "https://op/a", "{\"n\":2}", 1, 200});
  }

  SECTION("what was stored is there after reopening; the migrations ran once") {
    ProfileRecord p = make_profile("8900000000000000001");
    p.ppk_enc = Bytes(16, 0x01);
    p.confirmation_code_hash = Bytes(32, 0xCC);
    p.confirmation_attempts_left = 3;
    p.released = true;
    p.smds_address = "smds.example.com";
    REQUIRE(store->add_profile(p));
    REQUIRE(store->add_notification({"E", 1, "install", p.iccid, "", false, {}, 5}).value());
    store.reset();

    auto reopened = open_or_fail(url);
    CHECK(*reopened->profile(p.iccid).value() == p);
    CHECK(reopened->notifications(p.iccid).value().size() == 1);
    reopened.reset();
    reopened = open_or_fail(url);
    // One row a step: reopening applied nothing twice.
    const int64_t steps = TestType::count(url, "SELECT MAX(version) FROM schema_version");
    CHECK(steps >= 1);
    CHECK(TestType::count(url, "SELECT COUNT(*) FROM schema_version") == steps);
  }
}
