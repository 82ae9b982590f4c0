#pragma once
// SAIP profile packages for tests. A normal profile comes from rsp::make_profile_package (ProfileHeader,
// PE-MF with EF.DIR naming the USIM, PE-USIM, PE-AKAParameter with MILENAGE and the TS 35.208 Test Set 1
// K and OPc, end); the helpers below put the library's elements (rsp/profile_elements.hpp) together with
// whatever a test changes, for the deliberately odd packages (TUAK, bad key lengths, no dfName, ...).
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rsp/asn1/profile_package.hpp"
#include "rsp/bytes.hpp"
#include "rsp/iccid.hpp"
#include "rsp/profile_elements.hpp"
#include "rsp/profile_maker.hpp"
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

inline const Bytes kAid = rsp::kDefaultUsimAid;  // A0000000871002FF49FF0589
inline const std::string kTestImsi = "001010123456789";
inline const Bytes kEfImsi = hex("080910101032547698");  // kTestImsi
// EF.UST: services 27 (GSM access) and 38 (GSM security context).
inline const Bytes kUstWithGsm = hex("0000000420");
// sqnDelta '07FFFFFFFFFF': TS 35.208's SQN of Test Set 1 is far above a new card's SQN_MS.
constexpr uint64_t kTestSqnDelta = 0x07FFFFFFFFFF;

inline Bytes pe_header(uint8_t identification) { return rsp::profile_elements::element_header(identification); }

inline Bytes profile_header(const std::string& iccid) {
  return rsp::profile_elements::header(rsp::iccid::to_bytes(iccid, rsp::iccid::Nibbles::plain).value());
}
inline Bytes mf_element(const Bytes& dir_aid) { return rsp::profile_elements::mf(dir_aid); }

struct UsimElement {
  std::optional<Bytes> aid = kAid;  // adf-usim dfName
  Bytes ef_imsi = kEfImsi;
  Bytes ef_ust = kUstWithGsm;
};
inline Bytes usim_element(const UsimElement& u) {
  return rsp::profile_elements::usim({u.aid, u.ef_imsi, u.ef_ust, hex("00000002")});
}

struct AkaElement {
  long algorithm = 1;
  Bytes key = kK;
  Bytes opc = kOpc;
  std::optional<Bytes> sqn_delta = hex("07FFFFFFFFFF");  // kTestSqnDelta
  bool mapping = false;                                  // mappingParameter onto kAid instead of algoParameter
};
inline Bytes aka_element(const AkaElement& a) {
  return rsp::profile_elements::aka_parameter({static_cast<uint8_t>(a.algorithm), a.key, a.opc, a.sqn_delta,
                                               a.mapping ? std::optional<Bytes>(kAid) : std::nullopt});
}

inline Bytes end_element() { return rsp::profile_elements::end(); }

inline Bytes package(const std::vector<Bytes>& elements) {
  Bytes out;
  for (const auto& e : elements) out.insert(out.end(), e.begin(), e.end());
  REQUIRE(rsp::asn1::parse_profile_package(out));  // every element decodes with the PE module
  return out;
}

// The spec of the normal test profile: Test Set 1 keys, kTestImsi, kAid.
inline rsp::ProfileSpec test_spec(const std::string& iccid) {
  rsp::ProfileSpec spec;
  spec.iccid = iccid;
  spec.imsi = kTestImsi;
  spec.ki = kK;
  spec.opc = kOpc;
  spec.sqn_delta = kTestSqnDelta;
  return spec;
}

// A normal profile with a USIM, made by the library.
inline Bytes usim_package(const std::string& iccid) { return rsp::make_profile_package(test_spec(iccid)).value(); }

// The same profile with the test's changes to the USIM or its akaParameter.
inline Bytes usim_package(const std::string& iccid, const UsimElement& u, const AkaElement& a = {}) {
  return package({profile_header(iccid), mf_element(kAid), usim_element(u), aka_element(a), end_element()});
}

}  // namespace euicc::test
