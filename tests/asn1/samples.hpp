#pragma once
// Small, valid encodings built here from their ASN.1 definitions (not taken from the kit), for the
// tests that need no reference kit: hostile-input tests start from these and break them.
#include <string>
#include <string_view>

#include "rsp/bytes.hpp"
#include "rsp/tlv.hpp"
#include "support/kit.hpp"

namespace rsp::test::samples {

using rsp::test::hex;

// One TLV around `value`, or around the concatenation of `parts`.
inline Bytes wrap(tlv::Tag tag, ByteView value) { return rsp::tlv::encode(tag, value); }
inline Bytes wrap(tlv::Tag tag, std::initializer_list<ByteView> parts) { return rsp::tlv::encode(tag, concat(parts)); }
inline Bytes text(tlv::Tag tag, std::string_view s) { return rsp::tlv::encode(tag, to_bytes(s)); }
inline Bytes repeat(uint8_t byte, size_t n) { return Bytes(n, byte); }

inline const Bytes kTestCiSki = hex("F54172BDF98A95D65CBEB88A38A1C11D800A85C3");
inline const Bytes kEid = hex("89049032123451234512345678901235");

// SGP.22 §5.7.8 EUICCInfo1: BF20 { 82 svn, A9 { 04 SKI }, AA { 04 SKI } }
inline Bytes euicc_info1(size_t svn_size = 3) {
  return wrap(0xBF20, {wrap(0x82, repeat(0x02, svn_size)), wrap(0xA9, wrap(0x04, kTestCiSki)),
                       wrap(0xAA, wrap(0x04, kTestCiSki))});
}

// SGP.22 §5.7.13 ServerSigned1: 30 { 80 transactionId, 81 euiccChallenge, 83 serverAddress, 84 serverChallenge }
inline Bytes server_signed1(size_t transaction_id_size = 16, size_t challenge_size = 16) {
  return wrap(0x30, {wrap(0x80, repeat(0x3F, transaction_id_size)), wrap(0x81, repeat(0x11, challenge_size)),
                     text(0x83, "testsmdpplus1.example.com"), wrap(0x84, repeat(0x22, 16))});
}

// SGP.22 §5.7.20 GetEuiccDataResponse: BF3E { 5A EID }
inline Bytes get_euicc_data_response(size_t eid_size = 16) {
  Bytes eid = kEid;
  eid.resize(eid_size, 0x35);
  return wrap(0xBF3E, wrap(0x5A, eid));
}

// A name with one CN attribute: 30 { 31 { 30 { 06 2.5.4.3, value } } }; `value` is the encoded
// AttributeValue (an ANY), e.g. a UTF8String TLV.
inline Bytes name_with_value(ByteView value) {
  return wrap(0x30, wrap(0x31, wrap(0x30, {wrap(0x06, hex("550403")), value})));
}
inline Bytes name(std::string_view common_name) { return name_with_value(text(0x0C, common_name)); }

// An X.509 v3 certificate shaped like an SGP.26 CI certificate (ECDSA P-256). The signature bytes
// are arbitrary: this is for the codec, not for crypto checks.
inline Bytes certificate(ByteView issuer_name = {}) {
  const Bytes ecdsa_with_sha256 = wrap(0x30, wrap(0x06, hex("2A8648CE3D040302")));
  Bytes issuer = issuer_name.empty() ? name("Test CI") : Bytes(issuer_name.begin(), issuer_name.end());
  Bytes public_key = concat({hex("0004"), repeat(0x5A, 64)});
  Bytes spki = wrap(0x30, {wrap(0x30, {wrap(0x06, hex("2A8648CE3D0201")), wrap(0x06, hex("2A8648CE3D030107"))}),
                           wrap(0x03, public_key)});
  Bytes ski_extension = wrap(0x30, {wrap(0x06, hex("551D0E")), wrap(0x04, wrap(0x04, kTestCiSki))});
  Bytes tbs = wrap(0x30, {wrap(0xA0, wrap(0x02, hex("02"))), wrap(0x02, hex("00B874F3ABFA6C44D3")), ecdsa_with_sha256,
                          issuer, wrap(0x30, {text(0x17, "200401083130Z"), text(0x17, "300330083130Z")}),
                          name("Test CI"), spki, wrap(0xA3, wrap(0x30, ski_extension))});
  Bytes signature = wrap(0x30, {wrap(0x02, repeat(0x31, 32)), wrap(0x02, repeat(0x32, 32))});
  return wrap(0x30, {tbs, ecdsa_with_sha256, wrap(0x03, concat({hex("00"), signature}))});
}

// TCA profile package: header (A0), a telecom element (B2, outside our subset), end (AA).
inline Bytes profile_header() {
  return wrap(0xA0, {wrap(0x80, hex("02")), wrap(0x81, hex("01")), text(0x82, "test profile"),
                     wrap(0x83, hex("98001032547698103214")), wrap(0xA5, wrap(0x81, ByteView{})),
                     wrap(0xA6, wrap(0x06, hex("67810F010201")))});
}
inline Bytes profile_telecom() { return wrap(0xB2, wrap(0xA0, wrap(0x81, hex("0002")))); }
inline Bytes profile_end() { return wrap(0xAA, wrap(0xA0, wrap(0x81, hex("05")))); }
inline Bytes profile_package() { return concat({profile_header(), profile_telecom(), profile_end()}); }

}  // namespace rsp::test::samples
