#pragma once
// A DER INTEGER's contents and TLV: the fewest two's-complement bytes (X.690 §8.3), shared by the
// software eUICC's responses and the eIM's packages.
#include <algorithm>
#include <cstdint>

#include "rsp/bytes.hpp"
#include "rsp/tlv.hpp"

namespace rsp::der {

inline Bytes integer_contents(int64_t value) {
  Bytes v;  // least significant first, reversed at the end
  for (;;) {
    uint8_t low = static_cast<uint8_t>(value & 0xFF);
    v.push_back(low);
    value >>= 8;
    if ((value == 0 && !(low & 0x80)) || (value == -1 && (low & 0x80))) break;
  }
  std::reverse(v.begin(), v.end());
  return v;
}

inline Bytes integer(tlv::Tag tag, int64_t value) { return tlv::encode(tag, integer_contents(value)); }

}  // namespace rsp::der
