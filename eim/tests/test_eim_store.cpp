// The eIM's store on SQLite and on a throwaway PostgreSQL: a package's life cycle (queued,
// delivered once, executed or failed once, expired), counters that never repeat (8 threads, two
// store instances on one database), racing deliverers of which one wins, a reopened database that
// keeps everything, and input past the bounds refused.
#include <atomic>
#include <set>
#include <thread>
#include <tuple>

#include <catch2/catch.hpp>

#include "eim/store.hpp"
#include "support/kit.hpp"
#include "support/sql_backends.hpp"

using namespace eim;

namespace {

const std::string kEid = "89049032123451234512345678901235";
const std::string kOtherEid = "89049032000000000000000000000018";

using rsp::test::PostgresBackend;
using rsp::test::SqliteBackend;

std::unique_ptr<EimStore> open_or_fail(const std::string& url) {
  auto store = open_eim_store(url);
  if (!store) FAIL("open_eim_store: " << store.error().message);
  return std::move(*store);
}

DeviceRecord device(const std::string& eid, int64_t next_counter = 1) {
  DeviceRecord d;
  d.eid = eid;
  d.owner = "owner-a";
  d.eim_id = "eim.example.org";
  d.association_token = 7;
  d.next_counter = next_counter;
  return d;
}

PackageRecord package(const std::string& eid, int64_t counter, int64_t created = 1000, int64_t expires = 2000) {
  PackageRecord p;
  p.eid = eid;
  p.counter_value = counter;
  p.eim_transaction_id = rsp::Bytes{0x01, 0x02, static_cast<uint8_t>(counter)};
  p.request = rsp::Bytes{0xBF, 0x51, 0x03, 0x01, 0x02, static_cast<uint8_t>(counter)};
  p.created = created;
  p.expires = expires;
  return p;
}

// A device and one queued package with a reserved counter.
PackageRecord queued(EimStore& store, const std::string& eid, int64_t created = 1000, int64_t expires = 2000) {
  auto counter = store.reserve_counter(eid);
  REQUIRE(counter);
  REQUIRE(*counter);
  auto p = package(eid, **counter, created, expires);
  REQUIRE(store.enqueue(p));
  return p;
}

}  // namespace

