// The ADF.USIM of the enabled profile: 3GPP TS 31.102 §7.1 AUTHENTICATE, and ETSI TS 102 221 §11.1.1
// SELECT, §11.1.2 STATUS and §11.1.3 READ BINARY for the EFs a terminal reads to attach (EF.IMSI, EF.AD,
// EF.UST).
#include "usim.hpp"

#include <vector>

#include "class_byte.hpp"
#include "rsp/crypto/aka.hpp"
#include "rsp/crypto/milenage.hpp"
#include "rsp/crypto/test_algorithm.hpp"
#include "rsp/iccid.hpp"
#include "rsp/tlv.hpp"
#include "state_change.hpp"
#include "transparent_file.hpp"

namespace euicc {
namespace {

using rsp::apdu::Command;
using rsp::apdu::Response;
using rsp::tlv::encode;
namespace sw = rsp::apdu::sw;
namespace crypto = rsp::crypto;

namespace ins = rsp::apdu::ins;

constexpr uint16_t kSecurityContextNotSupported = 0x9864;  // TS 31.102 §7.3
constexpr uint16_t kCurrentAdf = 0x7FFF;                   // ETSI TS 102 221 §8.3

// EF.UST services (TS 31.102 §4.2.8).
constexpr unsigned kServiceGsmAccess = 27;           // Kc in the 3G context answer
constexpr unsigned kServiceGsmSecurityContext = 38;  // AUTHENTICATE in the GSM context

Response status_word(uint16_t word) { return Response{{}, word}; }

// The USIM's algorithm set keyed with its K (and OPc): MILENAGE or the TS 34.108 test algorithm.
// nullptr for TUAK or keys of the wrong length, which read_profile_contents refuses already.
std::unique_ptr<crypto::AkaFunctions> algorithm_of(const AkaParameters& aka) {
  switch (aka.algorithm) {
    case AkaAlgorithm::milenage:
      if (auto m = crypto::Milenage::create(aka.key, aka.opc, aka.constants))
        return std::make_unique<crypto::Milenage>(std::move(*m));
      return nullptr;
    case AkaAlgorithm::usim_test_algorithm:
      if (auto t = crypto::TestAlgorithm::create(aka.key))
        return std::make_unique<crypto::TestAlgorithm>(std::move(*t));
      return nullptr;
    case AkaAlgorithm::tuak: break;
  }
  return nullptr;
}

// TS 31.102 §7.1.2 GSM security context: '04' SRES '08' Kc, derived from the UMTS functions (TS 33.102
// §6.8.1.2: SRES = c2(RES), Kc = c3(CK, IK)).
Bytes gsm_context(const crypto::AkaFunctions& algorithm, ByteView rand) {
  crypto::AkaOutputs out = algorithm.f2345(rand);
  return rsp::concat({Bytes{0x04}, crypto::sres_from_res(out.res), Bytes{0x08}, crypto::kc_from_ck_ik(out.ck, out.ik)});
}

// ETSI TS 102 221 §11.1.1.3.2: FCP of the ADF. Its PIN status says no PIN is enabled (PS_DO '00' over
// the universal PIN '01' and the local PIN '81'): this card has no VERIFY PIN.
Bytes adf_fcp(const UsimContents& usim) {
  return encode(0x62, rsp::concat({encode(0x82, Bytes{0x78, 0x21}), encode(0x84, usim.aid), encode(0x8A, Bytes{0x05}),
                                   encode(0x8B, Bytes{0x2F, 0x06, 0x01}),
                                   encode(0xC6, Bytes{0x90, 0x01, 0x00, 0x83, 0x01, 0x01, 0x83, 0x01, 0x81})}));
}

Bytes ef_fcp(const ElementaryFile& ef) {
  return transparent_ef_fcp(ef.file_id, ef.short_file_id, ef.security_attributes, ef.content.size());
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
    algorithm_.reset();
    current_ef_ = {};
    // A package this card cannot run (TUAK, no AKA parameters, damaged) leaves the profile without a
    // USIM: SELECT of its ADF answers "file not found". The installer refuses such packages; one
    // installed before it did stays here.
    if (profile)
      if (auto package = card_.store.read_profile_package(profile->iccid))
        if (auto contents = read_profile_contents(*package)) {
          loaded_ = std::move(*contents);
          if (loaded_->usim) algorithm_ = algorithm_of(loaded_->usim->aka);
        }
  }
  return loaded_ && loaded_->usim && algorithm_ ? &*loaded_->usim : nullptr;
}

std::optional<Bytes> Usim::aid() {
  const UsimContents* u = usim();
  if (!u) return std::nullopt;
  return u->aid;
}

Bytes Usim::selected(uint8_t channel) {
  const UsimContents* u = usim();
  current_ef_.at(channel).reset();
  return u ? adf_fcp(*u) : Bytes{};
}

void Usim::channel_closed(uint8_t channel) { current_ef_.at(channel).reset(); }

std::optional<Bytes> Usim::iccid() {
  const Profile* profile = card_.state.enabled_profile();
  if (!profile) return std::nullopt;
  auto bytes = rsp::iccid::to_bytes(profile->iccid);
  if (!bytes) return std::nullopt;
  return *bytes;
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
    case ins::kSelect: return select(c, *u, current_ef_[cla->channel]);
    case ins::kReadBinary: return read_binary(c, *u, current_ef_[cla->channel]);
    case ins::kStatus: return status(c, *u);
    default: return authenticate(c, *u);
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
    case 0x03: return status_word(sw::kFileNotFound);
    default: return status_word(sw::kIncorrectP1P2);
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

// ETSI TS 102 221 §11.1.3 READ BINARY of the current EF, or of the EF with a short file identifier,
// which becomes the current EF.
Response Usim::read_binary(const Command& c, const UsimContents& u, std::optional<uint16_t>& current) {
  auto target = parse_read_binary(c);
  if (!target) return status_word(target.error());
  const ElementaryFile* ef = nullptr;
  if (target->short_file_id != 0) {
    ef = find_ef_by_sfi(u, target->short_file_id);
    if (!ef) return status_word(sw::kFileNotFound);
    current = ef->file_id;
  } else {
    ef = current ? find_ef(u, *current) : nullptr;
    if (!ef) return status_word(sw::kCommandNotAllowedNoCurrentEf);
  }
  return read_binary_response(c, ef->content, target->offset);
}

// ETSI TS 102 221 §11.1.2 STATUS: P2 '00' the ADF's FCP, '01' its DF name, '0C' nothing.
Response Usim::status(const Command& c, const UsimContents& u) {
  if (!c.data.empty()) return status_word(sw::kWrongLength);
  if (c.p1 > 0x02) return status_word(sw::kIncorrectP1P2);
  switch (c.p2) {
    case 0x00: return Response{adf_fcp(u), sw::kOk};
    case 0x01: return Response{encode(0x84, u.aid), sw::kOk};
    case 0x0C: return Response{};
    default: return status_word(sw::kIncorrectP1P2);
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
    return Response{gsm_context(*algorithm_, rand), sw::kOk};
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
  crypto::AuthenticateResult result = crypto::authenticate(*algorithm_, rand, autn, state, u.aka.sqn_policy);
  switch (result.outcome) {
    case crypto::AuthenticateOutcome::mac_failure: return status_word(sw::kAuthenticationError);
    case crypto::AuthenticateOutcome::synchronisation_failure:
      return Response{rsp::concat({Bytes{0xDC, static_cast<uint8_t>(result.auts.size())}, result.auts}), sw::kOk};
    case crypto::AuthenticateOutcome::malformed: return status_word(sw::kNoPreciseDiagnosis);
    case crypto::AuthenticateOutcome::success: break;
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
