#pragma once
// Reading and filling asn1c's primitive structures (OCTET STRING, INTEGER, BOOLEAN ...) without
// touching asn1c's allocators outside this layer.
#include <INTEGER.h>
#include <OCTET_STRING.h>
#include <asn_application.h>

#include <optional>
#include <string>

#include "rsp/bytes.hpp"

namespace rsp::asn1 {

inline ByteView view(const OCTET_STRING_t& s) { return {s.buf, static_cast<size_t>(s.size)}; }
inline Bytes octets(const OCTET_STRING_t& s) { return Bytes(s.buf, s.buf + s.size); }
inline std::string text(const OCTET_STRING_t& s) { return std::string(reinterpret_cast<const char*>(s.buf), s.size); }
void set_octets(OCTET_STRING_t& s, ByteView bytes);

std::optional<long> to_long(const INTEGER_t& i);

}  // namespace rsp::asn1
