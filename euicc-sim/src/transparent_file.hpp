#pragma once
// Transparent EFs as ETSI TS 102 221 serves them, for the EFs of the MF (card.cpp: EF.ICCID) and of the
// ADF.USIM (usim.cpp): the FCP of §11.1.1.3.1 and READ BINARY, §11.1.3.
#include <algorithm>
#include <cstdint>

#include "rsp/apdu.hpp"
#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"
#include "rsp/tlv.hpp"

namespace euicc {

// §11.1.1.3.1: FCP of a transparent EF. `security_attributes` is the value of tag 8B (EF.ARR file id and
// record), left out when empty; a short file identifier of 0 means none.
inline rsp::Bytes transparent_ef_fcp(uint16_t file_id, uint8_t short_file_id, rsp::ByteView security_attributes,
                                     size_t size) {
  using rsp::tlv::encode;
  rsp::Bytes fcp = rsp::concat(
      {encode(0x82, rsp::Bytes{0x41, 0x21}),
       encode(0x83, rsp::Bytes{static_cast<uint8_t>(file_id >> 8), static_cast<uint8_t>(file_id)}),
       encode(0x8A, rsp::Bytes{0x05}), security_attributes.empty() ? rsp::Bytes{} : encode(0x8B, security_attributes),
       encode(0x80, rsp::Bytes{static_cast<uint8_t>(size >> 8), static_cast<uint8_t>(size)}),
       short_file_id == 0 ? rsp::Bytes{} : encode(0x88, rsp::Bytes{static_cast<uint8_t>(short_file_id << 3)})});
  return encode(0x62, fcp);
}

// What a READ BINARY command asks for: the current EF (P1 b8 = 0, offset in P1-P2), or the EF with a short
// file identifier (P1 '100xxxxx', offset in P2), which then becomes the current EF.
struct ReadBinary {
  uint8_t short_file_id = 0;  // 0: the current EF
  size_t offset = 0;
};

inline rsp::Expected<ReadBinary, uint16_t> parse_read_binary(const rsp::apdu::Command& c) {
  namespace sw = rsp::apdu::sw;
  if (!c.data.empty() || !c.le) return rsp::Unexpected{sw::kWrongLength};
  if (!(c.p1 & 0x80)) return ReadBinary{0, static_cast<size_t>(c.p1) << 8 | c.p2};
  if (c.p1 & 0x60) return rsp::Unexpected{sw::kIncorrectP1P2};
  return ReadBinary{static_cast<uint8_t>(c.p1 & 0x1F), c.p2};
}

// The answer to READ BINARY of `content` from `offset`. Le '00' (or extended '0000') asks for what there is;
// an exact Le beyond the end is answered with the right one (6Cxx).
inline rsp::apdu::Response read_binary_response(const rsp::apdu::Command& c, rsp::ByteView content, size_t offset) {
  namespace sw = rsp::apdu::sw;
  if (offset >= content.size()) return rsp::apdu::Response{{}, sw::kWrongP1P2};
  const size_t remaining = content.size() - offset;
  const size_t le = c.le.value_or(0);
  const bool maximum = le == (c.extended ? 65536u : 256u);
  if (le > remaining && !maximum)
    return rsp::apdu::Response{{}, static_cast<uint16_t>(sw::kWrongLe | (remaining > 0xFF ? 0 : remaining))};
  rsp::ByteView answer = content.subspan(offset, std::min(le, remaining));
  return rsp::apdu::Response{rsp::Bytes(answer.begin(), answer.end()), sw::kOk};
}

}  // namespace euicc
