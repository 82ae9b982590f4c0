#pragma once
// Byte strings and their two text forms (hex, base64).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rsp {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

// Upper-case hex, no separators.
std::string to_hex(ByteView bytes);
// Accepts upper/lower case and ignores spaces, colons and newlines; nullopt on anything else.
std::optional<Bytes> from_hex(std::string_view text);

// Standard base64 with padding (RFC 4648 §4), as ES9+ and ES2+ JSON use it.
std::string to_base64(ByteView bytes);
std::optional<Bytes> from_base64(std::string_view text);

inline Bytes concat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// `n` bytes from OpenSSL's CSPRNG (challenges, transaction ids, keys); aborts if it has no entropy.
Bytes random_bytes(size_t n);

// Overwrites secret material before it is released.
void wipe(Bytes& secret);

}  // namespace rsp
