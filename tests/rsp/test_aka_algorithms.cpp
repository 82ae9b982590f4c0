// The algorithm sets behind the AKA procedures (rsp/crypto/aka_functions.hpp): the 3GPP TS 34.108 §8.1.2
// test algorithm on its own, the TS 33.102 §6.3 procedures (vector, AUTHENTICATE, AUTS, resynchronisation)
// run on it exactly as on MILENAGE, and the conversion function c2.
#include <catch2/catch.hpp>

#include <memory>
#include <stdexcept>
#include <vector>

#include "rsp/crypto/aka.hpp"
#include "rsp/crypto/milenage.hpp"
#include "rsp/crypto/test_algorithm.hpp"
#include "support/kit.hpp"

using namespace rsp;
using namespace rsp::crypto;
using rsp::test::hex;

namespace {

// The test algorithm's values below were worked out by hand from TS 34.108 §8.1.2 (and checked with a
// few lines of Python): XDOUT = K xor RAND = 23543ebd9232ae9a2983ec46a24ab13a.
const Bytes kK = hex("000102030405060708090a0b0c0d0e0f");  // the K of the GSMA TS.48 test profiles
const Bytes kRand = hex("23553cbe9637a89d218ae64dae47bf35");
const Bytes kSqn = hex("000000000041");  // SEQ 2, IND 1
const Bytes kAmf = hex("8000");

TestAlgorithm test_algorithm(ByteView k = kK) { return TestAlgorithm::create(k).value(); }

Bytes sqn_of(uint64_t seq, uint64_t ind) { return sqn_bytes((seq << kIndBits) | ind); }

}  // namespace

TEST_CASE("test algorithm: f1 to f5* are XDOUT = K xor RAND cut and rotated", "[test-algorithm]") {
  auto t = test_algorithm();
  auto out = t.f2345(kRand);
  CHECK(to_hex(out.res) == "23543EBD9232AE9A2983EC46A24AB13A");  // XDOUT, n = 128
  CHECK(to_hex(out.ck) == "543EBD9232AE9A2983EC46A24AB13A23");   // XDOUT <<< 8
  CHECK(to_hex(out.ik) == "3EBD9232AE9A2983EC46A24AB13A2354");   // XDOUT <<< 16
  CHECK(to_hex(out.ak) == "BD9232AE9A29");                       // XDOUT[24..71]
  CHECK(to_hex(t.f5star(kRand)) == "BD9232AE9A29");              // f5* = f5
  CHECK(to_hex(t.f1(kRand, kSqn, kAmf)) == "23543EBD92732E9A");  // XDOUT[0..63] xor (SQN || AMF)
  CHECK(to_hex(t.f1star(kRand, kSqn, hex("0000"))) == "23543EBD9273AE9A");
  CHECK(t.f1star(kRand, kSqn, kAmf) == t.f1(kRand, kSqn, kAmf));
  // c2 and c3 on its outputs, as the GSM security context of a test USIM answers.
  CHECK(to_hex(sres_from_res(out.res)) == "3AAFCD5B");
  CHECK(to_hex(kc_from_ck_ik(out.ck, out.ik)) == "0529CB4867BFAADD");
}

TEST_CASE("test algorithm: K must be 16 bytes, and wrong lengths are programming errors", "[test-algorithm]") {
  CHECK_FALSE(TestAlgorithm::create(Bytes(15, 0x11)));
  CHECK_FALSE(TestAlgorithm::create(Bytes(32, 0x11)));
  CHECK_FALSE(TestAlgorithm::create(Bytes{}));
  auto t = test_algorithm();
  CHECK_THROWS_AS(t.f2345(Bytes(15)), std::invalid_argument);
  CHECK_THROWS_AS(t.f1(kRand, Bytes(5), kAmf), std::invalid_argument);
  CHECK_THROWS_AS(t.f1(kRand, kSqn, Bytes(3)), std::invalid_argument);
  // A moved-from instance keeps no key: it computes with K = 0.
  TestAlgorithm moved = std::move(t);
  CHECK(to_hex(moved.f2345(kRand).res) == "23543EBD9232AE9A2983EC46A24AB13A");
  CHECK(t.f2345(kRand).res == kRand);
}

