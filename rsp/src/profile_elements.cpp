// TCA eUICC Profile Package v3.3.1: PE-Header, PE-MF, PE-USIM, PE-AKAParameter and PE-End, as DER.
#include "rsp/profile_elements.hpp"

#include "rsp/tlv.hpp"

namespace rsp::profile_elements {
namespace {

using tlv::encode;

Bytes template_id(ByteView oid) { return encode(0x81, oid); }
Bytes fill_content(ByteView bytes) { return encode(0x83, bytes); }  // FileItem fillFileContent

const Bytes kMfTemplate = {0x67, 0x81, 0x0F, 0x01, 0x02, 0x01};    // id-MF
const Bytes kUsimTemplate = {0x67, 0x81, 0x0F, 0x01, 0x02, 0x04};  // id-USIM

}  // namespace

Bytes element_header(uint8_t identification) {
  return encode(0xA0, concat({encode(0x80, Bytes{}), encode(0x81, Bytes{identification})}));
}

Bytes header(ByteView iccid_plain_bcd, std::string_view profile_type) {
  Bytes type = profile_type.empty() ? Bytes{} : encode(0x82, to_bytes(profile_type));
  Bytes services = concat({encode(0x81, Bytes{}), encode(0x84, Bytes{})});  // usim, milenage
  return encode(0xA0, concat({encode(0x80, Bytes{2}), encode(0x81, Bytes{3}), type, encode(0x83, iccid_plain_bcd),
                              encode(0xA5, services), encode(0xA6, Bytes{})}));
}

Bytes mf(ByteView usim_aid, uint8_t identification) {
  // EF.DIR: linear fixed, 33-byte records; the USIM's application template padded with 'FF'.
  Bytes record = encode(0x61, concat({encode(0x4F, usim_aid), encode(0x50, to_bytes("USIM"))}));
  if (record.size() < 33) record.resize(33, 0xFF);
  Bytes fcp = encode(0xA1, concat({encode(0x82, Bytes{0x42, 0x21, 0x00, 0x21}), encode(0x83, Bytes{0x2F, 0x00}),
                                   encode(0x80, Bytes{0x21})}));
  return encode(
      0xB0, concat({element_header(identification), template_id(kMfTemplate), encode(0xA2, Bytes{}),
                    encode(0xA4, Bytes{}), encode(0xA5, concat({fcp, fill_content(record)})), encode(0xA6, Bytes{})}));
}

Bytes usim(const Usim& u, uint8_t identification) {
  Bytes adf = concat({encode(0x83, Bytes{0x7F, 0xD0}), u.aid ? encode(0x84, *u.aid) : Bytes{}});
  // Automatic tags of PE-USIM: adf-usim [2], ef-imsi [3], ef-arr [4], ef-ust [8], ef-spn [13], ef-est [14],
  // ef-acc [18], ef-ad [21], ef-ecc [22]. Empty items take the template's defaults.
  return encode(
      0xB3, concat({element_header(identification), template_id(kUsimTemplate), encode(0xA2, encode(0xA1, adf)),
                    encode(0xA3, fill_content(u.ef_imsi)), encode(0xA4, Bytes{}), encode(0xA8, fill_content(u.ef_ust)),
                    encode(0xAD, Bytes{}), encode(0xAE, Bytes{}), encode(0xB2, Bytes{}),
                    encode(0xB5, fill_content(u.ef_ad)), encode(0xB6, Bytes{})}));
}

Bytes aka_parameter(const AkaParameter& a, uint8_t identification) {
  Bytes configuration = a.mapped_aid ? encode(0xA0, concat({encode(0x80, Bytes{0x01}), encode(0x81, *a.mapped_aid)}))
                                     : encode(0xA1, concat({encode(0x80, Bytes{a.algorithm}), encode(0x81, Bytes{0x00}),
                                                            encode(0x82, a.key), encode(0x83, a.opc)}));
  return encode(0xA4, concat({element_header(identification), encode(0xA1, configuration),
                              a.sqn_delta ? encode(0x83, *a.sqn_delta) : Bytes{}}));
}

Bytes end(uint8_t identification) { return encode(0xAA, encode(0xA0, encode(0x81, Bytes{identification}))); }

Expected<Bytes> ef_imsi(std::string_view imsi) {
  if (imsi.size() < 6 || imsi.size() > 15) return fail("IMSI must have 6 to 15 digits");
  for (char c : imsi)
    if (c < '0' || c > '9') return fail("IMSI holds a character that is not a digit");
  // Byte 1: the number of bytes that follow. Then digit 1 above the parity nibble (1, +8 for an odd count),
  // and the other digits two to a byte, low nibble first.
  Bytes out(9, 0xFF);
  out[0] = static_cast<uint8_t>(imsi.size() / 2 + 1);
  out[1] = static_cast<uint8_t>((imsi[0] - '0') << 4 | (imsi.size() % 2 ? 0x09 : 0x01));
  for (size_t i = 1; i < imsi.size(); ++i) {
    uint8_t d = static_cast<uint8_t>(imsi[i] - '0');
    uint8_t& b = out[2 + (i - 1) / 2];
    b = i % 2 ? static_cast<uint8_t>(0xF0 | d) : static_cast<uint8_t>((b & 0x0F) | d << 4);
  }
  return out;
}

}  // namespace rsp::profile_elements
