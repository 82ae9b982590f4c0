#pragma once
// The shape every ES10 function of the ISD-R has: the decoded command TLV in, the response TLV
// out, or a status word when the command cannot be processed at all.
#include <algorithm>

#include "card_context.hpp"
#include "rsp/apdu.hpp"
#include "rsp/der_integer.hpp"
#include "rsp/tlv.hpp"

namespace euicc {

using Es10Result = rsp::Expected<Bytes, uint16_t>;
using rsp::tlv::Tlv;

inline Bytes bytes_of(ByteView v) { return Bytes(v.begin(), v.end()); }

// Encodes a constructed or primitive TLV (shorthand for the response builders).
inline Bytes tlv(rsp::tlv::Tag tag, ByteView value) { return rsp::tlv::encode(tag, value); }
inline Bytes tlv(rsp::tlv::Tag tag, std::initializer_list<ByteView> parts) {
  return rsp::tlv::encode(tag, rsp::concat(parts));
}
// A DER INTEGER value in the fewest two's-complement bytes.
inline Bytes tlv_integer(rsp::tlv::Tag tag, long value) { return rsp::der::integer(tag, value); }
// `tag { 80 code }`: the shape of most ES10 responses that carry only a result code.
inline Bytes result_tlv(rsp::tlv::Tag tag, long code) { return tlv(tag, tlv_integer(0x80, code)); }

}  // namespace euicc

namespace euicc {

// DER BIT STRING contents for named bits (bit 0 = most significant bit of the first byte).
inline Bytes bit_string(std::initializer_list<int> bits) {
  int highest = -1;
  for (int b : bits) highest = std::max(highest, b);
  if (highest < 0) return {0x00};
  Bytes v(1 + static_cast<size_t>(highest / 8 + 1), 0);
  for (int b : bits) v[1 + static_cast<size_t>(b / 8)] |= static_cast<uint8_t>(0x80 >> (b % 8));
  v[0] = static_cast<uint8_t>(7 - highest % 8);  // unused bits in the last byte
  return v;
}

// An unsigned value in the fewest big-endian bytes (at least one).
inline Bytes unsigned_bytes(uint64_t value) {
  Bytes v;
  do {
    v.push_back(static_cast<uint8_t>(value & 0xFF));
    value >>= 8;
  } while (value);
  std::reverse(v.begin(), v.end());
  return v;
}

}  // namespace euicc
