// SGP.22 v2.5 §5.7.15-5.7.21 ES10c (local profile management) and §5.7.3-5.7.4 ES10a (addresses).
//
// Every function decodes its command with the ASN.1 face, so a command that does not match the
// schema is refused with 6A80 (GetProfilesInfo, which has a code for it, answers
// incorrectInputValues). Every change goes through commit_change() or commit_operation(): a failed
// commit answers undefinedError and leaves the card as it was. The profile operations themselves
// live in profile_operations.hpp, shared with the SGP.32 PSMOs. Codes this card never produces:
// catBusy (5), as it runs no CAT proactive session; wrongProfileReenabling (4), which belongs to
// Device Test Mode's return to the previous operational profile, which this card does not model.
#include "es10c.hpp"

#include <DeleteProfileRequest.h>
#include <DisableProfileRequest.h>
#include <EnableProfileRequest.h>
#include <EuiccConfiguredAddressesRequest.h>
#include <EuiccMemoryResetRequest.h>
#include <ProfileInfoListRequest.h>
#include <SetDefaultDpAddressRequest.h>
#include <SetNicknameRequest.h>

#include "profile_operations.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/asn1/primitives.hpp"
#include "state_change.hpp"

namespace euicc {
namespace {

using rsp::apdu::sw::kIncorrectData;
using rsp::asn1::view;
using rsp::tlv::Tag;

// EuiccMemoryResetResponse, SetNicknameResponse and SetDefaultDpAddressResponse codes.
namespace setting_result {
constexpr long kOk = 0;
constexpr long kIccidNotFound = 1;    // SetNickname
constexpr long kNothingToDelete = 1;  // eUICCMemoryReset
constexpr long kUndefinedError = 127;
}  // namespace setting_result

}  // namespace

// SGP.22 v2.5 §5.7.15 ES10c.GetProfilesInfo
Es10Result get_profiles_info(CardContext& card, const Tlv& request) {
  auto decoded = rsp::asn1::decode_as<ProfileInfoListRequest_t>(asn_DEF_ProfileInfoListRequest, request.whole);
  if (!decoded) return tlv(0xBF2D, tlv_integer(0x81, 1));  // incorrectInputValues
  return profile_info_list(card.state, **decoded);
}

namespace {

// The profile an EnableProfile/DisableProfile profileIdentifier names; nullopt when the card has none
// such, an Es10Result error when the identifier is neither alternative.
template <class Identifier, class Choice>
rsp::Expected<std::optional<size_t>, uint16_t> identified(const CardState& state, const Identifier& id, Choice aid,
                                                          Choice iccid) {
  if (id.present == aid) return find_by_aid(state, view(id.choice.isdpAid));
  if (id.present == iccid) return find_by_iccid(state, view(id.choice.iccid));
  return rsp::Unexpected{kIncorrectData};
}

}  // namespace

// SGP.22 v2.5 §5.7.16 ES10c.EnableProfile
Es10Result enable_profile(CardContext& card, const Tlv& request) {
  auto decoded = rsp::asn1::decode_as<EnableProfileRequest_t>(asn_DEF_EnableProfileRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  auto target =
      identified(card.state, (*decoded)->profileIdentifier, EnableProfileRequest__profileIdentifier_PR_isdpAid,
                 EnableProfileRequest__profileIdentifier_PR_iccid);
  if (!target) return rsp::Unexpected{target.error()};
  // refreshFlag asks for a REFRESH proactive command after the switch; this card has no CAT
  // session to send it on, and the switch takes effect at once either way.
  if (!*target) return result_tlv(0xBF31, profile_result::kIccidOrAidNotFound);
  return result_tlv(0xBF31, commit_operation(card, [&] { return profile_operations::enable(card, **target); }));
}

// SGP.22 v2.5 §5.7.17 ES10c.DisableProfile
Es10Result disable_profile(CardContext& card, const Tlv& request) {
  auto decoded = rsp::asn1::decode_as<DisableProfileRequest_t>(asn_DEF_DisableProfileRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  auto target =
      identified(card.state, (*decoded)->profileIdentifier, DisableProfileRequest__profileIdentifier_PR_isdpAid,
                 DisableProfileRequest__profileIdentifier_PR_iccid);
  if (!target) return rsp::Unexpected{target.error()};
  if (!*target) return result_tlv(0xBF32, profile_result::kIccidOrAidNotFound);
  return result_tlv(0xBF32, commit_operation(card, [&] { return profile_operations::disable(card, **target); }));
}

// SGP.22 v2.5 §5.7.18 ES10c.DeleteProfile
Es10Result delete_profile(CardContext& card, const Tlv& request) {
  auto decoded = rsp::asn1::decode_as<DeleteProfileRequest_t>(asn_DEF_DeleteProfileRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  std::optional<size_t> target;
  switch ((*decoded)->present) {
    case DeleteProfileRequest_PR_isdpAid: target = find_by_aid(card.state, view((*decoded)->choice.isdpAid)); break;
    case DeleteProfileRequest_PR_iccid: target = find_by_iccid(card.state, view((*decoded)->choice.iccid)); break;
    default: return rsp::Unexpected{kIncorrectData};
  }
  if (!target) return result_tlv(0xBF33, profile_result::kIccidOrAidNotFound);
  std::string iccid = card.state.profiles[*target].iccid;
  long code = commit_operation(card, [&] { return profile_operations::remove(card, *target); });
  // Only once no state names it: a kill before this leaves an orphan that the next start removes.
  if (code == profile_result::kOk) card.store.remove_profile_package(iccid);
  return result_tlv(0xBF33, code);
}

// SGP.22 v2.5 §5.7.19 ES10c.eUICCMemoryReset
Es10Result euicc_memory_reset(CardContext& card, const Tlv& request) {
  auto decoded = rsp::asn1::decode_as<EuiccMemoryResetRequest_t>(asn_DEF_EuiccMemoryResetRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  Bytes options = bit_string_contents((*decoded)->resetOptions);
  // Profile Policy Rules do not protect against a memory reset, and it sends no notifications.
  // Provisioning profiles stay. This card cannot tell pre-installed test profiles from field-loaded
  // ones: it has none pre-installed, so every test profile counts as field-loaded.
  auto doomed = [&](const Profile& p) {
    return (p.profile_class == ProfileClass::operational && bit_set(options, kDeleteOperationalProfiles)) ||
           (p.profile_class == ProfileClass::test && bit_set(options, kDeleteFieldLoadedTestProfiles));
  };
  bool any_doomed = std::any_of(card.state.profiles.begin(), card.state.profiles.end(), doomed);
  bool reset_address = bit_set(options, kResetDefaultSmdpAddress) && !card.state.default_dp_address.empty();
  if (!any_doomed && !reset_address) return result_tlv(0xBF34, setting_result::kNothingToDelete);
  std::vector<std::string> deleted;
  bool committed = commit_change(card, [&] {
    deleted = profile_operations::remove_where(card.state, doomed);
    if (reset_address) card.state.default_dp_address.clear();
  });
  if (!committed) return result_tlv(0xBF34, setting_result::kUndefinedError);
  for (const auto& iccid : deleted) card.store.remove_profile_package(iccid);
  return result_tlv(0xBF34, setting_result::kOk);
}

// SGP.22 v2.5 §5.7.21 ES10c.SetNickname
Es10Result set_nickname(CardContext& card, const Tlv& request) {
  // The decoder enforces profileNickname SIZE(0..64) (characters) and the 10-byte ICCID.
  auto decoded = rsp::asn1::decode_as<SetNicknameRequest_t>(asn_DEF_SetNicknameRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  auto target = find_by_iccid(card.state, view((*decoded)->iccid));
  if (!target) return result_tlv(0xBF29, setting_result::kIccidNotFound);
  std::string nickname = rsp::asn1::text((*decoded)->profileNickname);
  bool committed = commit_change(card, [&] { card.state.profiles[*target].nickname = nickname; });
  return result_tlv(0xBF29, committed ? setting_result::kOk : setting_result::kUndefinedError);
}

// SGP.22 v2.5 §5.7.3 ES10a.GetEuiccConfiguredAddresses
Es10Result get_euicc_configured_addresses(CardContext& card, const Tlv& request) {
  auto decoded = rsp::asn1::decode(asn_DEF_EuiccConfiguredAddressesRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  Bytes default_dp;
  if (!card.state.default_dp_address.empty()) default_dp = tlv(0x80, rsp::to_bytes(card.state.default_dp_address));
  return tlv(0xBF3C, {default_dp, tlv(0x81, rsp::to_bytes(card.state.root_ds_address))});
}

// SGP.22 v2.5 §5.7.4 ES10a.SetDefaultDpAddress
Es10Result set_default_dp_address(CardContext& card, const Tlv& request) {
  auto decoded = rsp::asn1::decode_as<SetDefaultDpAddressRequest_t>(asn_DEF_SetDefaultDpAddressRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  // An empty address removes the default SM-DP+ address.
  std::string address = rsp::asn1::text((*decoded)->defaultDpAddress);
  bool committed = commit_change(card, [&] { card.state.default_dp_address = address; });
  return result_tlv(0xBF3F, committed ? setting_result::kOk : setting_result::kUndefinedError);
}

}  // namespace euicc
