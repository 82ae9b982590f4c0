#pragma once
// The 3GPP authentication and key generation functions of UMTS AKA, 3GPP TS 33.102 §6.3.2: f1 (MAC-A),
// f1* (MAC-S), f2 (RES), f3 (CK), f4 (IK), f5 (AK) and f5* (AK for re-synchronisation). An algorithm set
// provides them: MILENAGE (milenage.hpp, TS 35.206) or the TS 34.108 §8.1.2 test algorithm
// (test_algorithm.hpp). The AKA procedures (aka.hpp: vectors, the USIM's checks, AUTS) are the same for
// every algorithm set and take one through this interface.
#include "rsp/bytes.hpp"

namespace rsp::crypto {

// f2, f3, f4 and f5 of one RAND. Wiped when it goes.
struct AkaOutputs {
  Bytes res;  // f2: 8 bytes for MILENAGE, 16 for the test algorithm
  Bytes ck;   // f3, 16 bytes
  Bytes ik;   // f4, 16 bytes
  Bytes ak;   // f5, 6 bytes
  AkaOutputs() = default;
  AkaOutputs(AkaOutputs&&) = default;
  AkaOutputs& operator=(AkaOutputs&&) = default;
  ~AkaOutputs();
};

// One subscriber's algorithm set, keyed with its K (and whatever else the algorithm takes). The functions
// are const and keep no state between calls. Lengths: RAND 16, SQN 6, AMF 2 bytes; a wrong length is a
// programming error (std::invalid_argument): the procedures of aka.hpp check data from the wire first.
class AkaFunctions {
 public:
  virtual ~AkaFunctions() = default;

  // f1: MAC-A (network authentication code), 8 bytes.
  virtual Bytes f1(ByteView rand, ByteView sqn, ByteView amf) const = 0;
  // f1*: MAC-S (re-synchronisation authentication code), 8 bytes.
  virtual Bytes f1star(ByteView rand, ByteView sqn, ByteView amf) const = 0;
  // f2 (RES), f3 (CK), f4 (IK), f5 (AK).
  virtual AkaOutputs f2345(ByteView rand) const = 0;
  // f5*: AK that conceals SQN_MS in AUTS, 6 bytes.
  virtual Bytes f5star(ByteView rand) const = 0;

 protected:
  AkaFunctions() = default;
  AkaFunctions(const AkaFunctions&) = default;
  AkaFunctions& operator=(const AkaFunctions&) = default;
};

}  // namespace rsp::crypto
