// ES2+ between operators and under load: an operator sees and moves only its own profiles, and
// DownloadOrder by profileType hands each profile to one order only, however many run at once.
#include <catch2/catch.hpp>

#include <latch>
#include <mutex>
#include <set>
#include <thread>

#include "es2_fixture.hpp"

using namespace smdp;
using namespace smdp::test;

namespace {

std::string iccid_number(int n) {
  std::string digits = std::to_string(n);
  return "8900000000000" + std::string(6 - digits.size(), '0') + digits;
}

}  // namespace

TEST_CASE("operator B can neither order, confirm, cancel nor release operator A's profile", "[es2][isolation]") {
  Es2Fixture f;
  const std::string a_free = iccid_number(1), a_ordered = iccid_number(2);
  f.add_profile(a_free, "op-a");
  f.add_profile(a_ordered, "op-a");
  REQUIRE(outcome(f.es2->download_order("op-a", es2_request({{"iccid", a_ordered}, {"eid", kEid}}))) == "ok");
  REQUIRE(outcome(f.es2->confirm_order(
              "op-a", es2_request({{"iccid", a_ordered}, {"matchingId", "A-1"}, {"releaseFlag", false}}))) == "ok");
  const ProfileRecord before_free = f.stored(a_free), before_ordered = f.stored(a_ordered);

  // The same refusal whatever state A's profile is in: B learns only that the ICCID is not its own.
  for (const std::string& iccid : {a_free, a_ordered}) {
    CHECK(outcome(f.es2->download_order("op-b", es2_request({{"iccid", iccid}}))) == "8.2.1/1.2");
    CHECK(outcome(f.es2->confirm_order("op-b", es2_request({{"iccid", iccid}, {"releaseFlag", true}}))) == "8.2.1/1.2");
    CHECK(outcome(f.es2->cancel_order(
              "op-b", es2_request({{"iccid", iccid}, {"finalProfileStatusIndicator", "Unavailable"}}))) == "8.2.1/1.2");
    CHECK(outcome(f.es2->release_profile("op-b", es2_request({{"iccid", iccid}}))) == "8.2.1/1.2");
    CHECK_FALSE(f.es2->activation_code("op-b", iccid));
  }
  // Even a wrong EID or matchingId does not get past the ownership check to say more.
  CHECK(outcome(f.es2->cancel_order("op-b", es2_request({{"iccid", a_ordered},
                                                         {"eid", kOtherEid},
                                                         {"matchingId", "X"},
                                                         {"finalProfileStatusIndicator", "Available"}}))) ==
        "8.2.1/1.2");
  const std::string a_failed = f.es2->download_order("op-b", es2_request({{"iccid", a_free}}))["header"].dump();
  const std::string a_failed2 = f.es2->download_order("op-b", es2_request({{"iccid", a_ordered}}))["header"].dump();
  CHECK(a_failed == a_failed2);

  CHECK(f.stored(a_free).version == before_free.version);
  CHECK(f.stored(a_ordered).version == before_ordered.version);
  CHECK(f.stored(a_ordered).state == ProfileState::confirmed);
  CHECK(f.es2->activation_code("op-a", a_ordered));
}

TEST_CASE("DownloadOrder by profileType never hands one operator's profile to another", "[es2][isolation]") {
  Es2Fixture f;
  for (int i = 0; i < 3; ++i) f.add_profile(iccid_number(100 + i), "op-a", "Test");
  f.add_profile(iccid_number(200), "op-a", "OnlyA");
  for (int i = 0; i < 2; ++i) f.add_profile(iccid_number(300 + i), "op-b", "Test");

  // A type only A has is unknown to B, exactly like a type nobody has.
  CHECK(outcome(f.es2->download_order("op-b", es2_request({{"profileType", "OnlyA"}}))) == "8.2.5/3.9");

  std::set<std::string> got_b;
  for (;;) {
    json answer = f.es2->download_order("op-b", es2_request({{"profileType", "Test"}}));
    if (outcome(answer) != "ok") {
      CHECK(outcome(answer) == "8.2.5/3.7");
      break;
    }
    got_b.insert(answer["iccid"].get<std::string>());
  }
  CHECK(got_b == std::set<std::string>{iccid_number(300), iccid_number(301)});
  for (int i = 0; i < 3; ++i) CHECK(f.stored(iccid_number(100 + i)).state == ProfileState::available);
}

