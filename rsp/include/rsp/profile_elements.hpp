#pragma once
// The ProfileElements of a SAIP profile package with one USIM (TCA eUICC Profile Package v3.3.1, PEDefinitions,
// automatic tags), each encoded as DER exactly as given: no checks here, so tests can build deliberately odd
// packages too. make_profile_package (profile_maker.hpp) validates its inputs and puts these together.
#include <cstdint>
#include <optional>
#include <string_view>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"

namespace rsp::profile_elements {

// PEHeader: mandated (NULL) and identification.
Bytes element_header(uint8_t identification);

// PE-Header (ProfileHeader) v2.3 with the ICCID (10 bytes, plain BCD as rsp::iccid::Nibbles::plain gives it),
// an optional profileType, and the services a USIM with MILENAGE needs (usim, milenage).
Bytes header(ByteView iccid_plain_bcd, std::string_view profile_type = {});

// PE-MF whose EF.DIR holds one record naming the USIM (ETSI TS 102 221 §13.1).
Bytes mf(ByteView usim_aid, uint8_t identification = 1);

// PE-USIM (template 67810F010204) with its mandatory files; the ADF gets the temporary file id 7FD0.
struct Usim {
  std::optional<Bytes> aid;  // adf-usim dfName; absent: the card falls back to EF.DIR
  Bytes ef_imsi;             // 3GPP TS 31.102 §4.2.2, as ef_imsi() encodes it
  Bytes ef_ust;              // §4.2.8
  Bytes ef_ad;               // §4.2.18
};
Bytes usim(const Usim& usim, uint8_t identification = 2);

// PE-AKAParameter for the USIM: algoParameter, or mappingParameter when mapped_aid is given.
struct AkaParameter {
  uint8_t algorithm = 1;  // AlgorithmID: 1 MILENAGE, 2 TUAK, 3 usim-test-algorithm
  Bytes key;
  Bytes opc;
  std::optional<Bytes> sqn_delta;   // 6 bytes; absent: the SAIP default
  std::optional<Bytes> mapped_aid;  // mappingParameter: use the keys of this application instead
};
Bytes aka_parameter(const AkaParameter& aka, uint8_t identification = 3);

// PE-End.
Bytes end(uint8_t identification = 4);

// 3GPP TS 31.102 §4.2.2 EF.IMSI (9 bytes): length, the digits in BCD behind the parity nibble, 'F' padding.
// The IMSI is 6 to 15 digits.
Expected<Bytes> ef_imsi(std::string_view imsi);

}  // namespace rsp::profile_elements
