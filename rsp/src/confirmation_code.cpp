#include "rsp/confirmation_code.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace rsp {

Bytes sha256(ByteView data) {
  Bytes out(32);
  unsigned int len = 0;
  if (!EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr))
    throw std::runtime_error("SHA-256 failed");
  return out;
}

Bytes hash_confirmation_code(std::string_view code, ByteView transaction_id) {
  Bytes inner = sha256(to_bytes(code));
  Bytes h = sha256(concat({inner, transaction_id}));
  wipe(inner);
  return h;
}

}  // namespace rsp
