// 3GPP TS 33.102 §6.3 authentication and key agreement, Annex C.2 sequence number freshness,
// §6.8.1.2 conversion functions c2 and c3.
#include "rsp/crypto/aka.hpp"

#include "require_length.hpp"
#include "rsp/crypto/hmac.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace rsp::crypto {
namespace {

const Bytes kResynchronisationAmf{0x00, 0x00};  // TS 33.102 §6.3.3: dummy AMF of MAC-S

Bytes xor_bytes(ByteView a, ByteView b) {
  Bytes out(a.size());
  for (size_t i = 0; i < a.size(); ++i) out[i] = static_cast<uint8_t>(a[i] ^ b[i]);
  return out;
}

Expected<uint64_t> saip_sqn_parameter(ByteView v, const char* what) {
  if (v.size() != kSqnLength) return fail(std::string("AKA: ") + what + " must be 6 bytes");
  uint64_t value = sqn_value(v);
  if (value > kSeqMax) return fail(std::string("AKA: ") + what + " above '07FFFFFFFFFF'");
  return value;
}

// TS 33.102 Annex C.2: is SQN fresh for this array?
bool fresh(uint64_t sqn, const SqnState& state, const SqnPolicy& policy) {
  const uint64_t seq = sqn >> kIndBits;
  const size_t ind = static_cast<size_t>(sqn & (kSqnArraySize - 1));
  const uint64_t seq_ms = state.highest_sqn() >> kIndBits;        // the highest SEQ anywhere in the array
  if (seq <= state.seq[ind]) return false;                        // C.2.1 b): replayed or out of order for this IND
  if (seq > seq_ms && seq - seq_ms > policy.delta) return false;  // C.2.2: too far ahead (wrap-around)
  if (seq < seq_ms && seq_ms - seq >= policy.age_limit) return false;  // C.2.1: older than the age limit L
  return true;
}

}  // namespace

uint64_t sqn_value(ByteView sqn) {
  require_length("AKA", sqn, kSqnLength, "SQN");
  uint64_t v = 0;
  for (uint8_t b : sqn) v = (v << 8) | b;
  return v;
}

Bytes sqn_bytes(uint64_t sqn) {
  if (sqn > kSqnMax) throw std::invalid_argument("AKA: SQN above 2^48 - 1");
  Bytes out(kSqnLength);
  for (size_t i = 0; i < kSqnLength; ++i) out[kSqnLength - 1 - i] = static_cast<uint8_t>(sqn >> (8 * i));
  return out;
}

Expected<SqnPolicy> SqnPolicy::from_saip(ByteView sqn_options, ByteView sqn_delta, ByteView sqn_age_limit) {
  if (sqn_options.size() != 1) return fail("AKA: sqnOptions must be 1 byte");
  auto delta = saip_sqn_parameter(sqn_delta, "sqnDelta");
  if (!delta) return Unexpected{delta.error()};
  auto age_limit = saip_sqn_parameter(sqn_age_limit, "sqnAgeLimit");
  if (!age_limit) return Unexpected{age_limit.error()};
  SqnPolicy policy;
  policy.options = sqn_options[0];
  policy.delta = *delta;
  policy.age_limit = *age_limit;
  return policy;
}

uint64_t SqnState::highest_sqn() const {
  uint64_t best = 0;
  for (size_t i = 0; i < kSqnArraySize; ++i) {
    // Entry i was accepted with IND = i, so SEQ_MS(i) || i is the sequence number accepted there.
    uint64_t sqn = (seq[i] << kIndBits) | i;
    if (seq[i] != 0 && sqn > best) best = sqn;
  }
  return best;
}

Bytes SqnState::encode() const {
  Bytes out;
  out.reserve(kSqnArraySize * kSqnLength);
  for (uint64_t s : seq) {
    Bytes entry = sqn_bytes(s);
    out.insert(out.end(), entry.begin(), entry.end());
  }
  return out;
}

Expected<SqnState> SqnState::decode(ByteView encoded) {
  if (encoded.size() != kSqnArraySize * kSqnLength) return fail("AKA: SQN state must be 32 entries of 6 bytes");
  SqnState state;
  for (size_t i = 0; i < kSqnArraySize; ++i) {
    auto seq = saip_sqn_parameter(encoded.subspan(i * kSqnLength, kSqnLength), "SQN state entry");
    if (!seq) return Unexpected{seq.error()};
    state.seq[i] = *seq;
  }
  return state;
}

AkaOutputs::~AkaOutputs() {
  wipe(res);
  wipe(ck);
  wipe(ik);
  wipe(ak);
}

