#include "rsp/asn1/primitives.hpp"

#include <stdexcept>

namespace rsp::asn1 {

void set_octets(OCTET_STRING_t& s, ByteView bytes) {
  static const uint8_t empty = 0;
  const uint8_t* data = bytes.empty() ? &empty : bytes.data();
  if (OCTET_STRING_fromBuf(&s, reinterpret_cast<const char*>(data), static_cast<int>(bytes.size())) != 0)
    throw std::bad_alloc();
}

std::optional<long> to_long(const INTEGER_t& i) {
  long v = 0;
  if (asn_INTEGER2long(&i, &v) != 0) return std::nullopt;
  return v;
}

}  // namespace rsp::asn1