TEST_CASE("AKA on the test algorithm: vector, AUTHENTICATE, replay, AUTS and resynchronisation",
          "[test-algorithm][aka]") {
  auto t = test_algorithm();
  auto av = generate_vector(t, kRand, kSqn, kAmf);
  CHECK(to_hex(av.autn) == "BD9232AE9A68800023543EBD92732E9A");  // SQN xor AK || AMF || MAC-A
  CHECK(av.xres.size() == 16);

  SqnState state;
  auto ok = authenticate(t, av.rand, av.autn, state);
  REQUIRE(ok.outcome == AuthenticateOutcome::success);
  CHECK(ok.res == av.xres);  // all 128 bits of XDOUT
  CHECK(to_hex(ok.kc) == "0529CB4867BFAADD");
  CHECK(state.seq[1] == 2);

  // Replayed: AUTS = SQN_MS xor AK || XDOUT[0..63] xor (SQN_MS || '0000'), and the network recovers SQN_MS.
  auto replay = authenticate(t, av.rand, av.autn, state);
  REQUIRE(replay.outcome == AuthenticateOutcome::synchronisation_failure);
  CHECK(to_hex(replay.auts) == "BD9232AE9A6823543EBD9273AE9A");
  CHECK(resynchronise(t, kRand, replay.auts).value() == kSqn);
  Bytes forged = replay.auts;
  forged[13] ^= 0x01;
  CHECK_FALSE(resynchronise(t, kRand, forged));

  // A tampered AUTN is a MAC failure and changes nothing.
  const SqnState before = state;
  auto next = generate_vector(t, kRand, sqn_of(3, 1), kAmf);
  Bytes tampered = next.autn;
  tampered[15] ^= 0x01;
  CHECK(authenticate(t, next.rand, tampered, state).outcome == AuthenticateOutcome::mac_failure);
  CHECK(state == before);
  CHECK(authenticate(t, next.rand, next.autn, state).outcome == AuthenticateOutcome::success);
  CHECK(state.seq[1] == 3);
}

TEST_CASE("AKA: the SQN checks are the algorithm's no matter which algorithm set runs", "[test-algorithm][aka]") {
  std::vector<std::unique_ptr<AkaFunctions>> algorithms;
  algorithms.push_back(std::make_unique<TestAlgorithm>(test_algorithm()));
  algorithms.push_back(std::make_unique<Milenage>(
      Milenage::create(hex("465b5ce8b199b49faa5f0a2ee238a6bc"), hex("cd63cb71954a9f4e48a5994e37a02baf")).value()));
  auto policy = SqnPolicy::from_saip(hex("02"), hex("000000000010"), hex("000000000004")).value();
  for (const auto& algorithm : algorithms) {
    SqnState state;
    auto run = [&](uint64_t seq, uint64_t ind) {
      auto av = generate_vector(*algorithm, kRand, sqn_of(seq, ind), kAmf);
      return authenticate(*algorithm, av.rand, av.autn, state, policy).outcome;
    };
    CHECK(run(17, 0) == AuthenticateOutcome::synchronisation_failure);  // beyond delta 16
    CHECK(run(10, 0) == AuthenticateOutcome::success);
    CHECK(run(10, 0) == AuthenticateOutcome::synchronisation_failure);  // replayed
    CHECK(run(6, 1) == AuthenticateOutcome::synchronisation_failure);   // 10 - 6 is not below the age limit 4
    CHECK(run(7, 2) == AuthenticateOutcome::success);                   // out of order, within the limit
  }
  // A vector of one algorithm set is a MAC failure on the other.
  auto av = generate_vector(*algorithms[0], kRand, kSqn, kAmf);
  SqnState state;
  CHECK(authenticate(*algorithms[1], av.rand, av.autn, state).outcome == AuthenticateOutcome::mac_failure);
}

TEST_CASE("c2 conversion gives the GSM SRES of TS 55.205 test set 1", "[aka]") {
  // RES of TS 35.208 Test Set 1; SRES of TS 55.205 Test Set 1 (hostap's gsm_test_sets).
  CHECK(to_hex(sres_from_res(hex("a54211d5e3ba50bf"))) == "46F8416A");
  CHECK(to_hex(sres_from_res(hex("01020304"))) == "01020304");
  CHECK(to_hex(sres_from_res(hex("0102030405"))) == "04020304");  // zero-padded to 128 bits first
  CHECK_THROWS_AS(sres_from_res(Bytes(3)), std::invalid_argument);
  CHECK_THROWS_AS(sres_from_res(Bytes(17)), std::invalid_argument);
}
