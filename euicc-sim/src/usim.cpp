// The ADF.USIM of the enabled profile: 3GPP TS 31.102 §7.1 AUTHENTICATE, and ETSI TS 102 221 §11.1.1
// SELECT, §11.1.2 STATUS and §11.1.3 READ BINARY for the EFs a terminal reads to attach (EF.IMSI, EF.AD,
// EF.UST).
#include "usim.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <vector>

#include "class_byte.hpp"
#include "rsp/tlv.hpp"
#include "state_change.hpp"

namespace euicc {
namespace {

using rsp::apdu::Command;
using rsp::apdu::Response;
using rsp::tlv::encode;
namespace sw = rsp::apdu::sw;
namespace crypto = rsp::crypto;

namespace ins {
constexpr uint8_t kAuthenticate = 0x88;
constexpr uint8_t kReadBinary = 0xB0;
constexpr uint8_t kSelect = 0xA4;
constexpr uint8_t kStatus = 0xF2;
}  // namespace ins

constexpr uint16_t kSecurityContextNotSupported = 0x9864;  // TS 31.102 §7.3
constexpr uint16_t kCurrentAdf = 0x7FFF;                   // ETSI TS 102 221 §8.3

// EF.UST services (TS 31.102 §4.2.8).
constexpr unsigned kServiceGsmAccess = 27;           // Kc in the 3G context answer
constexpr unsigned kServiceGsmSecurityContext = 38;  // AUTHENTICATE in the GSM context

Response status_word(uint16_t word) { return Response{{}, word}; }

Bytes xor_bytes(ByteView a, ByteView b) {
  Bytes out(a.size());
  for (size_t i = 0; i < a.size(); ++i) out[i] = static_cast<uint8_t>(a[i] ^ b[i]);
  return out;
}

// TS 33.102 Annex C.2 freshness, as rsp::crypto::authenticate applies it to Milenage: SEQ above the
// SEQ_MS(IND) entry, at most `delta` above the highest SEQ_MS, and less than the age limit below it.
bool fresh(uint64_t sqn, const crypto::SqnState& state, const crypto::SqnPolicy& policy) {
  const uint64_t seq = sqn >> crypto::kIndBits;
  const uint64_t seq_ms = state.highest_sqn() >> crypto::kIndBits;
  if (seq <= state.seq[sqn & (crypto::kSqnArraySize - 1)]) return false;
  if (seq > seq_ms && seq - seq_ms > policy.delta) return false;
  if (seq < seq_ms && seq_ms - seq >= policy.age_limit) return false;
  return true;
}

// 3GPP TS 34.108 §8.1.2 test algorithm (the TS.48 test profiles use it): XDOUT = K xor RAND; RES = XDOUT
// (all 128 bits); CK and IK = XDOUT rotated left by 8 and 16 bits; AK = XDOUT bits 24-71, for
// resynchronisation too; MAC = XDOUT bits 0-63 xor (SQN || AMF), MAC-S with AMF '0000'.
class TestAlgorithm {
 public:
  TestAlgorithm(ByteView k, ByteView rand) : xdout_(xor_bytes(k, rand)) {}
  TestAlgorithm(const TestAlgorithm&) = delete;
  TestAlgorithm& operator=(const TestAlgorithm&) = delete;
  ~TestAlgorithm() { rsp::wipe(xdout_); }

  Bytes res() const { return xdout_; }
  Bytes ck() const { return rotated(1); }
  Bytes ik() const { return rotated(2); }
  Bytes ak() const { return Bytes(xdout_.begin() + 3, xdout_.begin() + 9); }
  Bytes mac(ByteView sqn, ByteView amf) const {
    return xor_bytes(ByteView(xdout_).first(8), rsp::concat({sqn, amf}));
  }

