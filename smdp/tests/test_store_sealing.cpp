// Profiles sealed at rest (issue 13, finding 10): with the profile key the store writes no Ki, OPc
// or protection key in clear, migrates rows written in clear, refuses another key without
// changing anything, and re-seals everything under a new key.
#include <catch2/catch.hpp>

#include <algorithm>

#include "rsp/crypto/sealing.hpp"
#include "rsp/files.hpp"
#include "store_backends.hpp"

using namespace smdp;
using namespace smdp::test;
using rsp::crypto::SealingKey;

namespace {

// Bytes a dump must never show: a Ki, an OPc and a protection key, inside a package.
const Bytes kKi = {0x4B, 0x69, 0x5A, 0x13, 0x37, 0xC0, 0xDE, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
const Bytes kOpc = {0x0F, 0x0C, 0x5A, 0x13, 0x37, 0xC0, 0xDE, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19};
const Bytes kPpk = {0x99, 0x98, 0x5A, 0x13, 0x37, 0xC0, 0xDE, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29};

ProfileRecord secret_profile(const std::string& iccid) {
  ProfileRecord p = make_profile(iccid);
  p.package = rsp::concat({Bytes{0xA0, 0x22, 0x80, 0x10}, kKi, Bytes{0x81, 0x10}, kOpc});
  p.ppk_enc = kPpk;
  p.ppk_mac = Bytes(16, 0x44);
  p.ppk_initial_mcv = Bytes(16, 0x55);
  return p;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}
std::string as_text(const Bytes& b) { return std::string(b.begin(), b.end()); }
std::string lower_hex(const Bytes& b) {
  std::string h = rsp::to_hex(b);
  std::ranges::transform(h, h.begin(),
                         [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return h;
}

// What a copy of the database shows: the SQLite file and its WAL byte for byte, or every profiles
// row as text the way pg_dump writes it (bytea as \x hex).
struct Raw {
  static std::string of(SqliteBackend, const std::string& url) {
    std::string all;
    for (const char* suffix : {"", "-wal"}) {
      auto bytes = rsp::files::read(url.substr(7) + suffix);
      if (bytes) all += as_text(*bytes);
    }
    return all;
  }
  static std::string of(PostgresBackend, const std::string& url) {
    std::string all;
    for (const auto& row : rsp::test::shared_postgres().query(url, "SELECT p::text FROM profiles p"))
      all += row.at(0) + "\n";
    return all;
  }
  // Whether `secret` shows in `raw`, as bytes (SQLite) or as lower-case hex (PostgreSQL's text).
  static bool shows(const std::string& raw, const Bytes& secret) {
    return contains(raw, as_text(secret)) || contains(raw, lower_hex(secret));
  }
};

template <class Backend>
std::string raw(const std::string& url) {
  return Raw::of(Backend{}, url);
}

}  // namespace

TEMPLATE_TEST_CASE("Profiles at rest: sealed with the profile key, opened when read, bound to their row",
                   "[store][sealing]", SqliteBackend, PostgresBackend) {
  const auto url = TestType::fresh_url();
  const SealingKey key = SealingKey::generate();
  {
    auto store = open_store(url, &key);
    REQUIRE(store);
    ProfileRecord one = secret_profile("8949449999999990011");
    REQUIRE((*store)->add_profile(one));
    std::vector<ProfileRecord> batch{secret_profile("8949449999999990012"), secret_profile("8949449999999990013")};
    REQUIRE((*store)->add_profiles(batch).value() == 2);

    // Read back whole, by each way the services read.
    auto read = (*store)->profile("8949449999999990012");
    REQUIRE(read);
    REQUIRE(read->has_value());
    CHECK((*read)->package == secret_profile("x").package);
    CHECK((*read)->ppk_enc == kPpk);
    auto available = (*store)->available_profile("operator-a", "iot-basic").value();
    REQUIRE(available);
    CHECK(available->package == secret_profile("x").package);
    // An order's update leaves the sealed columns as they are.
    available->state = ProfileState::allocated;
    available->eid = std::string(32, '1');
    REQUIRE((*store)->update_profile(*available).value());
    auto orders = (*store)->orders_for_eid(std::string(32, '1')).value();
    REQUIRE(orders.size() == 1);
    CHECK(orders[0].ppk_mac == Bytes(16, 0x44));
  }
  const std::string copy = raw<TestType>(url);
  CHECK(contains(copy, "8949449999999990011"));  // the rows are there...
  CHECK_FALSE(Raw::shows(copy, kKi));            // ...without their secrets
  CHECK_FALSE(Raw::shows(copy, kOpc));
  CHECK_FALSE(Raw::shows(copy, kPpk));
  CHECK(profile_key_id(url).value() == key.id());

  // Without the key the values come as stored: sealed.
  auto keyless = open_or_fail(url);
  auto sealed = keyless->profile("8949449999999990011").value().value();
  CHECK(rsp::crypto::is_sealed(sealed.package));
  CHECK(rsp::crypto::is_sealed(sealed.ppk_enc));

  SECTION("a package moved into another row does not open there") {
    auto other = keyless->profile("8949449999999990013").value().value();
    if constexpr (std::is_same_v<TestType, SqliteBackend>) {
      // Behind the store's back, as someone with write access to the file would.
      rsp::sql::Value params[] = {sealed.package, std::string("8949449999999990013")};
      auto db = rsp::sql::open_database(url, {}, "test").value();
      REQUIRE(db->run("UPDATE profiles SET package = $1 WHERE iccid = $2", params));
    } else {
      rsp::test::shared_postgres().query(url,
                                         "UPDATE profiles SET package = (SELECT package FROM profiles WHERE iccid = "
                                         "'8949449999999990011') WHERE iccid = '8949449999999990013'");
    }
    auto store = open_store(url, &key);
    REQUIRE(store);
    auto moved = (*store)->profile("8949449999999990013");
    REQUIRE_FALSE(moved);
    CHECK_THAT(moved.error().message, Catch::Contains("8949449999999990013") && Catch::Contains("not authentic"));
    CHECK((*store)->profile("8949449999999990011").value().value().package == secret_profile("x").package);
  }
}

TEMPLATE_TEST_CASE("Profiles at rest: a database written in clear is sealed at its first open with a key",
                   "[store][sealing]", SqliteBackend, PostgresBackend) {
  const auto url = TestType::fresh_url();
  {
    auto old = open_or_fail(url);  // as the code before sealing wrote them
    std::vector<ProfileRecord> batch;
    for (int i = 0; i < 450; ++i) batch.push_back(secret_profile("89494499999999" + std::to_string(10000 + i)));
    REQUIRE(old->add_profiles(batch).value() == 450);
  }
  REQUIRE(Raw::shows(raw<TestType>(url), kKi));
  CHECK_FALSE(profile_key_id(url).value());

  const SealingKey key = SealingKey::generate();
  {
    auto store = open_store(url, &key);
    REQUIRE(store);
    CHECK((*store)->profile("8949449999999910449").value().value().package == secret_profile("x").package);
  }
  const std::string copy = raw<TestType>(url);
  CHECK(contains(copy, "8949449999999910449"));
  CHECK_FALSE(Raw::shows(copy, kKi));
  CHECK_FALSE(Raw::shows(copy, kOpc));
  CHECK_FALSE(Raw::shows(copy, kPpk));
  CHECK(profile_key_id(url).value() == key.id());
  // Every row sealed, none left behind past the first page of 200.
  CHECK(rsp::crypto::is_sealed(open_or_fail(url)->profile("8949449999999910449").value().value().ppk_initial_mcv));

  // A second open with the key finds the database sealed and rewrites nothing.
  auto again = open_store(url, &key);
  REQUIRE(again);
  CHECK((*again)->profile("8949449999999910000").value().value().ppk_enc == kPpk);
}

TEMPLATE_TEST_CASE("Profiles at rest: another key is refused and changes nothing, rotation re-seals every profile",
                   "[store][sealing]", SqliteBackend, PostgresBackend) {
  const auto url = TestType::fresh_url();
  const SealingKey key = SealingKey::generate();
  {
    auto store = open_store(url, &key);
    REQUIRE(store);
    std::vector<ProfileRecord> batch;
    for (int i = 0; i < 250; ++i) batch.push_back(secret_profile("89494499999999" + std::to_string(20000 + i)));
    REQUIRE((*store)->add_profiles(batch).value() == 250);
  }
  auto stored_package = [&] { return open_or_fail(url)->profile("8949449999999920000").value().value().package; };
  const Bytes before = stored_package();
  const SealingKey wrong = SealingKey::generate();

  auto refused = open_store(url, &wrong);
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message,
             Catch::Contains("sealed with key id " + key.id_hex()) && Catch::Contains(wrong.id_hex()));
  CHECK(stored_package() == before);
  CHECK(profile_key_id(url).value() == key.id());

  auto wrong_rotation = rotate_profile_key(url, wrong, SealingKey::generate());
  REQUIRE_FALSE(wrong_rotation);
  CHECK(stored_package() == before);

  const SealingKey next = SealingKey::generate();
  auto rotated = rotate_profile_key(url, key, next);
  REQUIRE(rotated);
  CHECK(*rotated == 250);
  CHECK(profile_key_id(url).value() == next.id());
  CHECK(stored_package() != before);
  CHECK(rsp::crypto::sealed_key_id(stored_package()) == next.id());
  CHECK_FALSE(open_store(url, &key));  // the old key opens nothing any more
  auto store = open_store(url, &next);
  REQUIRE(store);
  CHECK((*store)->profile("8949449999999920249").value().value().package == secret_profile("x").package);
  CHECK((*store)->profile("8949449999999920000").value().value().ppk_enc == kPpk);
  const std::string copy = raw<TestType>(url);
  CHECK_FALSE(Raw::shows(copy, kKi));
  CHECK_FALSE(Raw::shows(copy, kPpk));
}

TEMPLATE_TEST_CASE("Profiles at rest: an installed profile's package and protection keys are erased, no other's",
                   "[store][sealing]", SqliteBackend, PostgresBackend) {
  const auto url = TestType::fresh_url();
  const SealingKey key = SealingKey::generate();
  auto store = open_store(url, &key);
  REQUIRE(store);
  ProfileRecord p = secret_profile("8949449999999990021");
  REQUIRE((*store)->add_profile(p));
  ProfileRecord other = secret_profile("8949449999999990022");
  REQUIRE((*store)->add_profile(other));

  // Not installed (released, then downloaded): nothing erased.
  CHECK_FALSE((*store)->erase_installed_profile_secrets(p.iccid).value());
  auto read = (*store)->profile(p.iccid).value().value();
  read.state = ProfileState::downloaded;
  REQUIRE((*store)->update_profile(read).value());
  CHECK_FALSE((*store)->erase_installed_profile_secrets(p.iccid).value());
  CHECK((*store)->profile(p.iccid).value().value().package == p.package);

  read.state = ProfileState::installed;
  REQUIRE((*store)->update_profile(read).value());
  const ProfileRecord before_erase = read;  // a record read before the erase, as another writer holds it
  CHECK((*store)->erase_installed_profile_secrets(p.iccid).value());
  auto erased = (*store)->profile(p.iccid).value().value();
  CHECK(erased.package.empty());
  CHECK(erased.ppk_enc.empty());
  CHECK(erased.ppk_mac.empty());
  CHECK(erased.ppk_initial_mcv.empty());
  CHECK(erased.metadata == p.metadata);
  CHECK(erased.state == ProfileState::installed);
  CHECK(erased.version == before_erase.version);

  // That writer's update goes through without bringing the secrets back.
  ProfileRecord late = before_erase;
  late.smds_address = "smds.example.org";
  REQUIRE((*store)->update_profile(late).value());
  auto after = (*store)->profile(p.iccid).value().value();
  CHECK(after.smds_address == "smds.example.org");
  CHECK(after.package.empty());
  CHECK(after.ppk_enc.empty());

  // The other profile keeps its own; rotation passes over the erased one.
  CHECK((*store)->profile("8949449999999990022").value().value().package == p.package);
  CHECK_FALSE((*store)->erase_installed_profile_secrets("8949449999999990099").value());
  store->reset();
  const SealingKey next = SealingKey::generate();
  REQUIRE(rotate_profile_key(url, key, next).value() == 2);
  auto rotated = open_store(url, &next);
  REQUIRE(rotated);
  CHECK((*rotated)->profile(p.iccid).value().value().package.empty());
  CHECK((*rotated)->profile("8949449999999990022").value().value().package == p.package);
}
