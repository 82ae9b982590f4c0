// Sealing at rest (rsp/crypto/sealing.hpp): AES-256-GCM with a key id and associated data, and the
// key files and environment variable the components take their keys from.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include "rsp/crypto/sealing.hpp"
#include "rsp/files.hpp"
#include "support/kit.hpp"

using namespace rsp;
using namespace rsp::crypto;

namespace {

const Bytes kKi = test::hex("000102030405060708090A0B0C0D0E0F");
const Bytes kPlace = to_bytes("profiles.package:8949449999999990049");

bool contains(ByteView haystack, ByteView needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

mode_t mode_of(const std::filesystem::path& file) {
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  return info.st_mode & 0777;
}

// Sets an environment variable for one scope.
struct ScopedVariable {
  ScopedVariable(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedVariable() { ::unsetenv(name_); }
  const char* name_;
};

}  // namespace

TEST_CASE("Sealing: the value opens only with its key and in its place, and holds no plaintext", "[sealing]") {
  const SealingKey key = SealingKey::generate();
  const Bytes plain = concat({to_bytes("header"), kKi, to_bytes("trailer")});
  const Bytes sealed = key.seal(plain, kPlace);

  CHECK(is_sealed(sealed));
  CHECK_FALSE(is_sealed(plain));
  CHECK(sealed.size() == plain.size() + SealingKey::kOverhead);
  CHECK_FALSE(contains(sealed, kKi));
  CHECK(sealed_key_id(sealed) == key.id());
  CHECK(key.seal(plain, kPlace) != sealed);  // a fresh nonce each time

  auto opened = key.open(sealed, kPlace);
  REQUIRE(opened);
  CHECK(*opened == plain);

  SECTION("another place (a row swapped) is refused") {
    auto moved = key.open(sealed, to_bytes("profiles.package:8949449999999990050"));
    REQUIRE_FALSE(moved);
    CHECK_THAT(moved.error().message, Catch::Contains("not authentic"));
  }
  SECTION("another key is named by its id") {
    const SealingKey other = SealingKey::generate();
    CHECK(other.id() != key.id());
    auto wrong = other.open(sealed, kPlace);
    REQUIRE_FALSE(wrong);
    CHECK_THAT(wrong.error().message, Catch::Contains(key.id_hex()) && Catch::Contains(other.id_hex()));
  }
  SECTION("any flipped bit is refused") {
    for (size_t i = 4; i < sealed.size(); i += 7) {
      Bytes altered = sealed;
      altered[i] ^= 0x01;
      CHECK_FALSE(key.open(altered, kPlace));
    }
  }
  SECTION("an empty value seals too") {
    const Bytes empty_sealed = key.seal({}, kPlace);
    CHECK(empty_sealed.size() == SealingKey::kOverhead);
    auto empty = key.open(empty_sealed, kPlace);
    REQUIRE(empty);
    CHECK(empty->empty());
  }
}

TEST_CASE("Sealing: the same key from hex names the same id, and bad keys are refused", "[sealing]") {
  const Bytes raw = random_bytes(32);
  auto a = SealingKey::from_bytes(raw);
  auto b = SealingKey::from_hex(to_hex(raw) + "\n");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->id() == b->id());
  CHECK(b->open(a->seal(kKi, kPlace), kPlace).value() == kKi);
  CHECK_FALSE(SealingKey::from_bytes(random_bytes(16)));
  CHECK_FALSE(SealingKey::from_hex(to_hex(random_bytes(31))));
  CHECK_FALSE(SealingKey::from_hex(std::string(64, 'x')));
}

TEST_CASE("Sealing key files: created 0600, read back, refused when missing, open to others or not a key",
          "[sealing]") {
  test::TempDir dir;
  const auto file = dir.path() / "profile-key";
  ::umask(022);
  auto created = create_sealing_key_file(file);
  REQUIRE(created);
  CHECK(mode_of(file) == 0600);
  const std::string text = test::read_text(file);
  CHECK(text.size() == 65);
  auto read = read_sealing_key_file(file);
  REQUIRE(read);
  CHECK(read->id() == created->id());
  CHECK_FALSE(create_sealing_key_file(file));  // never replaces a key

  auto missing = read_sealing_key_file(dir.path() / "none");
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::Contains("is missing"));

