#pragma once
// Elliptic-curve keys on the two RSP curves (SGP.22 v2.5 §2.6.5: NIST P-256, brainpoolP256r1).
#include <string>
#include <string_view>

#include "rsp/bytes.hpp"
#include "rsp/crypto/openssl.hpp"
#include "rsp/expected.hpp"

namespace rsp::crypto {

enum class Curve { nist_p256, brainpool_p256r1 };

// OpenSSL's group name: "prime256v1" or "brainpoolP256r1".
std::string_view group_name(Curve curve);
// Our short names, as the tools take them: "nist" or "brainpool".
std::string_view short_name(Curve curve);
Expected<Curve> curve_from_name(std::string_view name);  // short or OpenSSL name
// The RSP curve of an OpenSSL key; an error for another key type or curve.
Expected<Curve> curve_of(EVP_PKEY* key);

class PublicKey {
 public:
  // `key` is an EC key on `curve` (the factories check that).
  PublicKey(PkeyPtr key, Curve curve) : key_(std::move(key)), curve_(curve) {}
  // From an uncompressed point 04||X||Y (as in 5F49 one-time keys).
  static Expected<PublicKey> from_point(Curve curve, ByteView point);
  static Expected<PublicKey> from_spki_der(ByteView der);
  static Expected<PublicKey> from_pem(std::string_view pem);

  Curve curve() const { return curve_; }
  Bytes point() const;  // uncompressed 04||X||Y
  Bytes spki_der() const;
  EVP_PKEY* get() const { return key_.get(); }

 private:
  PkeyPtr key_;
  Curve curve_;  // kept: OpenSSL 3 answers the group name through a parameter query each time
};

class PrivateKey {
 public:
  PrivateKey(PkeyPtr key, Curve curve) : key_(std::move(key)), curve_(curve) {}
  static PrivateKey generate(Curve curve);
  static Expected<PrivateKey> from_pem(std::string_view pem);
  static Expected<PrivateKey> from_der(ByteView der);  // PKCS#8 or SEC1

  Curve curve() const { return curve_; }
  PublicKey public_key() const;
  Bytes point() const;         // uncompressed 04||X||Y
  std::string to_pem() const;  // PKCS#8 PEM
  EVP_PKEY* get() const { return key_.get(); }

 private:
  PkeyPtr key_;
  Curve curve_;
};

}  // namespace rsp::crypto
