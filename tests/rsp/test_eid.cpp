#include <catch2/catch.hpp>

#include "rsp/eid.hpp"

using namespace rsp;

TEST_CASE("EID check digits follow ISO 7064 MOD 97-10") {
  CHECK(eid::valid("89049032123451234512345678901235"));        // SGP.26 test eUICC
  CHECK_FALSE(eid::valid("89049032123451234512345678901335"));  // used in a KDF vector, not a valid EID
  CHECK_FALSE(eid::valid("89049032123451234512345678901299"));
  CHECK_FALSE(eid::valid("8904903212345123451234567890123"));   // 31 digits
  CHECK_FALSE(eid::valid("8904903212345123451234567890123A"));
  CHECK(eid::check_digits("890490321234512345123456789012").value() == "35");
  CHECK(eid::complete("890490320000000000000000000001").value().size() == 32);
  CHECK(eid::valid(eid::complete("890490320000000000000000000001").value()));
  CHECK_FALSE(eid::check_digits("12345"));
}

TEST_CASE("EID converts to and from its 16-byte form") {
  auto bytes = eid::to_bytes("89049032123451234512345678901235");
  REQUIRE(bytes);
  CHECK(to_hex(*bytes) == "89049032123451234512345678901235");
  CHECK(eid::from_bytes(*bytes).value() == "89049032123451234512345678901235");
  CHECK_FALSE(eid::from_bytes(Bytes(15, 0x11)));
  CHECK_FALSE(eid::from_bytes(Bytes(16, 0xAF)));
}
