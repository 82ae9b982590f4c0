#include "rsp/eid.hpp"

#include <algorithm>

namespace rsp::eid {
namespace {

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

unsigned mod97(std::string_view digits) {
  unsigned r = 0;
  for (char c : digits) r = (r * 10 + static_cast<unsigned>(c - '0')) % 97;
  return r;
}

}  // namespace

bool valid(std::string_view eid) { return eid.size() == 32 && all_digits(eid) && mod97(eid) == 1; }

Expected<std::string> check_digits(std::string_view first30) {
  if (first30.size() != 30 || !all_digits(first30)) return fail("EID prefix must be 30 decimal digits");
  unsigned check = 98 - mod97(std::string(first30) + "00");
  return std::string{static_cast<char>('0' + check / 10), static_cast<char>('0' + check % 10)};
}

Expected<std::string> complete(std::string_view first30) {
  auto c = check_digits(first30);
  if (!c) return Unexpected{c.error()};
  return std::string(first30) + *c;
}

Expected<Bytes> to_bytes(std::string_view eid) {
  if (eid.size() != 32 || !all_digits(eid)) return fail("EID must be 32 decimal digits");
  Bytes out;
  for (size_t i = 0; i < 32; i += 2) out.push_back(static_cast<uint8_t>((eid[i] - '0') << 4 | (eid[i + 1] - '0')));
  return out;
}

Expected<std::string> from_bytes(ByteView bytes) {
  if (bytes.size() != 16) return fail("EID must be 16 bytes");
  std::string out;
  for (uint8_t b : bytes) {
    if ((b >> 4) > 9 || (b & 0x0F) > 9) return fail("EID byte is not two decimal digits");
    out.push_back(static_cast<char>('0' + (b >> 4)));
    out.push_back(static_cast<char>('0' + (b & 0x0F)));
  }
  return out;
}

}  // namespace rsp::eid