TEMPLATE_TEST_CASE("eim store: devices added once, updated by version, packages through their life cycle",
                   "[eim][store]", SqliteBackend, PostgresBackend) {
  auto store = open_or_fail(TestType::fresh_url());
  auto d = device(kEid, 5);
  REQUIRE(store->add_device(d).value());
  CHECK(d.version == 1);
  auto again = device(kEid, 1);
  CHECK_FALSE(store->add_device(again).value());
  CHECK(store->device(kEid).value() == d);
  CHECK_FALSE(store->device(kOtherEid).value());

  // Versioned update: the second writer with the old version loses; the counter is not touched.
  auto first = *store->device(kEid).value();
  auto second = first;
  first.euicc_certificate = rsp::Bytes(300, 0x30);
  first.eum_certificate = rsp::Bytes(200, 0x31);
  first.association_token.reset();
  first.next_counter = 1000;
  REQUIRE(store->update_device(first).value());
  CHECK(first.version == 2);
  second.owner = "owner-b";
  CHECK_FALSE(store->update_device(second).value());
  auto stored = *store->device(kEid).value();
  CHECK(stored.owner == "owner-a");
  CHECK(stored.euicc_certificate == first.euicc_certificate);
  CHECK(stored.eum_certificate == first.eum_certificate);
  CHECK_FALSE(stored.association_token);
  CHECK(stored.next_counter == 5);
  CHECK(stored.version == 2);

  // Counters: from the device's starting value, one after the other; none for an unknown EID.
  CHECK(store->reserve_counter(kEid).value() == std::optional<int64_t>(5));
  CHECK(store->reserve_counter(kEid).value() == std::optional<int64_t>(6));
  CHECK_FALSE(store->reserve_counter(kOtherEid).value());
  CHECK(store->device(kEid).value()->next_counter == 7);

  // Enqueue: only reserved counters of known devices, each counter once.
  auto unreserved = package(kEid, 7);
  CHECK_FALSE(store->enqueue(unreserved));
  auto unknown = package(kOtherEid, 1);
  CHECK_FALSE(store->enqueue(unknown));
  auto p5 = package(kEid, 5, 1000, 2000);
  REQUIRE(store->enqueue(p5));
  CHECK(p5.id > 0);
  CHECK(p5.state == PackageState::queued);
  CHECK(p5.version == 1);
  auto reused = package(kEid, 5);
  auto conflict = store->enqueue(reused);
  REQUIRE_FALSE(conflict);
  CHECK(conflict.error().kind == StoreErrorKind::conflict);
  auto p6 = package(kEid, 6, 1001, 2000);
  p6.eim_transaction_id.reset();
  REQUIRE(store->enqueue(p6));
  CHECK(store->package(p5.id).value() == p5);
  CHECK(store->package(p6.id).value() == p6);

  // The oldest queued first; delivered once; its result once.
  CHECK(store->next_package_for(kEid, 1500).value() == p5);
  REQUIRE(store->mark_delivered(p5.id, 1500).value());
  CHECK_FALSE(store->mark_delivered(p5.id, 1501).value());
  CHECK(store->next_package_for(kEid, 1500).value() == p6);
  CHECK_FALSE(store->record_result(p6.id, PackageState::executed, rsp::Bytes{1}, "{}", 1600).value());  // not delivered
  const rsp::Bytes result{0xBF, 0x51, 0x02, 0x05, 0x00};
  REQUIRE(store->record_result(p5.id, PackageState::executed, result, R"({"enable":"ok"})", 1600).value());
  CHECK_FALSE(store->record_result(p5.id, PackageState::failed, result, R"({"error":"replayError"})", 1601).value());
  CHECK_FALSE(store->record_result(p5.id, PackageState::expired, result, "", 1601));  // not a result state
  auto done = *store->package(p5.id).value();
  CHECK(done.state == PackageState::executed);
  CHECK(done.result == result);
  CHECK(done.result_summary == R"({"enable":"ok"})");
  CHECK(done.delivered == 1500);
  CHECK(done.finished == 1600);
  CHECK(done.version == 3);

  // A failed one.
  REQUIRE(store->mark_delivered(p6.id, 1700).value());
  REQUIRE(
      store->record_result(p6.id, PackageState::failed, rsp::Bytes{0xBF, 0x51, 0x00}, R"({"error":"invalidEid"})", 1710)
          .value());
  CHECK(store->package(p6.id).value()->state == PackageState::failed);
  CHECK_FALSE(store->next_package_for(kEid, 1800).value());

  // Expiry: a queued and a delivered one past their expiry; not delivered once expired.
  auto late = queued(*store, kEid, 1800, 3000);
  auto undelivered = queued(*store, kEid, 1800, 2500);
  REQUIRE(store->mark_delivered(late.id, 1900).value());
  CHECK_FALSE(store->next_package_for(kEid, 2500).value());  // at its expiry: no longer handed out
  CHECK_FALSE(store->mark_delivered(undelivered.id, 2500).value());
  CHECK(store->expire(2600).value() == 1);
  CHECK(store->package(undelivered.id).value()->state == PackageState::expired);
  CHECK(store->package(undelivered.id).value()->finished == 2600);
  CHECK(store->expire(3000).value() == 1);
  CHECK(store->package(late.id).value()->state == PackageState::expired);
  CHECK_FALSE(store->record_result(late.id, PackageState::executed, result, "", 3001).value());
  CHECK(store->expire(4000).value() == 0);

  // Listing, oldest first, each with its state.
  auto listed = store->packages_for(kEid, 10).value();
  REQUIRE(listed.size() == 4);
  CHECK(listed[0].state == PackageState::executed);
  CHECK(listed[1].state == PackageState::failed);
  CHECK(listed[2].state == PackageState::expired);
  CHECK(listed[3].state == PackageState::expired);
  CHECK(listed[0].counter_value == 5);
  CHECK(listed[3].counter_value == 8);
  CHECK(store->packages_for(kEid, 2).value().size() == 2);
  CHECK(store->packages_for(kOtherEid, 10).value().empty());
}

