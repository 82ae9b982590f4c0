// Racing writers: of N threads moving one profile from released to downloaded with versioned
// updates, exactly one wins, whether they share one Store or go through two (two SM-DP+
// instances on one database).
#include <catch2/catch.hpp>
#include <latch>
#include <thread>

#include "store_backends.hpp"

using namespace smdp;
using namespace smdp::test;

namespace {

constexpr int kRacingThreads = 8;
const std::string kIccid = "8900000000000000001";

// Each thread reads, decides and writes back until it wins or finds the profile gone.
int race(const std::vector<Store*>& stores) {
  std::atomic<int> winners{0}, errors{0};
  std::latch ready(kRacingThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kRacingThreads; ++t)
    threads.emplace_back([&, t] {
      Store& store = *stores[static_cast<size_t>(t) % stores.size()];
      ready.arrive_and_wait();
      for (;;) {
        auto read = store.profile(kIccid);
        if (!read || !*read) return void(++errors);
        ProfileRecord p = **read;
        if (p.state != ProfileState::released) return;
        p.state = ProfileState::downloaded;
        p.eid = std::to_string(t);
        auto written = store.update_profile(p);
        if (!written) return void(++errors);
        if (*written) return void(++winners);
      }
    });
  for (auto& thread : threads) thread.join();
  CHECK(errors == 0);
  return winners;
}

template <class Backend>
void race_on(const std::string& url, int store_count) {
  std::vector<std::unique_ptr<Store>> owners;
  std::vector<Store*> stores;
  for (int i = 0; i < store_count; ++i) stores.push_back(owners.emplace_back(open_or_fail(url)).get());
  ProfileRecord p = make_profile(kIccid);
  p.state = ProfileState::released;
  REQUIRE(stores[0]->add_profile(p));
  CHECK(race(stores) == 1);
  auto after = stores.back()->profile(kIccid).value();
  CHECK(after->state == ProfileState::downloaded);
  CHECK(after->version == 2);
}

}  // namespace

TEMPLATE_TEST_CASE("racing versioned updates: exactly one wins", "[store][race]", SqliteBackend, PostgresBackend) {
  SECTION("threads sharing one store") { race_on<TestType>(TestType::fresh_url(), 1); }
  SECTION("two stores on one database (two instances)") { race_on<TestType>(TestType::fresh_url(), 2); }
  SECTION("instances opening one new database at once migrate it once") {
    const std::string url = TestType::fresh_url();
    std::atomic<int> failures{0};
    std::latch ready(kRacingThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kRacingThreads; ++t)
      threads.emplace_back([&] {
        ready.arrive_and_wait();
        if (!open_store(url)) ++failures;
      });
    for (auto& thread : threads) thread.join();
    CHECK(failures == 0);
    CHECK(TestType::count(url, "SELECT COUNT(*) FROM schema_version") ==
          TestType::count(url, "SELECT MAX(version) FROM schema_version"));
  }
}