  ::chmod(file.c_str(), 0640);
  auto open_to_others = read_sealing_key_file(file);
  REQUIRE_FALSE(open_to_others);
  CHECK_THAT(open_to_others.error().message, Catch::Contains("0640") && Catch::Contains("chmod 600"));

  const auto junk = dir.path() / "junk-key";
  REQUIRE(files::write_atomic(junk, std::string_view("not a key\n"), files::Access::secret));
  auto not_a_key = read_sealing_key_file(junk);
  REQUIRE_FALSE(not_a_key);
  CHECK_THAT(not_a_key.error().message, Catch::Contains("holds no key"));
  CHECK_THAT(not_a_key.error().message, !Catch::Contains("not a key"));  // the contents are not echoed
}

TEST_CASE("Sealing keys resolved: the variable, a named file, a default file absent", "[sealing]") {
  test::TempDir dir;
  const auto file = dir.path() / "profile-key";
  ::unsetenv("RSP_TEST_SEALING_KEY");

  auto absent = resolve_sealing_key("RSP_TEST_SEALING_KEY", file, false);
  REQUIRE(absent);
  CHECK_FALSE(absent->has_value());
  auto named_absent = resolve_sealing_key("RSP_TEST_SEALING_KEY", file, true);
  REQUIRE_FALSE(named_absent);
  CHECK_THAT(named_absent.error().message, Catch::Contains("is missing"));

  auto created = create_sealing_key_file(file);
  REQUIRE(created);
  auto from_file = resolve_sealing_key("RSP_TEST_SEALING_KEY", file, false);
  REQUIRE(from_file);
  REQUIRE(from_file->has_value());
  CHECK((*from_file)->key.id() == created->id());
  CHECK((*from_file)->origin == file.string());

  const SealingKey other = SealingKey::generate();
  const std::string hex_key = other.to_key_file_text();
  {
    ScopedVariable variable("RSP_TEST_SEALING_KEY", hex_key.c_str());
    auto from_variable = resolve_sealing_key("RSP_TEST_SEALING_KEY", file, false);
    REQUIRE(from_variable);
    CHECK((*from_variable)->key.id() == other.id());
    CHECK((*from_variable)->origin == "$RSP_TEST_SEALING_KEY");
    auto both = resolve_sealing_key("RSP_TEST_SEALING_KEY", file, true);
    REQUIRE_FALSE(both);
    CHECK_THAT(both.error().message, Catch::Contains("give one"));
  }
  {
    ScopedVariable variable("RSP_TEST_SEALING_KEY", "0011");
    auto bad = resolve_sealing_key("RSP_TEST_SEALING_KEY", file, false);
    REQUIRE_FALSE(bad);
    CHECK_THAT(bad.error().message, Catch::Contains("$RSP_TEST_SEALING_KEY holds no key"));
    CHECK_THAT(bad.error().message, !Catch::Contains("0011"));
  }
}

TEST_CASE("Sealing key files: made by several at once, one key wins whole and the others are told", "[sealing]") {
  test::TempDir dir;
  const auto file = dir.path() / "profile-key";
  std::vector<std::optional<Bytes>> made(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < made.size(); ++i)
    threads.emplace_back([&, i] {
      if (auto key = create_sealing_key_file(file)) made[i] = key->id();
    });
  for (auto& t : threads) t.join();
  const auto winners = std::count_if(made.begin(), made.end(), [](const auto& id) { return id.has_value(); });
  CHECK(winners == 1);
  auto read = read_sealing_key_file(file);
  REQUIRE(read);
  CHECK(std::find(made.begin(), made.end(), std::optional(read->id())) != made.end());
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator()) ==
        1);  // no temporary left
}
