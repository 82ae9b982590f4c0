#pragma once
// Response checks shared by the card's function tests: a response must decode as its ASN.1 type
// and re-encode to the very same bytes (DER, nothing dropped).
#include <catch2/catch.hpp>

#include "rsp/asn1/codec.hpp"
#include "rsp/asn1/primitives.hpp"

namespace euicc::test {

template <class T>
rsp::asn1::Decoded<T> schema(const asn_TYPE_descriptor_t& type, const rsp::Bytes& bytes) {
  auto decoded = rsp::asn1::decode_as<T>(type, bytes);
  if (!decoded) FAIL(decoded.error().message() << " in " << rsp::to_hex(bytes));
  auto encoded = rsp::asn1::encode(decoded->value());
  REQUIRE(encoded);
  CHECK(rsp::to_hex(*encoded) == rsp::to_hex(bytes));
  return std::move(*decoded);
}

inline long integer(const INTEGER_t& i) {
  auto v = rsp::asn1::to_long(i);
  REQUIRE(v);
  return *v;
}

}  // namespace euicc::test
