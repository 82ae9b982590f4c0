#include "rsp/crypto/ecdsa.hpp"

#include <openssl/err.h>

#include <stdexcept>

namespace rsp::crypto {

constexpr int kHalf = kPlainSignatureSize / 2;

Expected<Bytes> der_to_plain(ByteView der_signature) {
  const unsigned char* p = der_signature.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_signature.size())));
  if (!sig || p != der_signature.data() + der_signature.size()) return fail("malformed DER ECDSA signature");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  Bytes out(kPlainSignatureSize);
  if (BN_bn2binpad(r, out.data(), kHalf) != kHalf || BN_bn2binpad(s, out.data() + kHalf, kHalf) != kHalf)
    return fail("ECDSA signature component longer than 32 bytes");
  return out;
}

Expected<Bytes> plain_to_der(ByteView plain_signature) {
  if (plain_signature.size() != kPlainSignatureSize) return fail("plain ECDSA signature is not 64 bytes");
  BnPtr r(BN_bin2bn(plain_signature.data(), kHalf, nullptr));
  BnPtr s(BN_bin2bn(plain_signature.data() + kHalf, kHalf, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || !ECDSA_SIG_set0(sig.get(), r.get(), s.get())) return fail("cannot build ECDSA signature");
  r.release();  // now owned by sig
  s.release();
  int n = i2d_ECDSA_SIG(sig.get(), nullptr);
  Bytes der(static_cast<size_t>(n));
  unsigned char* p = der.data();
  i2d_ECDSA_SIG(sig.get(), &p);
  return der;
}

Bytes sign(const PrivateKey& key, ByteView message) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) <= 0 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) <= 0)
    throw std::runtime_error("ECDSA sign failed: " + openssl_error());
  Bytes der(len);
  if (EVP_DigestSign(ctx.get(), der.data(), &len, message.data(), message.size()) <= 0)
    throw std::runtime_error("ECDSA sign failed: " + openssl_error());
  der.resize(len);
  return der_to_plain(der).value();
}

bool verify(const PublicKey& key, ByteView message, ByteView plain_signature) {
  auto der = plain_to_der(plain_signature);
  if (!der) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) <= 0) return false;
  bool ok = EVP_DigestVerify(ctx.get(), der->data(), der->size(), message.data(), message.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

}  // namespace rsp::crypto