AuthenticationVector::~AuthenticationVector() {
  wipe(xres);
  wipe(ck);
  wipe(ik);
}

// TS 33.102 §6.3.2: AUTN = SQN xor AK || AMF || MAC, MAC = f1(SQN || RAND || AMF).
AuthenticationVector generate_vector(const AkaFunctions& algorithm, ByteView rand, ByteView sqn, ByteView amf) {
  require_length("AKA", rand, kRandLength, "RAND");
  require_length("AKA", sqn, kSqnLength, "SQN");
  require_length("AKA", amf, kAmfLength, "AMF");
  AkaOutputs keys = algorithm.f2345(rand);
  AuthenticationVector av;
  av.rand.assign(rand.begin(), rand.end());
  av.autn = concat({xor_bytes(sqn, keys.ak), amf, algorithm.f1(rand, sqn, amf)});
  av.xres = std::move(keys.res);
  av.ck = std::move(keys.ck);
  av.ik = std::move(keys.ik);
  return av;
}

// TS 33.102 §6.3.5 (HE/AuC side of re-synchronisation).
Expected<Bytes> resynchronise(const AkaFunctions& algorithm, ByteView rand, ByteView auts) {
  if (rand.size() != kRandLength) return fail("resynchronisation: RAND must be 16 bytes");
  if (auts.size() != kAutsLength) return fail("resynchronisation: AUTS must be 14 bytes");
  Bytes sqn_ms = xor_bytes(auts.first(kSqnLength), algorithm.f5star(rand));
  Bytes xmac_s = algorithm.f1star(rand, sqn_ms, kResynchronisationAmf);
  if (!equal_in_constant_time(xmac_s, auts.subspan(kSqnLength))) return fail("resynchronisation: MAC-S mismatch");
  return sqn_ms;
}

AuthenticateResult::~AuthenticateResult() {
  wipe(res);
  wipe(ck);
  wipe(ik);
  wipe(kc);
}

// TS 33.102 §6.3.3 (USIM side); results as TS 31.102 §7.1.2 AUTHENTICATE returns them.
AuthenticateResult authenticate(const AkaFunctions& algorithm, ByteView rand, ByteView autn, SqnState& state,
                                const SqnPolicy& policy) {
  AuthenticateResult result;
  if (rand.size() != kRandLength || autn.size() != kAutnLength) return result;  // malformed

  ByteView concealed_sqn = autn.first(kSqnLength);
  ByteView amf = autn.subspan(kSqnLength, kAmfLength);
  ByteView mac = autn.subspan(kSqnLength + kAmfLength);

  AkaOutputs keys = algorithm.f2345(rand);
  Bytes sqn = xor_bytes(concealed_sqn, keys.ak);
  if (!equal_in_constant_time(algorithm.f1(rand, sqn, amf), mac)) {
    result.outcome = AuthenticateOutcome::mac_failure;
    return result;
  }

  const uint64_t sqn_number = sqn_value(sqn);
  if (!fresh(sqn_number, state, policy)) {
    // AUTS = SQN_MS xor f5*(RAND) || f1*(SQN_MS || RAND || AMF '0000').
    Bytes sqn_ms = sqn_bytes(state.highest_sqn());
    result.outcome = AuthenticateOutcome::synchronisation_failure;
    result.auts =
        concat({xor_bytes(sqn_ms, algorithm.f5star(rand)), algorithm.f1star(rand, sqn_ms, kResynchronisationAmf)});
    return result;
  }

  state.seq[sqn_number & (kSqnArraySize - 1)] = sqn_number >> kIndBits;
  result.outcome = AuthenticateOutcome::success;
  result.kc = kc_from_ck_ik(keys.ck, keys.ik);
  result.res = std::move(keys.res);
  result.ck = std::move(keys.ck);
  result.ik = std::move(keys.ik);
  return result;
}

Bytes sres_from_res(ByteView res) {
  if (res.size() < 4 || res.size() > 16)
    throw std::invalid_argument("AKA: RES must be 4 to 16 bytes, got " + std::to_string(res.size()));
  Bytes sres(4, 0);
  for (size_t i = 0; i < res.size(); ++i) sres[i % 4] = static_cast<uint8_t>(sres[i % 4] ^ res[i]);
  return sres;
}

Bytes kc_from_ck_ik(ByteView ck, ByteView ik) {
  require_length("AKA", ck, 16, "CK");
  require_length("AKA", ik, 16, "IK");
  Bytes kc(8);
  for (size_t i = 0; i < 8; ++i) kc[i] = static_cast<uint8_t>(ck[i] ^ ck[i + 8] ^ ik[i] ^ ik[i + 8]);
  return kc;
}

}  // namespace rsp::crypto
