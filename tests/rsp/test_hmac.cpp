#include <catch2/catch.hpp>

#include "rsp/crypto/hmac.hpp"
#include "support/kit.hpp"

using namespace rsp;

TEST_CASE("HMAC-SHA-256: RFC 4231's test cases", "[crypto]") {
  // Test case 1: a 20-byte key of 0b, "Hi There".
  CHECK(to_hex(crypto::hmac_sha256(Bytes(20, 0x0B), to_bytes("Hi There"))) ==
        "B0344C61D8DB38535CA8AFCEAF0BF12B881DC200C9833DA726E9376C2E32CFF7");
  // Test case 2: a key shorter than the output, "Jefe".
  CHECK(to_hex(crypto::hmac_sha256(to_bytes("Jefe"), to_bytes("what do ya want for nothing?"))) ==
        "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843");
  // Test case 6: a 131-byte key, longer than SHA-256's block, is hashed first.
  CHECK(to_hex(crypto::hmac_sha256(Bytes(131, 0xAA),
                                   to_bytes("Test Using Larger Than Block-Size Key - Hash Key First"))) ==
        "60E431591EE0B67F0D8A26AACBF5B77F8E0BC6213728C5140546040F0EE37F54");
  // An empty key is a key (RFC 2104 pads it with zeros), not an error.
  CHECK(crypto::hmac_sha256(Bytes{}, to_bytes("x")).size() == 32);
  CHECK(crypto::hmac_sha256(Bytes{}, to_bytes("x")) != crypto::hmac_sha256(Bytes{0x01}, to_bytes("x")));
}

TEST_CASE("equal_in_constant_time compares bytes and lengths", "[crypto]") {
  CHECK(crypto::equal_in_constant_time(test::hex("0102"), test::hex("0102")));
  CHECK_FALSE(crypto::equal_in_constant_time(test::hex("0102"), test::hex("0103")));
  CHECK_FALSE(crypto::equal_in_constant_time(test::hex("0102"), test::hex("010203")));
  CHECK(crypto::equal_in_constant_time(Bytes{}, Bytes{}));
}
