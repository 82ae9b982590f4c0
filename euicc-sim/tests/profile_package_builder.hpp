#pragma once
// SAIP profile packages for tests, built as DER element by element (PEDefinitions, automatic tags): a
// ProfileHeader, a PE-MF whose EF.DIR names the USIM, a PE-USIM with its mandatory files, the USIM's
// PE-AKAParameter (MILENAGE with the TS 35.208 Test Set 1 K and OPc unless a test says otherwise), and
// the end element.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rsp/asn1/profile_package.hpp"
#include "rsp/bytes.hpp"
#include "rsp/iccid.hpp"
#include "rsp/tlv.hpp"
#include "support/kit.hpp"

namespace euicc::test {

using rsp::Bytes;
using rsp::ByteView;
using rsp::test::hex;
using rsp::tlv::encode;

// 3GPP TS 35.208 §4.3 Test Set 1 K and OPc (the same values tests/rsp/test_milenage.cpp checks MILENAGE with).
inline const Bytes kK = hex("465b5ce8b199b49faa5f0a2ee238a6bc");
inline const Bytes kOpc = hex("cd63cb71954a9f4e48a5994e37a02baf");

inline const Bytes kAid = hex("A0000000871002FF49FF0589");
inline const Bytes kEfImsi = hex("080910101032547698");  // IMSI 001010123456789
// EF.UST: services 27 (GSM access) and 38 (GSM security context).
inline const Bytes kUstWithGsm = hex("0000000420");

inline Bytes pe_header(uint8_t identification) { return encode(0xA0, rsp::concat({encode(0x80, Bytes{}), encode(0x81, Bytes{identification})})); }
inline Bytes oid(std::string_view hex_contents) { return encode(0x81, hex(hex_contents)); }
inline Bytes content(ByteView bytes) { return encode(0x83, bytes); }  // FileItem fillFileContent

inline Bytes profile_header(const std::string& iccid) {
  return encode(0xA0, rsp::concat({encode(0x80, Bytes{2}), encode(0x81, Bytes{3}),
                                   encode(0x83, rsp::iccid::to_bytes(iccid, rsp::iccid::Nibbles::plain).value()),
                                   encode(0xA5, rsp::concat({encode(0x81, Bytes{}), encode(0x84, Bytes{})})),
                                   encode(0xA6, Bytes{})}));
}

// PE-MF with EF.DIR holding one USIM record (TS 102 221 §13.1), padded to its 33-byte record.
inline Bytes mf_element(const Bytes& dir_aid) {
  Bytes record = encode(0x61, rsp::concat({encode(0x4F, dir_aid), encode(0x50, rsp::to_bytes("USIM"))}));
  record.resize(33, 0xFF);
  Bytes ef_dir = rsp::concat({encode(0xA1, rsp::concat({encode(0x82, hex("42210021")), encode(0x83, hex("2F00")),
                                                         encode(0x80, Bytes{0x21})})),
                              content(record)});
  return encode(0xB0, rsp::concat({pe_header(1), oid("67810F010201"), encode(0xA2, Bytes{}), encode(0xA4, Bytes{}),
                                   encode(0xA5, ef_dir), encode(0xA6, Bytes{})}));
}

struct UsimElement {
  std::optional<Bytes> aid = kAid;  // adf-usim dfName
  Bytes ef_imsi = kEfImsi;
  Bytes ef_ust = kUstWithGsm;
};

// PE-USIM with its mandatory files; the ADF carries the temporary file id 7FD0.
inline Bytes usim_element(const UsimElement& u) {
  Bytes adf = rsp::concat({encode(0x83, hex("7FD0")), u.aid ? encode(0x84, *u.aid) : Bytes{}});
  return encode(0xB3, rsp::concat({pe_header(2), oid("67810F010204"), encode(0xA2, encode(0xA1, adf)),
                                   encode(0xA3, content(u.ef_imsi)), encode(0xA4, Bytes{}),
                                   encode(0xA8, content(u.ef_ust)), encode(0xAD, Bytes{}), encode(0xAE, Bytes{}),
                                   encode(0xB2, Bytes{}), encode(0xB5, content(hex("00000003"))),
                                   encode(0xB6, Bytes{})}));
}

struct AkaElement {
  long algorithm = 1;
  Bytes key = kK;
  Bytes opc = kOpc;
  // sqnDelta '07FFFFFFFFFF': TS 35.208's SQN of Test Set 1 is far above a new card's SQN_MS.
  std::optional<Bytes> sqn_delta = hex("07FFFFFFFFFF");
  bool mapping = false;
};

inline Bytes aka_element(const AkaElement& a) {
  Bytes configuration =
      a.mapping ? encode(0xA0, rsp::concat({encode(0x80, Bytes{0x01}), encode(0x81, kAid)}))
                : encode(0xA1, rsp::concat({encode(0x80, Bytes{static_cast<uint8_t>(a.algorithm)}),
                                            encode(0x81, Bytes{0x00}), encode(0x82, a.key), encode(0x83, a.opc)}));
  return encode(0xA4, rsp::concat({pe_header(3), encode(0xA1, configuration),
                                   a.sqn_delta ? encode(0x83, *a.sqn_delta) : Bytes{}}));
}

inline Bytes end_element() { return encode(0xAA, encode(0xA0, encode(0x81, Bytes{0x09}))); }

inline Bytes package(const std::vector<Bytes>& elements) {
  Bytes out;
  for (const auto& e : elements) out.insert(out.end(), e.begin(), e.end());
  REQUIRE(rsp::asn1::parse_profile_package(out));  // every element decodes with the PE module
  return out;
}

// A profile with a USIM: header, MF (EF.DIR naming the USIM), USIM, its akaParameter, end.
inline Bytes usim_package(const std::string& iccid, const UsimElement& u = {}, const AkaElement& a = {}) {
  return package({profile_header(iccid), mf_element(kAid), usim_element(u), aka_element(a), end_element()});
}

}  // namespace euicc::test