TEMPLATE_TEST_CASE("eim store: counters from 8 threads and two store instances never repeat", "[eim][store]",
                   SqliteBackend, PostgresBackend) {
  const std::string url = TestType::fresh_url();
  auto one = open_or_fail(url);
  auto two = open_or_fail(url);
  auto d = device(kEid);
  REQUIRE(one->add_device(d).value());
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  std::vector<std::vector<int64_t>> got(kThreads);
  std::atomic<int> failures{0};
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        EimStore& store = t % 2 ? *two : *one;
        for (int i = 0; i < kEach; ++i) {
          auto counter = store.reserve_counter(kEid);
          if (!counter || !*counter) {
            ++failures;
            continue;
          }
          got[t].push_back(**counter);
        }
      });
    for (auto& thread : threads) thread.join();
  }
  CHECK(failures == 0);
  std::set<int64_t> all;
  for (const auto& each : got) all.insert(each.begin(), each.end());
  CHECK(all.size() == size_t{kThreads * kEach});  // none twice
  CHECK(*all.begin() == 1);
  CHECK(*all.rbegin() == kThreads * kEach);
  CHECK(two->device(kEid).value()->next_counter == kThreads * kEach + 1);
}

TEMPLATE_TEST_CASE("eim store: a package delivered by racing callers on two instances is delivered once",
                   "[eim][store]", SqliteBackend, PostgresBackend) {
  const std::string url = TestType::fresh_url();
  auto one = open_or_fail(url);
  auto two = open_or_fail(url);
  auto d = device(kEid);
  REQUIRE(one->add_device(d).value());
  for (int round = 0; round < 5; ++round) {
    auto p = queued(*one, kEid);
    std::atomic<int> wins{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&, t] {
        EimStore& store = t % 2 ? *two : *one;
        auto next = store.next_package_for(kEid, 1500);
        if (!next || !*next) return;  // already taken: nothing queued
        auto delivered = store.mark_delivered((*next)->id, 1500);
        if (!delivered)
          ++failures;
        else if (*delivered)
          ++wins;
      });
    for (auto& thread : threads) thread.join();
    CHECK(failures == 0);
    CHECK(wins == 1);
    CHECK(two->package(p.id).value()->state == PackageState::delivered);
  }
}

TEMPLATE_TEST_CASE("eim store: a reopened database keeps devices, counters and packages", "[eim][store]", SqliteBackend,
                   PostgresBackend) {
  const std::string url = TestType::fresh_url();
  PackageRecord delivered, waiting;
  DeviceRecord d = device(kEid, 40);
  d.euicc_certificate = rsp::Bytes(500, 0x42);
  {
    auto store = open_or_fail(url);
    REQUIRE(store->add_device(d).value());
    delivered = queued(*store, kEid);
    waiting = queued(*store, kEid);
    REQUIRE(store->mark_delivered(delivered.id, 1100).value());
    delivered = *store->package(delivered.id).value();
  }
  auto store = open_or_fail(url);
  auto kept = *store->device(kEid).value();
  CHECK(kept.euicc_certificate == d.euicc_certificate);
  CHECK(kept.next_counter == 42);
  CHECK(store->package(delivered.id).value() == delivered);
  CHECK(store->next_package_for(kEid, 1200).value() == waiting);
  CHECK_FALSE(store->mark_delivered(delivered.id, 1200).value());  // delivered before the restart: still once
  CHECK(store->reserve_counter(kEid).value() == std::optional<int64_t>(42));  // never one handed out before
}

