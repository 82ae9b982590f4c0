#include "rsp/crypto/certificate_cache.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <string>

#include "rsp/lru_cache.hpp"

namespace rsp::crypto {
namespace {

// A few thousand: every CI, EUM and server certificate of a deployment, and the eUICC
// certificates of the downloads under way.
constexpr size_t kRemembered = 4096;

std::string as_key(ByteView bytes) { return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()); }

LruCache<std::string, Certificate>& parsed() {
  static LruCache<std::string, Certificate> cache(kRemembered);
  return cache;
}

// SHA-256 of the certificate's DER, then the issuer key's point: a success for exactly this pair.
LruCache<std::string, bool>& verified() {
  static LruCache<std::string, bool> cache(kRemembered);
  return cache;
}

std::string signature_key(const Certificate& cert, const PublicKey& issuer_key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!X509_digest(cert.get(), EVP_sha256(), digest, &length)) return {};
  return as_key(ByteView(digest, length)) + as_key(issuer_key.point());
}

}  // namespace

std::optional<Certificate> remembered_certificate(ByteView der) { return parsed().find(as_key(der)); }

void remember_certificate(ByteView der, const Certificate& cert) { parsed().put(as_key(der), cert); }

Expected<Certificate> certificate_from_der(ByteView der) {
  if (auto known = remembered_certificate(der)) return std::move(*known);
  auto parsed = Certificate::from_der(der);
  if (parsed && !std::ranges::equal(parsed->der(), der)) return fail("not in DER form");
  return parsed;
}

bool signature_verifies(const Certificate& cert, const PublicKey& issuer_key) {
  std::string key = signature_key(cert, issuer_key);
  if (!key.empty() && verified().find(key)) return true;
  if (!cert.signed_by(issuer_key)) return false;
  if (!key.empty()) verified().put(std::move(key), true);
  return true;
}

}  // namespace rsp::crypto
