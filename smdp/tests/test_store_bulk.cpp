// The inventory import (Store::add_profiles, a multi-row INSERT per batch of 500) and the pick of
// the next available profile on the index schema step 3 added for it, on both backends.
#include <catch2/catch.hpp>

#include <cstdio>

#include "store_backends.hpp"

using namespace smdp;
using namespace smdp::test;

namespace {

std::string bulk_iccid(int n) {
  char text[24];
  std::snprintf(text, sizeof text, "89000000000%08d", n);
  return text;
}

}  // namespace

TEMPLATE_TEST_CASE("bulk import and the next available profile", "[store]", SqliteBackend, PostgresBackend) {
  const std::string url = TestType::fresh_url();
  auto store = open_or_fail(url);

  // 1201 profiles: two full batches and a short one, given in descending ICCID order.
  std::vector<ProfileRecord> stock;
  for (int n = 1201; n >= 1; --n) stock.push_back(make_profile(bulk_iccid(n)));
  stock[7].package = Bytes(3000, 0x5A);
  stock[7].ppk_enc = Bytes(16, 0x01);
  REQUIRE(store->add_profiles(stock).value() == 1201);
  CHECK(TestType::count(url, "SELECT COUNT(*) FROM profiles") == 1201);
  for (const ProfileRecord& p : {stock[0], stock[7], stock[600], stock[1200]}) {
    CHECK(p.version == 1);
    auto read = store->profile(p.iccid).value();
    REQUIRE(read);
    CHECK(*read == p);
  }

  // ICCIDs already there are left alone and not counted; the new ones of the same call are added.
  std::vector<ProfileRecord> again{make_profile(bulk_iccid(5), "operator-a", "other-type"),
                                   make_profile(bulk_iccid(1202))};
  CHECK(store->add_profiles(again).value() == 1);
  CHECK(again[0].version == 0);
  CHECK(again[1].version == 1);
  CHECK(store->profile(bulk_iccid(5)).value()->profile_type == "iot-basic");
  CHECK(store->profile(bulk_iccid(1202)).value());
  std::vector<ProfileRecord> none;
  CHECK(store->add_profiles(none).value() == 0);

  // The lowest available ICCID of the operator and type, then the next once it is taken.
  std::vector<ProfileRecord> others{make_profile("8800000000000000001", "operator-b"),
                                    make_profile("8800000000000000002", "operator-a", "other-type")};
  REQUIRE(store->add_profiles(others).value() == 2);
  auto first = store->available_profile("operator-a", "iot-basic").value();
  REQUIRE(first);
  CHECK(first->iccid == bulk_iccid(1));
  first->state = ProfileState::allocated;
  REQUIRE(store->update_profile(*first).value());
  CHECK(store->available_profile("operator-a", "iot-basic").value()->iccid == bulk_iccid(2));
  CHECK(store->available_profile("operator-b", "iot-basic").value()->iccid == "8800000000000000001");
  CHECK_FALSE(store->available_profile("operator-b", "other-type").value());
}