 private:
  Bytes rotated(size_t bytes) const {
    Bytes out(xdout_.size());
    for (size_t i = 0; i < out.size(); ++i) out[i] = xdout_[(i + bytes) % xdout_.size()];
    return out;
  }
  Bytes xdout_;
};

// TS 33.102 §6.3.3 on the test algorithm, with the results of rsp::crypto::authenticate.
crypto::AuthenticateResult test_algorithm_authenticate(ByteView k, ByteView rand, ByteView autn,
                                                       crypto::SqnState& state, const crypto::SqnPolicy& policy) {
  crypto::AuthenticateResult result;
  TestAlgorithm algorithm(k, rand);
  Bytes sqn = xor_bytes(autn.first(crypto::kSqnLength), algorithm.ak());
  Bytes mac = algorithm.mac(sqn, autn.subspan(crypto::kSqnLength, crypto::kAmfLength));
  if (CRYPTO_memcmp(mac.data(), autn.subspan(crypto::kSqnLength + crypto::kAmfLength).data(), mac.size()) != 0) {
    result.outcome = crypto::AuthenticateOutcome::mac_failure;
    return result;
  }
  const uint64_t sqn_number = crypto::sqn_value(sqn);
  if (!fresh(sqn_number, state, policy)) {
    Bytes sqn_ms = crypto::sqn_bytes(state.highest_sqn());
    result.outcome = crypto::AuthenticateOutcome::synchronisation_failure;
    result.auts = rsp::concat({xor_bytes(sqn_ms, algorithm.ak()), algorithm.mac(sqn_ms, Bytes{0x00, 0x00})});
    return result;
  }
  state.seq[sqn_number & (crypto::kSqnArraySize - 1)] = sqn_number >> crypto::kIndBits;
  result.outcome = crypto::AuthenticateOutcome::success;
  result.res = algorithm.res();
  result.ck = algorithm.ck();
  result.ik = algorithm.ik();
  result.kc = crypto::kc_from_ck_ik(result.ck, result.ik);
  return result;
}

// USIM side of TS 33.102 §6.3.3 with the profile's algorithm. RAND and AUTN are 16 bytes each.
crypto::AuthenticateResult run_authentication(const AkaParameters& aka, ByteView rand, ByteView autn,
                                              crypto::SqnState& state) {
  if (aka.algorithm == AkaAlgorithm::usim_test_algorithm)
    return test_algorithm_authenticate(aka.key, rand, autn, state, aka.sqn_policy);
  auto milenage = crypto::Milenage::create(aka.key, aka.opc, aka.constants);
  if (!milenage) return {};  // read_profile_contents checked K and OPc already
  return crypto::authenticate(*milenage, rand, autn, state, aka.sqn_policy);
}

// TS 33.102 §6.8.1.2 c2: SRES = the four 32-bit blocks of RES (zero-padded to 128 bits) xored.
Bytes sres_from_res(ByteView res) {
  Bytes sres(4, 0);
  for (size_t i = 0; i < res.size() && i < 16; ++i) sres[i % 4] ^= res[i];
  return sres;
}

// TS 31.102 §7.1.2 GSM security context: '04' SRES '08' Kc, derived from the UMTS functions (TS 33.102
// §6.8.1.2: SRES = c2(RES), Kc = c3(CK, IK)).
Bytes gsm_context(const AkaParameters& aka, ByteView rand) {
  Bytes res, ck, ik;
  if (aka.algorithm == AkaAlgorithm::usim_test_algorithm) {
    TestAlgorithm algorithm(aka.key, rand);
    res = algorithm.res();
    ck = algorithm.ck();
    ik = algorithm.ik();
  } else {
    auto milenage = crypto::Milenage::create(aka.key, aka.opc, aka.constants);
    if (!milenage) return {};
    crypto::MilenageOutputs out = milenage->f2345(rand);
    res = out.res;
    ck = out.ck;
    ik = out.ik;
  }
  Bytes answer = rsp::concat({Bytes{0x04}, sres_from_res(res), Bytes{0x08}, crypto::kc_from_ck_ik(ck, ik)});
  rsp::wipe(res);
  rsp::wipe(ck);
  rsp::wipe(ik);
  return answer;
}

// ETSI TS 102 221 §11.1.1.3.2: FCP of the ADF. Its PIN status says no PIN is enabled (PS_DO '00' over
// the universal PIN '01' and the local PIN '81'): this card has no VERIFY PIN.
Bytes adf_fcp(const UsimContents& usim) {
  return encode(0x62, rsp::concat({encode(0x82, Bytes{0x78, 0x21}), encode(0x84, usim.aid), encode(0x8A, Bytes{0x05}),
                                   encode(0x8B, Bytes{0x2F, 0x06, 0x01}),
                                   encode(0xC6, Bytes{0x90, 0x01, 0x00, 0x83, 0x01, 0x01, 0x83, 0x01, 0x81})}));
}

// ETSI TS 102 221 §11.1.1.3.1: FCP of a transparent EF.
Bytes ef_fcp(const ElementaryFile& ef) {
  const size_t size = ef.content.size();
  Bytes fcp = rsp::concat({encode(0x82, Bytes{0x41, 0x21}),
                           encode(0x83, Bytes{static_cast<uint8_t>(ef.file_id >> 8), static_cast<uint8_t>(ef.file_id)}),
                           encode(0x8A, Bytes{0x05})});
  if (!ef.security_attributes.empty()) {
    Bytes attributes = encode(0x8B, ef.security_attributes);
    fcp.insert(fcp.end(), attributes.begin(), attributes.end());
  }
  Bytes file_size = encode(0x80, Bytes{static_cast<uint8_t>(size >> 8), static_cast<uint8_t>(size)});
  fcp.insert(fcp.end(), file_size.begin(), file_size.end());
  if (ef.short_file_id != 0) {
    Bytes sfi = encode(0x88, Bytes{static_cast<uint8_t>(ef.short_file_id << 3)});
    fcp.insert(fcp.end(), sfi.begin(), sfi.end());
  }
  return encode(0x62, fcp);
}

const ElementaryFile* find_ef(const UsimContents& usim, uint16_t file_id) {
  if (file_id == usim.ef_imsi.file_id) return &usim.ef_imsi;
  if (file_id == usim.ef_ust.file_id) return &usim.ef_ust;
  if (usim.ef_ad && file_id == usim.ef_ad->file_id) return &*usim.ef_ad;
  return nullptr;
}

const ElementaryFile* find_ef_by_sfi(const UsimContents& usim, uint8_t sfi) {
  for (const ElementaryFile* ef : {&usim.ef_imsi, &usim.ef_ust, usim.ef_ad ? &*usim.ef_ad : nullptr})
    if (ef && sfi != 0 && ef->short_file_id == sfi) return ef;
  return nullptr;
}

bool names_adf(const UsimContents& usim, uint16_t file_id) {
  return file_id == kCurrentAdf || (usim.file_id && file_id == *usim.file_id);
}

}  // namespace

const UsimContents* Usim::usim() {
  const Profile* profile = card_.state.enabled_profile();
  std::string key = profile ? profile->iccid + "/" + rsp::to_hex(profile->isdp_aid) : std::string();
  if (key != loaded_for_) {
    loaded_for_ = key;
    loaded_.reset();
    current_ef_ = {};
    // A package this card cannot run (TUAK, no AKA parameters, damaged) leaves the profile without a
    // USIM: SELECT of its ADF answers "file not found".
    if (profile)
      if (auto package = card_.store.read_profile_package(profile->iccid))
        if (auto contents = read_profile_contents(*package)) loaded_ = std::move(*contents);
  }
  return loaded_ && loaded_->usim ? &*loaded_->usim : nullptr;
}

std::optional<Bytes> Usim::aid() {
  const UsimContents* u = usim();
  if (!u) return std::nullopt;
  return u->aid;
}

Bytes Usim::select_response() {
  current_ef_ = {};
  const UsimContents* u = usim();
  return u ? adf_fcp(*u) : Bytes{};
}

Response Usim::process(const Command& c) {
  auto cla = decode_class(c.cla);
  if (!cla) return status_word(cla.error());
  if (c.ins != ins::kSelect && c.ins != ins::kReadBinary && c.ins != ins::kAuthenticate && c.ins != ins::kStatus)
    return status_word(sw::kInsNotSupported);
  // STATUS is a TS 102 221 command ('8X'); the others are ISO ones ('0X').
  if (cla->proprietary != (c.ins == ins::kStatus)) return status_word(sw::kClassNotSupported);
  // The profile was disabled while its ADF stayed selected: the terminal has to select again.
  const UsimContents* u = usim();
  if (!u) return status_word(sw::kConditionsNotSatisfied);
  switch (c.ins) {
    case ins::kSelect:
      return select(c, *u, current_ef_[cla->channel]);
    case ins::kReadBinary:
      return read_binary(c, *u, current_ef_[cla->channel]);
    case ins::kStatus:
      return status(c, *u);
    default:
      return authenticate(c, *u);
  }
}

// ETSI TS 102 221 §11.1.1 SELECT inside the ADF: by file id (P1 '00'), by path from the MF through the
// ADF (P1 '08', '7FFF' or the ADF's own id first) or from the ADF (P1 '09').
Response Usim::select(const Command& c, const UsimContents& u, std::optional<uint16_t>& current) {
  uint8_t answer = c.p2 & 0x0C;
  if ((c.p2 & 0xF3) != 0 || answer == 0x08) return status_word(sw::kIncorrectP1P2);
  switch (c.p1) {
    case 0x00:
      if (c.data.size() != 2) return status_word(sw::kWrongLength);
      break;
    case 0x08:
    case 0x09:
      if (c.data.empty() || c.data.size() % 2 != 0) return status_word(sw::kWrongLength);
      break;
    case 0x01:  // child DF, EF under the MF, parent DF: the ADF holds no DF this card models
    case 0x02:
    case 0x03:
      return status_word(sw::kFileNotFound);
    default:
      return status_word(sw::kIncorrectP1P2);
  }
  std::vector<uint16_t> path;
  for (size_t i = 0; i < c.data.size(); i += 2) path.push_back(static_cast<uint16_t>(c.data[i] << 8 | c.data[i + 1]));
  size_t first = 0;
  if (c.p1 == 0x08) {
    if (!names_adf(u, path[0])) return status_word(sw::kFileNotFound);
    first = 1;
  }
  const size_t left = path.size() - first;
  const ElementaryFile* ef = nullptr;
  if (left == 1 && !(c.p1 == 0x00 && names_adf(u, path[first]))) {
    ef = find_ef(u, path[first]);
    if (!ef) return status_word(sw::kFileNotFound);
  } else if (left > 1) {
    return status_word(sw::kFileNotFound);
  }
  current = ef ? std::optional<uint16_t>(ef->file_id) : std::nullopt;
  if (answer == 0x0C) return Response{};
  return Response{ef ? ef_fcp(*ef) : adf_fcp(u), sw::kOk};
}

// ETSI TS 102 221 §11.1.3 READ BINARY of the current EF (P1 b8 = 0: offset in P1-P2) or of the EF with
// a short file identifier (P1 '100xxxxx', offset in P2), which becomes the current EF.
Response Usim::read_binary(const Command& c, const UsimContents& u, std::optional<uint16_t>& current) {
  if (!c.data.empty() || !c.le) return status_word(sw::kWrongLength);
  const ElementaryFile* ef = nullptr;
  size_t offset = 0;
  if (c.p1 & 0x80) {
    if (c.p1 & 0x60) return status_word(sw::kIncorrectP1P2);
    ef = find_ef_by_sfi(u, c.p1 & 0x1F);
    if (!ef) return status_word(sw::kFileNotFound);
    current = ef->file_id;
    offset = c.p2;
  } else {
    ef = current ? find_ef(u, *current) : nullptr;
    if (!ef) return status_word(sw_extra::kCommandNotAllowedNoCurrentEf);
    offset = static_cast<size_t>(c.p1) << 8 | c.p2;
  }
  if (offset >= ef->content.size()) return status_word(sw::kWrongP1P2);
  const size_t remaining = ef->content.size() - offset;
  const size_t le = *c.le;
  // Le '00' asks for what there is; an exact Le beyond the end is answered with the right one (6Cxx).
  const bool maximum = le == (c.extended ? 65536u : 256u);
  if (le > remaining && !maximum) return status_word(static_cast<uint16_t>(sw::kWrongLe | (remaining > 0xFF ? 0 : remaining)));
  auto from = ef->content.begin() + static_cast<std::ptrdiff_t>(offset);
  return Response{Bytes(from, from + static_cast<std::ptrdiff_t>(std::min(le, remaining))), sw::kOk};
}

// ETSI TS 102 221 §11.1.2 STATUS: P2 '00' the ADF's FCP, '01' its DF name, '0C' nothing.
Response Usim::status(const Command& c, const UsimContents& u) {
  if (!c.data.empty()) return status_word(sw::kWrongLength);
  if (c.p1 > 0x02) return status_word(sw::kIncorrectP1P2);
  switch (c.p2) {
    case 0x00:
      return Response{adf_fcp(u), sw::kOk};
    case 0x01:
      return Response{encode(0x84, u.aid), sw::kOk};
    case 0x0C:
      return Response{};
    default:
      return status_word(sw::kIncorrectP1P2);
  }
}

// 3GPP TS 31.102 §7.1.2 AUTHENTICATE (even INS), P1 '00', P2 '81' 3G context: data '10' RAND '10' AUTN;
// answers 'DB' L RES L CK L IK ['08' Kc when EF.UST offers GSM access], 'DC' '0E' AUTS on a
// synchronisation failure, 98 62 on a MAC failure. P2 '80' GSM context: data '10' RAND, answers
// '04' SRES '08' Kc. The new SQN array is committed before RES leaves the card.
Response Usim::authenticate(const Command& c, const UsimContents& u) {
  if (c.p1 != 0x00) return status_word(sw::kIncorrectP1P2);
  const bool umts = c.p2 == 0x81;
  if (!umts && c.p2 != 0x80) {
    // VGCS/VBS ('82') and GBA ('84') are security contexts of the USIM, just not offered here.
    return status_word(c.p2 == 0x82 || c.p2 == 0x84 ? kSecurityContextNotSupported : sw::kIncorrectP1P2);
  }
  const size_t length = umts ? 1 + crypto::kRandLength + 1 + crypto::kAutnLength : 1 + crypto::kRandLength;
  if (c.data.size() != length) return status_word(sw::kWrongLength);
  if (c.data[0] != crypto::kRandLength || (umts && c.data[1 + crypto::kRandLength] != crypto::kAutnLength))
    return status_word(sw::kIncorrectData);
  ByteView rand = ByteView(c.data).subspan(1, crypto::kRandLength);
  if (!umts) {
    if (!u.service_available(kServiceGsmSecurityContext)) return status_word(kSecurityContextNotSupported);
    Bytes answer = gsm_context(u.aka, rand);
    return answer.empty() ? status_word(sw::kNoPreciseDiagnosis) : Response{std::move(answer), sw::kOk};
  }
  ByteView autn = ByteView(c.data).subspan(2 + crypto::kRandLength, crypto::kAutnLength);

  const Profile* profile = card_.state.enabled_profile();
  if (!profile) return status_word(sw::kConditionsNotSatisfied);
  crypto::SqnState state = u.aka.sqn_init;  // no AUTHENTICATE succeeded yet: the package's sqnInit
  if (!profile->usim_sqn_state.empty()) {
    auto saved = crypto::SqnState::decode(profile->usim_sqn_state);
    if (!saved) return status_word(sw::kNoPreciseDiagnosis);
    state = *saved;
  }
  crypto::AuthenticateResult result = run_authentication(u.aka, rand, autn, state);
  switch (result.outcome) {
    case crypto::AuthenticateOutcome::mac_failure:
      return status_word(sw::kAuthenticationError);
    case crypto::AuthenticateOutcome::synchronisation_failure:
      return Response{rsp::concat({Bytes{0xDC, static_cast<uint8_t>(result.auts.size())}, result.auts}), sw::kOk};
    case crypto::AuthenticateOutcome::malformed:
      return status_word(sw::kNoPreciseDiagnosis);
    case crypto::AuthenticateOutcome::success:
      break;
  }
  // Committed first: a RES is never given out for an SQN the card could accept again after a restart.
  const std::string iccid = profile->iccid;
  Bytes encoded = state.encode();
  if (!commit_change(card_, [&] { card_.state.find_profile(iccid)->usim_sqn_state = encoded; }))
    return status_word(sw::kNoPreciseDiagnosis);

  Bytes answer = rsp::concat({Bytes{0xDB, static_cast<uint8_t>(result.res.size())}, result.res,
                              Bytes{static_cast<uint8_t>(result.ck.size())}, result.ck,
                              Bytes{static_cast<uint8_t>(result.ik.size())}, result.ik});
  if (u.service_available(kServiceGsmAccess)) {
    answer.push_back(static_cast<uint8_t>(result.kc.size()));
    answer.insert(answer.end(), result.kc.begin(), result.kc.end());
  }
  return Response{std::move(answer), sw::kOk};
}

}  // namespace euicc
