#pragma once
// The test algorithm for UMTS authentication, 3GPP TS 34.108 §8.1.2: the algorithm set of the test USIM
// (the GSMA TS.48 test profiles run it; SAIP algorithmID usim-test-algorithm). It is XOR, not a
// cryptographic algorithm: with XDOUT = K xor RAND,
//   f1 = XDOUT[0..63] xor (SQN || AMF)   f1* = f1 (MAC-S over SQN_MS || AMF '0000')
//   f2 = XDOUT (RES, n = 128 bits)        f5 = f5* = XDOUT[24..71]
//   f3 = XDOUT <<< 8 (CK)                 f4 = XDOUT <<< 16 (IK)
// where bit 0 is the most significant bit of the first byte and <<< rotates towards it.
#include <array>
#include <cstdint>

#include "rsp/bytes.hpp"
#include "rsp/crypto/aka_functions.hpp"
#include "rsp/expected.hpp"

namespace rsp::crypto {

// One subscriber's K; wiped when the object goes (and when it is moved from).
class TestAlgorithm final : public AkaFunctions {
 public:
  // K, 16 bytes.
  static Expected<TestAlgorithm> create(ByteView k);

  TestAlgorithm(const TestAlgorithm&) = delete;
  TestAlgorithm& operator=(const TestAlgorithm&) = delete;
  TestAlgorithm(TestAlgorithm&& other) noexcept;
  TestAlgorithm& operator=(TestAlgorithm&& other) noexcept;
  ~TestAlgorithm() override;

  Bytes f1(ByteView rand, ByteView sqn, ByteView amf) const override;
  Bytes f1star(ByteView rand, ByteView sqn, ByteView amf) const override;
  AkaOutputs f2345(ByteView rand) const override;
  Bytes f5star(ByteView rand) const override;

 private:
  using Key = std::array<uint8_t, 16>;
  explicit TestAlgorithm(const Key& k) : k_(k) {}
  Key xdout(ByteView rand) const;
  Key k_{};
};

}  // namespace rsp::crypto
