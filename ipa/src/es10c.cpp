// SGP.22 v2.5 §5.7.14-§5.7.21 ES10c.
#include "ipa/es10c.hpp"

#include <DeleteProfileResponse.h>
#include <DisableProfileResponse.h>
#include <EnableProfileResponse.h>
#include <EuiccMemoryResetResponse.h>
#include <GetEuiccDataResponse.h>
#include <ProfileInfoListResponse.h>
#include <SGP32-ProfileInfoListResponse.h>
#include <SetNicknameResponse.h>

#include "es10_call.hpp"
#include "rsp/eid.hpp"
#include "rsp/iccid.hpp"

namespace ipa::es10c {
namespace {

using rsp::tlv::encode;

std::string text(ByteView v) { return std::string(v.begin(), v.end()); }

// ProfileIdentifier's two alternatives: 4F isdpAid or 5A iccid (swapped BCD).
Es10Expected<Bytes> identifier_tlv(std::string_view function, const ProfileIdentifier& id) {
  if (id.kind == ProfileIdentifier::Kind::isdp_aid) return encode(0x4F, id.isdp_aid);
  auto iccid = rsp::iccid::to_bytes(id.iccid);
  if (!iccid) return rsp::Unexpected{detail::malformed(function, "ICCID " + id.iccid + ": " + iccid.error().message)};
  return encode(0x5A, *iccid);
}

Es10Expected<ProfileInfo> profile_info(std::string_view function, ByteView contents) {
  auto fields = detail::children(function, contents);
  if (!fields) return rsp::Unexpected{fields.error()};
  ProfileInfo p;
  for (const auto& f : *fields) {
    switch (f.tag) {
      case 0x5A: p.iccid = rsp::iccid::from_bytes(f.value).value_or(rsp::to_hex(f.value)); break;
      case 0x4F: p.isdp_aid.assign(f.value.begin(), f.value.end()); break;
      case 0x9F70:
        if (auto s = detail::integer(f.value); s && (*s == 0 || *s == 1)) p.state = static_cast<ProfileState>(*s);
        break;
      case 0x90: p.nickname = text(f.value); break;
      case 0x91: p.service_provider_name = text(f.value); break;
      case 0x92: p.profile_name = text(f.value); break;
      case 0x95:
        if (auto c = detail::integer(f.value); c && *c >= 0 && *c <= 2) p.profile_class = static_cast<ProfileClass>(*c);
        break;
      default: break;  // icon, policy rules, owner ...: not needed by the IPA yet
    }
  }
  return p;
}

// EnableProfile and DisableProfile: TAG { A0 { profileIdentifier }, 81 refreshFlag } -> TAG { 80 result }.
Es10Status switch_profile(Es10Channel& channel, std::string_view function, rsp::tlv::Tag tag,
                          const rsp::asn1::Type& response, const ProfileIdentifier& profile, bool refresh,
                          detail::CodeNames names) {
  auto id = identifier_tlv(function, profile);
  if (!id) return rsp::Unexpected{id.error()};
  return detail::result_function(channel, function,
                                 encode(tag, rsp::concat({encode(0xA0, *id), encode(0x81, detail::boolean(refresh))})),
                                 response, 0x80, names);
}

}  // namespace

// SGP.22 v2.5 §5.7.15 ES10c.GetProfilesInfo
Es10Expected<std::vector<ProfileInfo>> get_profiles_info(Es10Channel& channel, const ProfileSearch& search) {
  constexpr std::string_view kFunction = "GetProfilesInfo";
  Bytes criteria;
  if (search.profile) {
    auto id = identifier_tlv(kFunction, *search.profile);
    if (!id) return rsp::Unexpected{id.error()};
    criteria = encode(0xA0, *id);
  } else if (search.profile_class) {
    criteria = encode(0xA0, encode(0x95, detail::integer_contents(static_cast<long>(*search.profile_class))));
  }
  // The SGP.32 form first: it lists more ProfileInfo fields than the SGP.22 one.
  auto answer = detail::call(channel, kFunction, encode(0xBF2D, criteria),
                             {&asn_DEF_SGP32_ProfileInfoListResponse, &asn_DEF_ProfileInfoListResponse});
  if (!answer) return rsp::Unexpected{answer.error()};
  auto items = detail::list_or_error(
      kFunction, *answer, {{1, "incorrectInputValues"}, {11, "profileChangeOngoing"}, {127, "undefinedError"}});
  if (!items) return rsp::Unexpected{items.error()};
  std::vector<ProfileInfo> out;
  for (const auto& item : *items) {
    auto p = profile_info(kFunction, item.value);
    if (!p) return rsp::Unexpected{p.error()};
    out.push_back(std::move(*p));
  }
  return out;
}

// SGP.22 v2.5 §5.7.16 ES10c.EnableProfile
Es10Status enable_profile(Es10Channel& channel, const ProfileIdentifier& profile, bool refresh) {
  return switch_profile(channel, "EnableProfile", 0xBF31, asn_DEF_EnableProfileResponse, profile, refresh,
                        {{1, "iccidOrAidNotFound"},
                         {2, "profileNotInDisabledState"},
                         {3, "disallowedByPolicy"},
                         {4, "wrongProfileReenabling"},
                         {5, "catBusy"},
                         {127, "undefinedError"}});
}

// SGP.22 v2.5 §5.7.17 ES10c.DisableProfile
Es10Status disable_profile(Es10Channel& channel, const ProfileIdentifier& profile, bool refresh) {
  return switch_profile(channel, "DisableProfile", 0xBF32, asn_DEF_DisableProfileResponse, profile, refresh,
                        {{1, "iccidOrAidNotFound"},
                         {2, "profileNotInEnabledState"},
                         {3, "disallowedByPolicy"},
                         {5, "catBusy"},
                         {127, "undefinedError"}});
}

// SGP.22 v2.5 §5.7.18 ES10c.DeleteProfile
Es10Status delete_profile(Es10Channel& channel, const ProfileIdentifier& profile) {
  constexpr std::string_view kFunction = "DeleteProfile";
  auto id = identifier_tlv(kFunction, profile);
  if (!id) return rsp::Unexpected{id.error()};
  return detail::result_function(channel, kFunction, encode(0xBF33, *id), asn_DEF_DeleteProfileResponse, 0x80,
                                 {{1, "iccidOrAidNotFound"},
                                  {2, "profileNotInDisabledState"},
                                  {3, "disallowedByPolicy"},
                                  {127, "undefinedError"}});
}

// SGP.22 v2.5 §5.7.19 ES10c.eUICCMemoryReset
Es10Status euicc_memory_reset(Es10Channel& channel, const MemoryResetOptions& options) {
  Bytes bits = detail::named_bits({options.delete_operational_profiles, options.delete_field_loaded_test_profiles,
                                   options.reset_default_smdp_address});
  return detail::result_function(channel, "eUICCMemoryReset", encode(0xBF34, encode(0x82, bits)),
                                 asn_DEF_EuiccMemoryResetResponse, 0x80,
                                 {{1, "nothingToDelete"}, {5, "catBusy"}, {127, "undefinedError"}});
}

// SGP.22 v2.5 §5.7.20 ES10c.GetEID
Es10Expected<std::string> get_eid(Es10Channel& channel) {
  constexpr std::string_view kFunction = "GetEID";
  auto answer =
      detail::call(channel, kFunction, encode(0xBF3E, encode(0x5C, Bytes{0x5A})), {&asn_DEF_GetEuiccDataResponse});
  if (!answer) return rsp::Unexpected{answer.error()};
  auto top = detail::outer(kFunction, *answer);
  if (!top) return rsp::Unexpected{top.error()};
  auto eid = rsp::tlv::find(top->value, 0x5A);
  if (!eid) return rsp::Unexpected{detail::malformed(kFunction, "no eidValue")};
  auto digits = rsp::eid::from_bytes(eid->value);
  if (!digits) return rsp::Unexpected{detail::malformed(kFunction, digits.error().message)};
  return std::move(*digits);
}

// SGP.22 v2.5 §5.7.21 ES10c.SetNickname
Es10Status set_nickname(Es10Channel& channel, std::string_view iccid, std::string_view nickname) {
  constexpr std::string_view kFunction = "SetNickname";
  auto id = identifier_tlv(kFunction, ProfileIdentifier::by_iccid(std::string(iccid)));
  if (!id) return rsp::Unexpected{id.error()};
  return detail::result_function(channel, kFunction,
                                 encode(0xBF29, rsp::concat({*id, encode(0x90, rsp::to_bytes(nickname))})),
                                 asn_DEF_SetNicknameResponse, 0x80, {{1, "iccidNotFound"}, {127, "undefinedError"}});
}

}  // namespace ipa::es10c
