#include "rsp/iccid.hpp"

namespace rsp::iccid {

Expected<std::string> normalise(std::string_view text) {
  std::string digits(text);
  if (!digits.empty() && (digits.back() == 'F' || digits.back() == 'f')) digits.pop_back();
  if (digits.size() < 18 || digits.size() > 20) return fail("ICCID must have 18 to 20 digits");
  for (char c : digits)
    if (c < '0' || c > '9') return fail("ICCID holds a character that is not a digit");
  return digits;
}

Expected<Bytes> to_bytes(std::string_view text, Nibbles order) {
  auto digits = normalise(text);
  if (!digits) return Unexpected{digits.error()};
  Bytes out(10, 0xFF);
  for (size_t i = 0; i < digits->size(); ++i) {
    uint8_t d = static_cast<uint8_t>((*digits)[i] - '0');
    bool first_of_pair = i % 2 == 0;
    bool low = (order == Nibbles::swapped) == first_of_pair;
    uint8_t& b = out[i / 2];
    b = low ? static_cast<uint8_t>((b & 0xF0) | d) : static_cast<uint8_t>((b & 0x0F) | d << 4);
  }
  return out;
}

Expected<std::string> from_bytes(ByteView bytes, Nibbles order) {
  if (bytes.size() != 10) return fail("ICCID must be 10 bytes");
  std::string digits;
  bool padded = false;
  for (uint8_t b : bytes) {
    uint8_t first = order == Nibbles::swapped ? b & 0x0F : b >> 4;
    uint8_t second = order == Nibbles::swapped ? b >> 4 : b & 0x0F;
    for (uint8_t d : {first, second}) {
      if (padded) return fail("ICCID has digits after its F padding");
      if (d == 0xF) {
        padded = true;  // padding may only end the number
        continue;
      }
      if (d > 9) return fail("ICCID byte is not BCD");
      digits.push_back(static_cast<char>('0' + d));
    }
  }
  return normalise(digits);
}

}  // namespace rsp::iccid
