#pragma once
// UMTS authentication and key agreement, 3GPP TS 33.102 §6.3, on any algorithm set (aka_functions.hpp:
// MILENAGE or the TS 34.108 test algorithm): the network side (authentication vectors, §6.3.2, and
// resynchronisation, §6.3.5), the USIM side (§6.3.3, answered as TS 31.102 §7.1.2 AUTHENTICATE in a 3G
// security context), the sequence number scheme of TS 33.102 Annex C.2/C.3 (SQN = SEQ || IND, an array
// of 32 SEQ_MS entries) configured as a SAIP PE-AKAParameter configures it, and the GSM conversion
// functions c2 and c3 (§6.8.1.2).
#include <array>
#include <cstdint>

#include "rsp/bytes.hpp"
#include "rsp/crypto/aka_functions.hpp"
#include "rsp/expected.hpp"

namespace rsp::crypto {

constexpr size_t kSqnLength = 6;  // SQN, AK, AK*
constexpr size_t kAmfLength = 2;
constexpr size_t kRandLength = 16;
constexpr size_t kAutnLength = 16;  // (SQN xor AK) || AMF || MAC-A
constexpr size_t kAutsLength = 14;  // (SQN_MS xor AK*) || MAC-S
constexpr unsigned kIndBits = 5;    // SAIP: sqnInit has 32 entries, so IND is 5 bits
constexpr size_t kSqnArraySize = 1u << kIndBits;
constexpr uint64_t kSqnMax = (uint64_t{1} << 48) - 1;
constexpr uint64_t kSeqMax = kSqnMax >> kIndBits;  // SAIP: '07FFFFFFFFFF'

// 48-bit SQN <-> its 6-byte big-endian form.
uint64_t sqn_value(ByteView sqn);  // std::invalid_argument unless 6 bytes
Bytes sqn_bytes(uint64_t sqn);     // std::invalid_argument above 2^48 - 1

// TS 33.102 Annex C.2 parameters as a SAIP PE-AKAParameter carries them (defaults are the SAIP defaults).
struct SqnPolicy {
  // sqnOptions, kept as given. It is not interpreted here: this scheme always uses a 5-bit IND and
  // applies both the delta (wrap-around) check and the age-limit check.
  uint8_t options = 0x02;
  uint64_t delta = uint64_t{1} << 28;      // sqnDelta '000010000000': a SEQ at most this far above SEQ_MS
  uint64_t age_limit = uint64_t{1} << 28;  // sqnAgeLimit '000010000000': a SEQ less than this far below SEQ_MS

  // sqnOptions (1 byte), sqnDelta and sqnAgeLimit (6 bytes each, at most '07FFFFFFFFFF').
  static Expected<SqnPolicy> from_saip(ByteView sqn_options, ByteView sqn_delta, ByteView sqn_age_limit);
};

// The USIM's sequence number state, TS 33.102 Annex C.2.1: SEQ_MS(i) for IND = i, i = 0..31. A plain
// value: the caller persists it after every AUTHENTICATE that changed it.
struct SqnState {
  std::array<uint64_t, kSqnArraySize> seq{};  // SEQ only, without IND (as SAIP sqnInit holds them)

  // SQN_MS: the highest previously accepted sequence number anywhere in the array, SEQ_MS || IND.
  uint64_t highest_sqn() const;

  // 32 x 6 bytes big-endian, entry 0 first: the same form as the SAIP sqnInit values concatenated.
  Bytes encode() const;
  static Expected<SqnState> decode(ByteView encoded);

  bool operator==(const SqnState&) const = default;
};

// Network side, TS 33.102 §6.3.2.
struct AuthenticationVector {
  Bytes rand;  // 16 bytes
  Bytes autn;  // (SQN xor AK) || AMF || MAC-A, 16 bytes
  Bytes xres;  // f2, 8 bytes
  Bytes ck;    // f3, 16 bytes
  Bytes ik;    // f4, 16 bytes
  AuthenticationVector() = default;
  AuthenticationVector(AuthenticationVector&&) = default;
  AuthenticationVector& operator=(AuthenticationVector&&) = default;
  ~AuthenticationVector();
};

// RAND 16, SQN 6, AMF 2 bytes (std::invalid_argument otherwise: the network chooses all three).
AuthenticationVector generate_vector(const AkaFunctions& algorithm, ByteView rand, ByteView sqn, ByteView amf);

// Network side of re-synchronisation, TS 33.102 §6.3.5: recovers SQN_MS = Conc(SQN_MS) xor f5*(RAND)
// and checks MAC-S = f1*(SQN_MS || RAND || AMF '0000'). Returns SQN_MS (6 bytes).
Expected<Bytes> resynchronise(const AkaFunctions& algorithm, ByteView rand, ByteView auts);

// USIM side, TS 33.102 §6.3.3.
enum class AuthenticateOutcome {
  success,                  // RES, CK, IK, Kc; TS 31.102 response tag 'DB'
  synchronisation_failure,  // AUTS; TS 31.102 response tag 'DC'
  mac_failure,              // nothing; TS 31.102 status word 98 62
  malformed,                // RAND or AUTN of the wrong length (caller answers wrong length)
};

struct AuthenticateResult {
  AuthenticateOutcome outcome = AuthenticateOutcome::malformed;
  Bytes res;   // f2, 8 bytes for MILENAGE, 16 for the test algorithm (success)
  Bytes ck;    // f3, 16 bytes (success)
  Bytes ik;    // f4, 16 bytes (success)
  Bytes kc;    // c3(CK, IK), 8 bytes (success); the USIM returns it only when GSM access is offered
  Bytes auts;  // 14 bytes (synchronisation_failure)
  AuthenticateResult() = default;
  AuthenticateResult(AuthenticateResult&&) = default;
  AuthenticateResult& operator=(AuthenticateResult&&) = default;
  ~AuthenticateResult();
};

// Recovers SQN with AK, verifies MAC-A, then checks SQN freshness against `state` (Annex C.2). Only a
// success changes `state` (SEQ_MS(IND) := SEQ); every failure leaves it as it was.
AuthenticateResult authenticate(const AkaFunctions& algorithm, ByteView rand, ByteView autn, SqnState& state,
                                const SqnPolicy& policy = {});

// Conversion function c2, TS 33.102 §6.8.1.2: SRES = RES1 xor RES2 xor RES3 xor RES4, the 32-bit blocks of
// RES padded with zeros to 128 bits. RES of 4 to 16 bytes; SRES is 4 bytes.
Bytes sres_from_res(ByteView res);

// Conversion function c3, TS 33.102 §6.8.1.2: Kc = CK1 xor CK2 xor IK1 xor IK2 (64-bit halves).
Bytes kc_from_ck_ik(ByteView ck, ByteView ik);

}  // namespace rsp::crypto
