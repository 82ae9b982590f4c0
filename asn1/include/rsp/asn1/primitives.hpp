#pragma once
// Reading and filling asn1c's primitive structures (OCTET STRING, INTEGER, BOOLEAN ...) without
// touching asn1c's allocators outside this layer.
#include <asn_application.h>
#include <INTEGER.h>
#include <OCTET_STRING.h>

#include <cstdlib>
#include <new>
#include <optional>
#include <string>

#include "rsp/bytes.hpp"

namespace rsp::asn1 {

inline ByteView view(const OCTET_STRING_t& s) { return {s.buf, static_cast<size_t>(s.size)}; }
inline Bytes octets(const OCTET_STRING_t& s) { return Bytes(s.buf, s.buf + s.size); }
inline std::string text(const OCTET_STRING_t& s) { return std::string(reinterpret_cast<const char*>(s.buf), s.size); }
void set_octets(OCTET_STRING_t& s, ByteView bytes);
inline void set_text(OCTET_STRING_t& s, std::string_view t) {
  set_octets(s, ByteView(reinterpret_cast<const uint8_t*>(t.data()), t.size()));
}

std::optional<long> to_long(const INTEGER_t& i);
void set_long(INTEGER_t& i, long value);

// A zero-filled member structure (OPTIONAL members and list elements are pointers);
// it is freed with the enclosing Value.
template <class T>
T* allocate() {
  void* p = std::calloc(1, sizeof(T));
  if (!p) throw std::bad_alloc();
  return static_cast<T*>(p);
}

}  // namespace rsp::asn1
