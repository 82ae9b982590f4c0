#include <catch2/catch.hpp>

#include "rsp/bytes.hpp"
#include "rsp/files.hpp"
#include "support/kit.hpp"

#include <sys/stat.h>

using namespace rsp;

TEST_CASE("hex round-trips and rejects non-hex text") {
  Bytes b{0x00, 0x5A, 0xBF, 0xFF};
  CHECK(to_hex(b) == "005ABFFF");
  CHECK(from_hex("00 5a:bf\nff") == b);
  CHECK_FALSE(from_hex("0G"));
  CHECK_FALSE(from_hex("ABC"));  // odd number of digits
  CHECK(from_hex("")->empty());
}

TEST_CASE("base64 matches RFC 4648 test vectors, with padding") {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    CHECK(to_base64(to_bytes(plain)) == encoded);
    CHECK(from_base64(encoded) == to_bytes(plain));
  }
  CHECK_FALSE(from_base64("Zm9"));  // not a multiple of 4
  CHECK_FALSE(from_base64("Zm9v!A=="));
}

TEST_CASE("wipe clears secret bytes") {
  Bytes secret{1, 2, 3};
  wipe(secret);
  CHECK(secret.empty());
}

TEST_CASE("write_atomic replaces a file whole and creates secrets 0600") {
  test::TempDir dir;
  auto path = dir.path() / "key.pem";
  REQUIRE(files::write_atomic(path, std::string_view("first"), files::Access::secret));
  REQUIRE(files::write_atomic(path, std::string_view("second"), files::Access::secret));
  CHECK(files::read(path).value() == to_bytes("second"));
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto shared = dir.path() / "cert.pem";
  REQUIRE(files::write_atomic(shared, std::string_view("x")));
  REQUIRE(::stat(shared.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  // No temporary file is left behind.
  int count = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir.path())) count++;
  CHECK(count == 2);
}

TEST_CASE("write_atomic into a missing directory fails with a message and writes nothing") {
  test::TempDir dir;
  auto r = files::write_atomic(dir.path() / "missing" / "f", std::string_view("x"));
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("cannot create") != std::string::npos);
}
