#include "rsp/crypto/keys.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <stdexcept>

namespace rsp::crypto {

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

std::string_view group_name(Curve curve) { return curve == Curve::nist_p256 ? "prime256v1" : "brainpoolP256r1"; }

std::string_view short_name(Curve curve) { return curve == Curve::nist_p256 ? "nist" : "brainpool"; }

Expected<Curve> curve_from_name(std::string_view name) {
  if (name == "nist" || name == "prime256v1" || name == "P-256" || name == "secp256r1") return Curve::nist_p256;
  if (name == "brainpool" || name == "brainpoolP256r1") return Curve::brainpool_p256r1;
  return fail("unsupported curve '" + std::string(name) + "' (RSP uses nist or brainpool)");
}

Expected<Curve> curve_of(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return fail("not an elliptic-curve key");
  char name[64] = {};
  size_t len = 0;
  if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len))
    return fail("key has no named curve");
  return curve_from_name(std::string_view(name, len));
}

namespace {

template <class T>
Expected<T> require_rsp_curve(PkeyPtr key) {
  if (!key) return fail("cannot parse key: " + openssl_error());
  auto c = curve_of(key.get());
  if (!c) return Unexpected{c.error()};
  return T(std::move(key), *c);
}

// The uncompressed point of an EC key, public or private.
Bytes encoded_point(EVP_PKEY* key) {
  unsigned char* out = nullptr;
  size_t n = EVP_PKEY_get1_encoded_public_key(key, &out);
  Bytes point(out, out + n);
  OPENSSL_free(out);
  return point;
}

// A parameters-only key per curve, made once and shared: keys made or loaded from a point copy its
// group, where naming the curve again builds the group and its precomputation every time.
EVP_PKEY* curve_parameters(Curve curve) {
  auto make = [](Curve c) {
    std::string group(group_name(c));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_paramgen_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_group_name(ctx.get(), group.c_str()) <= 0 ||
        EVP_PKEY_paramgen(ctx.get(), &raw) <= 0)
      throw std::runtime_error("EC parameters for " + group + ": " + openssl_error());
    return PkeyPtr(raw);
  };
  static const PkeyPtr nist = make(Curve::nist_p256);
  static const PkeyPtr brainpool = make(Curve::brainpool_p256r1);
  return curve == Curve::nist_p256 ? nist.get() : brainpool.get();
}

// A public key from a point on `curve`, checked on the curve unless it is our own key's. Both RSP
// curves have cofactor 1, so a point on the curve other than infinity is in the group: the quick
// check is the whole check (the full one adds a scalar multiplication by the order).
Expected<PkeyPtr> key_from_point(Curve curve, ByteView point, bool check) {
  PkeyPtr key(EVP_PKEY_new());
  if (!key || EVP_PKEY_copy_parameters(key.get(), curve_parameters(curve)) <= 0 ||
      EVP_PKEY_set1_encoded_public_key(key.get(), point.data(), point.size()) <= 0)
    return fail("public key point is not on " + std::string(group_name(curve)) + ": " + openssl_error());
  if (!check) return key;
  PkeyCtxPtr checker(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!checker || EVP_PKEY_public_check_quick(checker.get()) <= 0)
    return fail("public key point is not on " + std::string(group_name(curve)));
  return key;
}

}  // namespace

Expected<PublicKey> PublicKey::from_point(Curve curve, ByteView point) {
  if (point.size() != 65 || point[0] != 0x04) return fail("public key is not an uncompressed 65-byte point");
  auto key = key_from_point(curve, point, true);
  if (!key) return Unexpected{key.error()};
  return PublicKey(std::move(*key), curve);
}

Expected<PublicKey> PublicKey::from_spki_der(ByteView der) {
  const unsigned char* p = der.data();
  PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  return require_rsp_curve<PublicKey>(std::move(key));
}

Expected<PublicKey> PublicKey::from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  return require_rsp_curve<PublicKey>(std::move(key));
}

Bytes PublicKey::point() const { return encoded_point(key_.get()); }

Bytes PublicKey::spki_der() const {
  int n = i2d_PUBKEY(key_.get(), nullptr);
  Bytes der(static_cast<size_t>(n));
  unsigned char* p = der.data();
  i2d_PUBKEY(key_.get(), &p);
  return der;
}

PrivateKey PrivateKey::generate(Curve curve) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, curve_parameters(curve), nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 || EVP_PKEY_keygen(ctx.get(), &raw) <= 0)
    throw std::runtime_error("EC key generation failed: " + openssl_error());
  return PrivateKey(PkeyPtr(raw), curve);
}

Expected<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  return require_rsp_curve<PrivateKey>(std::move(key));
}

Expected<PrivateKey> PrivateKey::from_der(ByteView der) {
  const unsigned char* p = der.data();
  PkeyPtr key(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
  return require_rsp_curve<PrivateKey>(std::move(key));
}

Bytes PrivateKey::point() const { return encoded_point(key_.get()); }

// From the point rather than through SPKI DER: OpenSSL 3's encoders and decoders cost more than
// a signature. The point is this key's own, so it is not checked on the curve again.
PublicKey PrivateKey::public_key() const { return PublicKey(key_from_point(curve_, point(), false).value(), curve_); }

std::string PrivateKey::to_pem() const {
  BioPtr bio(BIO_new(BIO_s_secmem()));  // cleansed when freed
  PEM_write_bio_PKCS8PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<size_t>(n));
  return pem;
}

}  // namespace rsp::crypto
