// 3GPP TS 34.108 §8.1.2 test algorithm for authentication: f1, f1*, f2, f3, f4, f5, f5* on XDOUT.
#include "rsp/crypto/test_algorithm.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "require_length.hpp"

namespace rsp::crypto {
namespace {

// XDOUT[0..63] xor CDOUT, CDOUT = SQN || AMF (TS 34.108 §8.1.2.1, for MAC-A and MAC-S alike).
Bytes mac(const std::array<uint8_t, 16>& xdout, ByteView sqn, ByteView amf) {
  require_length("test algorithm", sqn, 6, "SQN");
  require_length("test algorithm", amf, 2, "AMF");
  Bytes out(8);
  for (size_t i = 0; i < 6; ++i) out[i] = static_cast<uint8_t>(xdout[i] ^ sqn[i]);
  for (size_t i = 0; i < 2; ++i) out[6 + i] = static_cast<uint8_t>(xdout[6 + i] ^ amf[i]);
  return out;
}

// XDOUT rotated towards bit 0 by a whole number of bytes.
Bytes rotated(const std::array<uint8_t, 16>& xdout, size_t bytes) {
  Bytes out(xdout.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = xdout[(i + bytes) % xdout.size()];
  return out;
}

// AK = XDOUT[24..71]: bytes 3 to 8.
Bytes anonymity_key(const std::array<uint8_t, 16>& xdout) { return Bytes(xdout.begin() + 3, xdout.begin() + 9); }

}  // namespace

Expected<TestAlgorithm> TestAlgorithm::create(ByteView k) {
  if (k.size() != 16) return fail("test algorithm: K must be 16 bytes");
  Key key;
  std::copy(k.begin(), k.end(), key.begin());
  TestAlgorithm algorithm(key);
  OPENSSL_cleanse(key.data(), key.size());
  return algorithm;
}

TestAlgorithm::TestAlgorithm(TestAlgorithm&& other) noexcept : k_(other.k_) {
  OPENSSL_cleanse(other.k_.data(), other.k_.size());
}

TestAlgorithm& TestAlgorithm::operator=(TestAlgorithm&& other) noexcept {
  if (this != &other) {
    k_ = other.k_;
    OPENSSL_cleanse(other.k_.data(), other.k_.size());
  }
  return *this;
}

TestAlgorithm::~TestAlgorithm() { OPENSSL_cleanse(k_.data(), k_.size()); }

// TS 34.108 §8.1.2.1: XDOUT = K xor RAND.
TestAlgorithm::Key TestAlgorithm::xdout(ByteView rand) const {
  require_length("test algorithm", rand, 16, "RAND");
  Key out;
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(k_[i] ^ rand[i]);
  return out;
}

Bytes TestAlgorithm::f1(ByteView rand, ByteView sqn, ByteView amf) const {
  Key x = xdout(rand);
  Bytes mac_a = mac(x, sqn, amf);
  OPENSSL_cleanse(x.data(), x.size());
  return mac_a;
}

Bytes TestAlgorithm::f1star(ByteView rand, ByteView sqn, ByteView amf) const { return f1(rand, sqn, amf); }

AkaOutputs TestAlgorithm::f2345(ByteView rand) const {
  Key x = xdout(rand);
  AkaOutputs out;
  out.res.assign(x.begin(), x.end());
  out.ck = rotated(x, 1);
  out.ik = rotated(x, 2);
  out.ak = anonymity_key(x);
  OPENSSL_cleanse(x.data(), x.size());
  return out;
}

Bytes TestAlgorithm::f5star(ByteView rand) const {
  Key x = xdout(rand);
  Bytes ak = anonymity_key(x);
  OPENSSL_cleanse(x.data(), x.size());
  return ak;
}

}  // namespace rsp::crypto