TEMPLATE_TEST_CASE("eim store: input past the bounds is refused", "[eim][store]", SqliteBackend, PostgresBackend) {
  auto store = open_or_fail(TestType::fresh_url());
  auto refused = [&](DeviceRecord d) {
    auto added = store->add_device(d);
    return !added && added.error().kind == StoreErrorKind::failed;
  };
  auto bad = device(kEid);
  bad.eid = "89049032123451234512345678901234";  // check digits wrong
  CHECK(refused(bad));
  bad = device(kEid);
  bad.owner = std::string(kMaxOwnerLength + 1, 'o');
  CHECK(refused(bad));
  bad = device(kEid);
  bad.owner.clear();
  CHECK(refused(bad));
  bad = device(kEid);
  bad.eim_id = std::string(kMaxEimIdLength + 1, 'e');
  CHECK(refused(bad));
  bad = device(kEid);
  bad.euicc_certificate = rsp::Bytes(kMaxCertificateLength + 1, 0x30);
  CHECK(refused(bad));
  bad = device(kEid);
  bad.eum_certificate = rsp::Bytes();
  CHECK(refused(bad));
  bad = device(kEid);
  bad.next_counter = -1;
  CHECK(refused(bad));
  CHECK_FALSE(store->device(kEid).value());

  // At the bounds: accepted.
  auto d = device(kEid);
  d.owner = std::string(kMaxOwnerLength, 'o');
  d.eim_id = std::string(kMaxEimIdLength, 'e');
  d.euicc_certificate = rsp::Bytes(kMaxCertificateLength, 0x30);
  REQUIRE(store->add_device(d).value());
  d.eim_id = std::string(kMaxEimIdLength + 1, 'e');
  CHECK_FALSE(store->update_device(d));

  auto counter = *store->reserve_counter(kEid).value();
  auto p = package(kEid, counter);
  p.eim_transaction_id = rsp::Bytes(kMaxTransactionIdLength + 1, 1);
  CHECK_FALSE(store->enqueue(p));
  p = package(kEid, counter);
  p.request = rsp::Bytes(kMaxPackageRequestLength + 1, 1);
  CHECK_FALSE(store->enqueue(p));
  p = package(kEid, counter);
  p.request.clear();
  CHECK_FALSE(store->enqueue(p));
  CHECK(store->packages_for(kEid, 10).value().empty());
  p = package(kEid, counter);
  p.eim_transaction_id = rsp::Bytes(kMaxTransactionIdLength, 1);
  p.request = rsp::Bytes(kMaxPackageRequestLength, 1);
  REQUIRE(store->enqueue(p));
  REQUIRE(store->mark_delivered(p.id, 1500).value());
  CHECK_FALSE(store->record_result(p.id, PackageState::executed, rsp::Bytes(kMaxPackageResultLength + 1, 1), "", 1600));
  CHECK_FALSE(store->record_result(p.id, PackageState::executed, rsp::Bytes{1},
                                   std::string(kMaxResultSummaryLength + 1, 's'), 1600));
  CHECK(store->package(p.id).value()->state == PackageState::delivered);
  CHECK(store
            ->record_result(p.id, PackageState::executed, rsp::Bytes(kMaxPackageResultLength, 1),
                            std::string(kMaxResultSummaryLength, 's'), 1600)
            .value());

  auto wrong = open_eim_store("mysql://eim:secret@db/eim");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().message.find("secret") == std::string::npos);
}

TEMPLATE_TEST_CASE("eim store: devices listed per owner and fleet, packages found by counter and transaction id",
                   "[eim][store]", SqliteBackend, PostgresBackend) {
  auto store = open_or_fail(TestType::fresh_url());
  const std::string other = "89049032000000000000000000000066";
  const std::string third = "89049032000000000000000000000745";
  for (const auto& [eid, owner, fleet] : {std::tuple{kEid, "owner-a", "north"}, std::tuple{other, "owner-a", "south"},
                                          std::tuple{third, "owner-b", "north"}}) {
    auto d = device(eid);
    d.owner = owner;
    d.fleet = fleet;
    REQUIRE(store->add_device(d).value());
  }
  auto all_a = store->devices("owner-a", std::nullopt, 100);
  REQUIRE(all_a);
  REQUIRE(all_a->size() == 2);
  CHECK(all_a->at(0).eid == other);  // by EID
  CHECK(all_a->at(1).fleet == "north");
  auto north_a = store->devices("owner-a", std::string_view("north"), 100);
  REQUIRE(north_a);
  REQUIRE(north_a->size() == 1);
  CHECK(north_a->at(0).eid == kEid);  // owner-b's device in "north" is not owner-a's
  CHECK(store->devices("owner-a", std::nullopt, 1)->size() == 1);
  CHECK(store->devices("owner-c", std::nullopt, 100)->empty());

  auto moved = *store->device(kEid).value();
  moved.fleet = "south";
  REQUIRE(store->update_device(moved).value());
  CHECK(store->devices("owner-a", std::string_view("south"), 100)->size() == 2);
  moved.fleet = std::string(kMaxFleetLength + 1, 'f');
  CHECK_FALSE(store->update_device(moved));

  auto first = queued(*store, kEid);
  auto second = queued(*store, kEid);
  auto by_counter = store->package_by_counter(kEid, second.counter_value);
  REQUIRE(by_counter);
  REQUIRE(*by_counter);
  CHECK((*by_counter)->id == second.id);
  CHECK_FALSE(store->package_by_counter(other, second.counter_value).value());
  auto by_tid = store->package_by_transaction_id(kEid, *first.eim_transaction_id);
  REQUIRE(by_tid);
  REQUIRE(*by_tid);
  CHECK((*by_tid)->id == first.id);
  CHECK_FALSE(store->package_by_transaction_id(other, *first.eim_transaction_id).value());
  CHECK_FALSE(store->package_by_transaction_id(kEid, rsp::Bytes{0xEE}).value());
}
