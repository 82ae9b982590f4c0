#pragma once
// What the USIM of an installed profile needs, read from its SAIP profile package (TCA eUICC Profile
// Package v3.3.1, FACTS.md §6): the ICCID (ProfileHeader), the ADF.USIM AID, EF.IMSI, EF.AD and EF.UST
// (usim element, then any genericFileManagement fill of those files), and the USIM's AKA parameters
// (the akaParameter element that follows the usim element). Every other element is ignored here; the
// card keeps the whole package as it came.
#include <cstdint>
#include <optional>
#include <string>

#include "rsp/bytes.hpp"
#include "rsp/crypto/aka.hpp"
#include "rsp/crypto/milenage.hpp"
#include "rsp/expected.hpp"

namespace rsp {

using rsp::Bytes;
using rsp::ByteView;

// AlgoParameter algorithmID.
enum class AkaAlgorithm : uint8_t { milenage = 1, tuak = 2, usim_test_algorithm = 3 };

// PE-AKAParameter with algoParameter, defaults applied (FACTS.md §6).
struct AkaParameters {
  AkaAlgorithm algorithm = AkaAlgorithm::milenage;
  uint8_t algorithm_options = 0;             // kept as given, not interpreted
  Bytes key;                                 // K (Ki), 16 bytes
  Bytes opc;                                 // OPc, 16 bytes for Milenage; ignored by the test algorithm
  rsp::crypto::MilenageConstants constants;  // rotationConstants, xoringConstants
  rsp::crypto::SqnPolicy sqn_policy;         // sqnOptions, sqnDelta, sqnAgeLimit
  rsp::crypto::SqnState sqn_init;            // sqnInit

  AkaParameters() = default;
  AkaParameters(const AkaParameters&) = default;
  AkaParameters& operator=(const AkaParameters&) = default;
  AkaParameters(AkaParameters&&) = default;
  AkaParameters& operator=(AkaParameters&&) = default;
  ~AkaParameters();
};

// One transparent EF of ADF.USIM, as created by the package.
struct ElementaryFile {
  uint16_t file_id = 0;
  uint8_t short_file_id = 0;  // 0: none
  Bytes security_attributes;  // FCP tag 8B value (EF.ARR file id and record)
  Bytes content;
};

struct UsimContents {
  Bytes aid;                            // ADF.USIM AID
  std::optional<uint16_t> file_id;      // the ADF's temporary file id within the package, if given
  ElementaryFile ef_imsi;               // 6F07
  std::optional<std::string> imsi;      // EF.IMSI decoded; nullopt if it holds no valid IMSI
  std::optional<ElementaryFile> ef_ad;  // 6FAD, unless the package says doNotCreate
  ElementaryFile ef_ust;                // 6F38
  AkaParameters aka;

  // 3GPP TS 31.102 §4.2.8 EF.UST: service n (from 1) available.
  bool service_available(unsigned n) const;
};

struct ProfileContents {
  std::string iccid;                 // ProfileHeader iccid, digits without padding
  std::optional<UsimContents> usim;  // nullopt: the profile has no USIM
};

// Reads a whole profile package. Fails on a malformed package, a missing header, and on a USIM that
// this card cannot run: no akaParameter for it, TUAK or a mappingParameter, keys of the wrong length.
Expected<ProfileContents> read_profile_contents(ByteView profile_package);

// 3GPP TS 31.102 §4.2.2 EF.IMSI: length byte, then the IMSI digits in BCD with the parity nibble first.
Expected<std::string> decode_imsi(ByteView ef_imsi);

// ETSI TS 101 220 Annex E: a USIM's AID begins with the 3GPP RID A000000087 and application code 1002.
inline const Bytes kUsimAidPrefix = {0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02};

}  // namespace rsp
