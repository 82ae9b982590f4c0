#include "rsp/crypto/hmac.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "rsp/crypto/openssl.hpp"

namespace rsp::crypto {

Bytes hmac_sha256(ByteView key, ByteView data) {
  Bytes out(32);
  unsigned int length = 0;
  // HMAC() with a one-byte stand-in: OpenSSL refuses a null key pointer even for an empty key.
  static const uint8_t kEmpty = 0;
  if (!HMAC(EVP_sha256(), key.empty() ? &kEmpty : key.data(), static_cast<int>(key.size()), data.data(), data.size(),
            out.data(), &length) ||
      length != out.size())
    throw std::runtime_error("HMAC-SHA-256 failed: " + openssl_error());
  return out;
}

bool equal_in_constant_time(ByteView a, ByteView b) {
  return a.size() == b.size() && (a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0);
}

}  // namespace rsp::crypto
