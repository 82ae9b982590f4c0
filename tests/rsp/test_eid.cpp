#include <catch2/catch.hpp>

#include "rsp/eid.hpp"
#include "support/kit.hpp"

using namespace rsp;

TEST_CASE("EID check digits follow ISO 7064 MOD 97-10") {
  CHECK(eid::valid("89049032123451234512345678901235"));        // SGP.26 test eUICC
  CHECK_FALSE(eid::valid("89049032123451234512345678901335"));  // used in a KDF vector, not a valid EID
  CHECK_FALSE(eid::valid("89049032123451234512345678901299"));
  CHECK_FALSE(eid::valid("8904903212345123451234567890123"));  // 31 digits
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

#include "rsp/iccid.hpp"

TEST_CASE("ICCIDs convert between digits, swapped BCD (5A) and the SAIP header form") {
  // The TS.48 test profile: header 89 49 44 99 99 99 99 90 04 9F, metadata 98 94 44 99 99 99 99 09 40 F9.
  auto swapped = iccid::to_bytes("8949449999999990049");
  REQUIRE(swapped);
  CHECK(to_hex(*swapped) == "989444999999990940F9");
  CHECK(iccid::from_bytes(*swapped).value() == "8949449999999990049");
  auto plain = iccid::to_bytes("8949449999999990049", iccid::Nibbles::plain).value();
  CHECK(to_hex(plain) == "8949449999999990049F");
  CHECK(iccid::from_bytes(plain, iccid::Nibbles::plain).value() == "8949449999999990049");
  CHECK(iccid::to_bytes("8949449999999990049F").value() == *swapped);  // ES2+ padded form
  CHECK(to_hex(iccid::to_bytes("89000000000000000012").value()) == "98000000000000000021");
  CHECK_FALSE(iccid::to_bytes("123"));
  CHECK_FALSE(iccid::to_bytes("894944999999999004A"));
  CHECK_FALSE(iccid::from_bytes(Bytes(9, 0x11)));
  CHECK_FALSE(iccid::from_bytes(rsp::test::hex("98944499999999094AF9")));
  CHECK_FALSE(iccid::from_bytes(rsp::test::hex("9894F499999999094009")));  // padding inside the number
}
