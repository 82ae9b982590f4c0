#include <catch2/catch.hpp>

#include "rsp/confirmation_code.hpp"
#include "support/kit.hpp"

using namespace rsp;

TEST_CASE("hashCc is SHA-256 of SHA-256(code) followed by the raw transactionId") {
  // SHA-256("") and SHA-256("abc") are the FIPS 180-2 examples.
  CHECK(to_hex(sha256(Bytes{})) == "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
  CHECK(to_hex(sha256(to_bytes("abc"))) == "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  auto tid = test::hex("3F67E2634DE3453283890FD8278E4D70");
  // Computed independently with Python's hashlib.
  auto expected = test::hex("66905C4B42FB7C6EBA0D7261B3FCE8752243606E70AB3EF77B2B75AC7E47ADB8");
  CHECK(hash_confirmation_code("12345678", tid) == expected);
  CHECK(hash_confirmation_code("12345679", tid) != expected);
  CHECK(hash_confirmation_code("12345678", test::hex("00")) != expected);
}
