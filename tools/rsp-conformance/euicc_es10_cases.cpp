// The eUICC role's first cases: read-only ES10a/b/c functions and the STORE DATA framing. Safe on a
// real card: nothing here changes, deletes or resets anything on it.
#include <EUICCInfo1.h>
#include <EUICCInfo2.h>
#include <ProfileInfoListResponse.h>
#include <SGP32-EUICCInfo2.h>

#include <algorithm>
#include <set>

#include "case.hpp"
#include "euicc_case.hpp"
#include "ipa/es10a.hpp"
#include "ipa/es10b.hpp"
#include "ipa/es10c.hpp"
#include "ipa/sgp32_es10b.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/asn1/primitives.hpp"
#include "rsp/crypto/certificate.hpp"
#include "rsp/eid.hpp"
#include "rsp/tlv.hpp"

namespace conformance {
namespace {

using rsp::Bytes;
using Keys = std::set<Bytes>;

std::string got(const ipa::Es10Error& e) { return "got: " + e.message; }

template <class List>
Keys keys_of(const List& list) {
  Keys keys;
  for (int i = 0; i < list.list.count; ++i)
    keys.insert(Bytes(list.list.array[i]->buf, list.list.array[i]->buf + list.list.array[i]->size));
  return keys;
}

struct CiLists {
  Keys verification, signing;
  size_t svn_size = 0;
};

rsp::Expected<CiLists> info1(EuiccTarget& t) {
  auto tlv = ipa::es10b::get_euicc_info1(t.channel);
  if (!tlv) return rsp::fail(tlv.error().message);
  auto v = rsp::asn1::decode_as<EUICCInfo1_t>(asn_DEF_EUICCInfo1, *tlv);
  if (!v) return rsp::fail(v.error().message());
  return CiLists{keys_of((*v)->euiccCiPKIdListForVerification), keys_of((*v)->euiccCiPKIdListForSigning),
                 static_cast<size_t>((*v)->svn.size)};
}

template <class T>
CiLists lists_of(const T& info) {
  return {keys_of(info.euiccCiPKIdListForVerification), keys_of(info.euiccCiPKIdListForSigning),
          static_cast<size_t>(info.svn.size)};
}

// EUICCInfo2 in the SGP.22 form, or the SGP.32 one.
rsp::Expected<CiLists> info2(EuiccTarget& t) {
  auto tlv = ipa::es10b::get_euicc_info2(t.channel);
  if (!tlv) return rsp::fail(tlv.error().message);
  if (auto v = rsp::asn1::decode_as<EUICCInfo2_t>(asn_DEF_EUICCInfo2, *tlv)) return lists_of(**v);
  auto v = rsp::asn1::decode_as<SGP32_EUICCInfo2_t>(asn_DEF_SGP32_EUICCInfo2, *tlv);
  if (!v) return rsp::fail(v.error().message());
  return lists_of(**v);
}

Outcome check_lists(const CiLists& l, const std::string& what) {
  if (l.svn_size != 3) return fail(what + " svn: expected 3 bytes (VersionType), got " + std::to_string(l.svn_size));
  if (l.verification.empty())
    return fail(what + " euiccCiPKIdListForVerification: expected at least one CI key, got none");
  if (l.signing.empty()) return fail(what + " euiccCiPKIdListForSigning: expected at least one CI key, got none");
  return pass(std::to_string(l.verification.size()) + " CI keys for verification, " + std::to_string(l.signing.size()) +
              " for signing");
}

// GetProfilesInfo asking for several tags: long enough (24 bytes) to be cut into segments.
Bytes profiles_info_request() {
  return rsp::tlv::encode(0xBF2D, rsp::tlv::encode(0x5C, Bytes{0x5A, 0x4F, 0x9F, 0x70, 0x90, 0x91, 0x92, 0x95, 0xB6,
                                                               0xB7, 0xB8, 0x99, 0xBF, 0x76, 0x5A, 0x4F}));
}

Outcome segmented_answers(EuiccTarget& t) {
  Bytes command = profiles_info_request();
  auto reference = t.channel.call(command);
  if (!reference) return fail("expected an answer in one 255-byte segment, " + got(reference.error()));
  for (size_t size : {6, 7, 11, 16}) {
    ipa::ChannelOptions options = t.channel.options();
    options.segment_size = size;
    ipa::Es10Channel segmented(t.channel.transport(), options);
    auto answer = segmented.call(command);
    if (!answer)
      return fail("segments of " + std::to_string(size) + " bytes: expected the one-segment answer, " +
                  got(answer.error()));
    if (*answer != *reference)
      return fail("segments of " + std::to_string(size) + " bytes: expected " + rsp::to_hex(*reference) + ", got " +
                  rsp::to_hex(*answer));
  }
  return pass("segments of 6, 7, 11, 16 and 255 bytes give the same answer");
}

Outcome truncated_tlv(EuiccTarget& t) {
  // BF2D announcing 5 bytes with 2 present.
  auto answer = t.channel.call(Bytes{0xBF, 0x2D, 0x05, 0x5C, 0x01});
  if (!answer) {
    const auto& e = answer.error();
    // GlobalPlatform Card Specification v2.3 §11.11.3: 6A80 for incorrect data in the command.
    if (e.kind == ipa::Es10Error::Kind::status_word && e.status_word == 0x6A80) return pass("6A80 (incorrect data)");
    return fail("expected 6A80 or ProfileInfoListError, " + got(e));
  }
  auto v = rsp::asn1::decode_as<ProfileInfoListResponse_t>(asn_DEF_ProfileInfoListResponse, *answer);
  if (v && (*v)->present == ProfileInfoListResponse_PR_profileInfoListError)
    return pass("profileInfoListError " +
                std::to_string(rsp::asn1::to_long((*v)->choice.profileInfoListError).value_or(-1)));
  return fail("expected 6A80 or ProfileInfoListError, got 9000 with " + rsp::to_hex(*answer));
}

Outcome malformed_search_criteria(EuiccTarget& t) {
  // searchCriteria iccid of 3 bytes: Iccid is OCTET STRING (SIZE(10)).
  Bytes criteria = rsp::tlv::encode(0xA0, rsp::tlv::encode(0x5A, Bytes{0x89, 0x01, 0x23}));
  auto answer = t.channel.call(rsp::tlv::encode(0xBF2D, criteria));
  if (!answer) return fail("expected ProfileInfoListError incorrectInputValues (1), " + got(answer.error()));
  auto v = rsp::asn1::decode_as<ProfileInfoListResponse_t>(asn_DEF_ProfileInfoListResponse, *answer);
  if (!v) return fail("expected ProfileInfoListResponse, got an answer off the schema: " + v.error().message());
  if ((*v)->present != ProfileInfoListResponse_PR_profileInfoListError)
    return fail("expected ProfileInfoListError incorrectInputValues (1), got a profile list");
  long code = rsp::asn1::to_long((*v)->choice.profileInfoListError).value_or(-1);
  if (code != 1) return fail("expected incorrectInputValues (1), got " + std::to_string(code));
  return pass("incorrectInputValues (1)");
}

Outcome eid(EuiccTarget& t) {
  auto digits = ipa::es10c::get_eid(t.channel);
  if (!digits) return fail("expected 32 EID digits, " + got(digits.error()));
  if (digits->size() != 32 || !rsp::eid::valid(*digits))
    return fail("expected 32 digits with valid check digits (ISO/IEC 7812-1 mod 97), got " + *digits);
  return pass(*digits);
}

Outcome eid_matches_certificate(EuiccTarget& t) {
  auto certs = ipa::sgp32::get_certs(t.channel);
  if (!certs) {
    // An SGP.22 card refuses the unknown BF56 command: INS not supported (6D00) or incorrect data
    // (6A80, 6A88); any other status word is a failure.
    uint16_t sw = certs.error().status_word;
    if (certs.error().kind == ipa::Es10Error::Kind::status_word && (sw == 0x6D00 || sw == 0x6A80 || sw == 0x6A88))
      return not_applicable("the card has no ES10b.GetCerts (" + certs.error().message + "): not an SGP.32 eUICC");
    return fail("expected GetCertsResponse, " + got(certs.error()));
  }
  auto digits = ipa::es10c::get_eid(t.channel);
  if (!digits) return fail("expected the EID, " + got(digits.error()));
  auto cert = rsp::crypto::Certificate::from_der(certs->euicc_certificate);
  if (!cert) return fail("expected CERT.EUICC as X.509, got: " + cert.error().message);
  auto serial = cert->subject_serial_number();
  if (!serial || *serial != *digits)
    return fail("expected CERT.EUICC's subject serialNumber " + *digits + ", got " + serial.value_or("(none)"));
  return pass(*digits);
}

}  // namespace

std::vector<Case> euicc_es10_cases() {
  std::vector<Case> c;
  c.push_back(euicc("ES10a.GetEuiccConfiguredAddresses.Nominal", "SGP.22 v2.5 §5.7.3", "BF3C00",
                    "EuiccConfiguredAddressesResponse with a rootDsAddress", [](EuiccTarget& t) {
                      auto a = ipa::es10a::get_euicc_configured_addresses(t.channel);
                      if (!a) return fail("expected EuiccConfiguredAddressesResponse, " + got(a.error()));
                      if (a->root_ds_address.empty()) return fail("expected a rootDsAddress, got an empty one");
                      return pass("root SM-DS " + a->root_ds_address);
                    }));
  c.push_back(euicc("ES10b.GetEUICCInfo1.Nominal", "SGP.22 v2.5 §5.7.8", "BF2000",
                    "EUICCInfo1: svn, non-empty CI key lists", [](EuiccTarget& t) {
                      auto l = info1(t);
                      return l ? check_lists(*l, "EUICCInfo1") : fail("expected EUICCInfo1, got: " + l.error().message);
                    }));
  c.push_back(euicc("ES10b.GetEUICCInfo2.Nominal", "SGP.22 v2.5 §5.7.8", "BF2200",
                    "EUICCInfo2 (SGP.22 or SGP.32 form): svn, non-empty CI key lists", [](EuiccTarget& t) {
                      auto l = info2(t);
                      return l ? check_lists(*l, "EUICCInfo2") : fail("expected EUICCInfo2, got: " + l.error().message);
                    }));
  c.push_back(euicc(
      "ES10b.GetEUICCInfo.ConsistentCiLists", "SGP.22 v2.5 §5.7.8", "BF2000, BF2200",
      "EUICCInfo1's CI key lists contained in EUICCInfo2's", [](EuiccTarget& t) {
        auto one = info1(t);
        auto two = info2(t);
        if (!one || !two)
          return fail("expected EUICCInfo1 and EUICCInfo2, got: " + (one ? two.error() : one.error()).message);
        bool v = std::includes(two->verification.begin(), two->verification.end(), one->verification.begin(),
                               one->verification.end());
        bool s = std::includes(two->signing.begin(), two->signing.end(), one->signing.begin(), one->signing.end());
        if (!v || !s)
          return fail(std::string("expected EUICCInfo1's ") + (v ? "signing" : "verification") +
                      " CI keys among EUICCInfo2's, got keys EUICCInfo2 does not list");
        return pass();
      }));
  c.push_back(euicc("ES10b.GetEUICCChallenge.Nominal", "SGP.22 v2.5 §5.7.7", "BF2E00 twice",
                    "a 16-byte euiccChallenge each time, the two different", [](EuiccTarget& t) {
                      auto a = ipa::es10b::get_euicc_challenge(t.channel);
                      auto b = ipa::es10b::get_euicc_challenge(t.channel);
                      if (!a || !b)
                        return fail("expected GetEuiccChallengeResponse, " + got((a ? b.error() : a.error())));
                      if (a->size() != 16 || b->size() != 16)
                        return fail("expected 16 bytes, got " + std::to_string(a->size()) + " and " +
                                    std::to_string(b->size()));
                      if (*a == *b) return fail("expected two different challenges, got " + rsp::to_hex(*a) + " twice");
                      return pass();
                    }));
  c.push_back(euicc("ES10b.GetRAT.Nominal", "SGP.22 v2.5 §5.7.22", "BF4300", "GetRatResponse (schema-valid)",
                    [](EuiccTarget& t) {
                      auto r = ipa::es10b::get_rat(t.channel);
                      return r ? pass() : fail("expected GetRatResponse, " + got(r.error()));
                    }));
  c.push_back(euicc("ES10b.ListNotification.Nominal", "SGP.22 v2.5 §5.7.9", "BF2800",
                    "ListNotificationResponse with notificationMetadataList", [](EuiccTarget& t) {
                      auto r = ipa::es10b::list_notification(t.channel);
                      return r ? pass(std::to_string(r->size()) + " pending")
                               : fail("expected ListNotificationResponse, " + got(r.error()));
                    }));
  c.push_back(
      euicc("ES10c.GetEID.Nominal", "SGP.22 v2.5 §5.7.20", "BF3E035C015A", "32 digits with valid check digits", eid));
  c.push_back(euicc("ES10c.GetEID.MatchesCertEuicc", "SGP.32 v1.2 ES10b.GetCerts", "BF3E, BF56",
                    "the EID equal to CERT.EUICC's subject serialNumber (SGP.32 cards only)", eid_matches_certificate));
  c.push_back(euicc("ES10c.GetProfilesInfo.Nominal", "SGP.22 v2.5 §5.7.15", "BF2D00",
                    "ProfileInfoListResponse with a list", [](EuiccTarget& t) {
                      auto r = ipa::es10c::get_profiles_info(t.channel);
                      return r ? pass(std::to_string(r->size()) + " profiles")
                               : fail("expected profileInfoListOk, " + got(r.error()));
                    }));
  c.push_back(euicc("ES10c.GetProfilesInfo.MalformedSearchCriteria", "SGP.22 v2.5 §5.7.15",
                    "BF2D with searchCriteria iccid of 3 bytes", "ProfileInfoListError incorrectInputValues (1)",
                    malformed_search_criteria));
  c.push_back(euicc("ES10.StoreData.SegmentSizes", "GPCS v2.3 §11.11 STORE DATA (SGP.22 ES10 framing)",
                    "GetProfilesInfo with a tag list in 6..255-byte blocks", "the same answer for every segment size",
                    segmented_answers));
  c.push_back(euicc("ES10.StoreData.TruncatedTlv", "GPCS v2.3 §11.11 STORE DATA (SGP.22 ES10 framing)",
                    "BF2D announcing 5 bytes, 2 present", "SW 6A80 or ProfileInfoListError", truncated_tlv));
  return c;
}

}  // namespace conformance
