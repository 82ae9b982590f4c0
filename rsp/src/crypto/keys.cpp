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

std::string_view group_name(Curve curve) {
  return curve == Curve::nist_p256 ? "prime256v1" : "brainpoolP256r1";
}

std::string_view short_name(Curve curve) { return curve == Curve::nist_p256 ? "nist" : "brainpool"; }

Expected<Curve> curve_from_name(std::string_view name) {
  if (name == "nist" || name == "prime256v1" || name == "P-256" || name == "secp256r1") return Curve::nist_p256;
  if (name == "brainpool" || name == "brainpoolP256r1") return Curve::brainpool_p256r1;
  return fail("unsupported curve '" + std::string(name) + "' (RSP uses nist or brainpool)");
}

namespace {

Expected<Curve> curve_of(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return fail("not an elliptic-curve key");
  char name[64] = {};
  size_t len = 0;
  if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len))
    return fail("key has no named curve");
  return curve_from_name(std::string_view(name, len));
}

Curve checked_curve(EVP_PKEY* key) {
  auto c = curve_of(key);
  if (!c) throw std::logic_error(c.error().message);  // keys are only constructed after a curve check
  return *c;
}

template <class T>
Expected<T> require_rsp_curve(PkeyPtr key) {
  if (!key) return fail("cannot parse key: " + openssl_error());
  auto c = curve_of(key.get());
  if (!c) return Unexpected{c.error()};
  return T(std::move(key));
}

}  // namespace

Expected<PublicKey> PublicKey::from_point(Curve curve, ByteView point) {
  if (point.size() != 65 || point[0] != 0x04) return fail("public key is not an uncompressed 65-byte point");
  std::string group(group_name(curve));
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<uint8_t*>(point.data()), point.size()),
      OSSL_PARAM_construct_end()};
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) <= 0)
    return fail("public key point is not on " + group + ": " + openssl_error());
  PkeyPtr key(raw);
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) <= 0)
    return fail("public key point is not on " + group);
  return PublicKey(std::move(key));
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

Curve PublicKey::curve() const { return checked_curve(key_.get()); }

Bytes PublicKey::point() const {
  unsigned char* out = nullptr;
  size_t n = EVP_PKEY_get1_encoded_public_key(key_.get(), &out);
  Bytes point(out, out + n);
  OPENSSL_free(out);
  return point;
}

Bytes PublicKey::spki_der() const {
  int n = i2d_PUBKEY(key_.get(), nullptr);
  Bytes der(static_cast<size_t>(n));
  unsigned char* p = der.data();
  i2d_PUBKEY(key_.get(), &p);
  return der;
}

PrivateKey PrivateKey::generate(Curve curve) {
  std::string group(group_name(curve));
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group.c_str()));
  if (!key) throw std::runtime_error("EC key generation failed: " + openssl_error());
  return PrivateKey(std::move(key));
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

Curve PrivateKey::curve() const { return checked_curve(key_.get()); }

PublicKey PrivateKey::public_key() const {
  Bytes der;
  int n = i2d_PUBKEY(key_.get(), nullptr);
  der.resize(static_cast<size_t>(n));
  unsigned char* p = der.data();
  i2d_PUBKEY(key_.get(), &p);
  return std::move(PublicKey::from_spki_der(der).value());
}

std::string PrivateKey::to_pem() const {
  BioPtr bio(BIO_new(BIO_s_secmem()));  // cleansed when freed
  PEM_write_bio_PKCS8PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<size_t>(n));
  return pem;
}

}  // namespace rsp::crypto