TEST_CASE("concurrent DownloadOrders by profileType from many threads get distinct profiles", "[es2][concurrency]") {
  constexpr int kThreads = 8, kPerOperator = 12;
  Es2Fixture f;
  for (int i = 0; i < kPerOperator; ++i) {
    f.add_profile(iccid_number(1000 + i), "op-a", "Test");
    f.add_profile(iccid_number(2000 + i), "op-b", "Test");
  }
  // Half the threads share the fixture's store; the others each open the same database, as
  // separate SM-DP+ instances would.
  std::vector<std::unique_ptr<Store>> own_stores;
  std::vector<std::unique_ptr<Es2Plus>> services;
  for (int t = 0; t < kThreads; ++t) {
    Store* store = f.store.get();
    if (t % 2)
      store = own_stores.emplace_back(open_store("sqlite:" + (f.dir.path() / "smdp.db").string()).value()).get();
    services.push_back(std::make_unique<Es2Plus>(*store, f.settings, [&f] { return f.now; }));
  }

  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> orders;  // operator, iccid
  std::vector<std::string> refusals;
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      const std::string op = t < kThreads / 2 ? "op-a" : "op-b";
      start.arrive_and_wait();
      for (;;) {
        json answer = services[static_cast<size_t>(t)]->download_order(op, es2_request({{"profileType", "Test"}}));
        std::lock_guard lock(mutex);
        if (outcome(answer) != "ok") return refusals.push_back(outcome(answer));
        orders.emplace_back(op, answer["iccid"].get<std::string>());
      }
    });
  for (auto& thread : threads) thread.join();

  CHECK(orders.size() == 2 * kPerOperator);
  std::set<std::string> distinct;
  for (const auto& [op, iccid] : orders) {
    distinct.insert(iccid);
    CHECK(f.stored(iccid).operator_id == op);
    CHECK(f.stored(iccid).state == ProfileState::allocated);
  }
  CHECK(distinct.size() == orders.size());
  CHECK(refusals == std::vector<std::string>(kThreads, "8.2.5/3.7"));
}

TEST_CASE("a functionRequesterIdentifier naming another operator is refused; free-form ones are taken",
          "[es2][isolation]") {
  Es2PlusSettings settings;
  settings.operator_ids = {"op-a", "op-b"};
  Es2Fixture f(settings);
  const std::string iccid = iccid_number(7);
  f.add_profile(iccid, "op-a");
  auto as = [&](const std::string& requester) {
    json request = es2_request({{"iccid", iccid}});
    request["header"]["functionRequesterIdentifier"] = requester;
    return outcome(f.es2->download_order("op-a", request));
  };
  const auto before = f.stored(iccid).version;
  CHECK(as("op-b") == "1.1/1.2");  // op-a's TLS identity, op-b's name: refused, nothing ordered
  CHECK(f.stored(iccid).version == before);
  CHECK(as("op-a") == "ok");  // its own name
  f.es2->cancel_order("op-a", es2_request({{"iccid", iccid}, {"finalProfileStatusIndicator", "Available"}}));
  CHECK(as("TTCN3-0A1B2C3D") == "ok");  // a free-form identifier naming no operator, as test tools send

  SECTION("the skip-operator-check fault lets it through") {
    Es2PlusSettings faulty = settings;
    faulty.skip_operator_check = true;
    Es2Fixture g(faulty);
    g.add_profile(iccid, "op-a");
    json request = es2_request({{"iccid", iccid}});
    request["header"]["functionRequesterIdentifier"] = "op-b";
    CHECK(outcome(g.es2->download_order("op-a", request)) == "ok");
  }
}
