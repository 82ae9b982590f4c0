// SGP.22 v2.5 §5.7.15-5.7.21 ES10c (local profile management) and §5.7.3-5.7.4 ES10a (addresses).
//
// Every function decodes its command with the ASN.1 face, so a command that does not match the
// schema is refused with 6A80 (GetProfilesInfo, which has a code for it, answers
// incorrectInputValues). Every change goes through commit_change(): a failed commit answers
// undefinedError and leaves the card as it was. Codes this card never produces: catBusy (5), as it
// runs no CAT proactive session; wrongProfileReenabling (4), which belongs to Device Test Mode's
// return to the previous operational profile, which this card does not model.
#include "es10c.hpp"

#include <DeleteProfileRequest.h>
#include <DisableProfileRequest.h>
#include <EnableProfileRequest.h>
#include <EuiccConfiguredAddressesRequest.h>
#include <EuiccMemoryResetRequest.h>
#include <ProfileInfoListRequest.h>
#include <SetDefaultDpAddressRequest.h>
#include <SetNicknameRequest.h>

#include <functional>
#include <map>
#include <set>

#include "es10b_notifications.hpp"
#include "notification_event.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/asn1/primitives.hpp"
#include "rsp/iccid.hpp"
#include "state_change.hpp"

namespace euicc {
namespace {

using rsp::apdu::sw::kIncorrectData;
using rsp::asn1::view;
using rsp::tlv::Tag;

// Result codes shared by EnableProfileResponse, DisableProfileResponse, DeleteProfileResponse,
// EuiccMemoryResetResponse, SetNicknameResponse and SetDefaultDpAddressResponse.
constexpr long kOk = 0;
constexpr long kIccidOrAidNotFound = 1;        // SetNickname: iccidNotFound
constexpr long kProfileNotInRequiredState = 2; // Enable/Delete: notInDisabledState; Disable: notInEnabledState
constexpr long kDisallowedByPolicy = 3;
constexpr long kNothingToDelete = 1;           // eUICCMemoryReset
constexpr long kUndefinedError = 127;
// ProfileInfoListError
constexpr long kIncorrectInputValues = 1;

// PprIds bits: ppr1 disabling not allowed, ppr2 deletion not allowed.
constexpr int kPpr1 = 1;
constexpr int kPpr2 = 2;
// EuiccMemoryResetRequest resetOptions bits.
constexpr int kDeleteOperationalProfiles = 0;
constexpr int kDeleteFieldLoadedTestProfiles = 1;
constexpr int kResetDefaultSmdpAddress = 2;

Bytes result(Tag tag, long code) { return tlv(tag, tlv_integer(0x80, code)); }

// Named bit `bit` of BIT STRING contents (unused-bits octet first).
bool bit_set(ByteView contents, int bit) {
  if (contents.size() < 2 || bit < 0) return false;
  size_t bits = (contents.size() - 1) * 8 - (contents[0] & 0x07);
  auto b = static_cast<size_t>(bit);
  return b < bits && (contents[1 + b / 8] & (0x80 >> (b % 8))) != 0;
}

Bytes bit_string_contents(const BIT_STRING_t& b) {
  Bytes contents(1 + static_cast<size_t>(b.size));
  contents[0] = static_cast<uint8_t>(b.bits_unused);
  std::copy(b.buf, b.buf + b.size, contents.begin() + 1);
  return contents;
}

bool has_ppr(const Profile& p, int ppr) { return bit_set(p.profile_policy_rules, ppr); }

std::optional<size_t> find_by_aid(const CardState& state, ByteView aid) {
  for (size_t i = 0; i < state.profiles.size(); ++i) {
    const auto& a = state.profiles[i].isdp_aid;
    if (std::equal(a.begin(), a.end(), aid.begin(), aid.end())) return i;
  }
  return std::nullopt;
}

// By the 10-byte swapped-BCD form, compared as bytes (so a malformed ICCID finds nothing).
std::optional<size_t> find_by_iccid(const CardState& state, ByteView iccid) {
  for (size_t i = 0; i < state.profiles.size(); ++i) {
    auto bytes = rsp::iccid::to_bytes(state.profiles[i].iccid);
    if (bytes && std::equal(bytes->begin(), bytes->end(), iccid.begin(), iccid.end())) return i;
  }
  return std::nullopt;
}

std::optional<size_t> enabled_index(const CardState& state) {
  for (size_t i = 0; i < state.profiles.size(); ++i)
    if (state.profiles[i].state == ProfileState::enabled) return i;
  return std::nullopt;
}

// The tags of a tagList (5C): BER tags back to back, up to three bytes each.
std::optional<std::set<Tag>> parse_tag_list(ByteView list) {
  std::set<Tag> tags;
  size_t pos = 0;
  while (pos < list.size()) {
    Tag tag = list[pos++];
    if ((tag & 0x1F) == 0x1F) {
      for (int i = 0;; ++i) {
        if (pos >= list.size() || i == 2) return std::nullopt;
        uint8_t b = list[pos++];
        tag = tag << 8 | b;
        if ((b & 0x80) == 0) break;
      }
    }
    tags.insert(tag);
  }
  return tags;
}

// ProfileInfo (E3) of one profile with the fields `wanted` names (all of them without a tag list),
// in the order of the SGP.32 v1.2 ProfileInfo (the SGP.22 one plus ecallIndication 9F7B,
// fallbackAttribute 9F26, fallbackAllowed 9F67 at the end).
Bytes profile_info(const Profile& p, const std::optional<std::set<Tag>>& wanted) {
  // profileOwner, serviceSpecificDataStoredInEuicc and the SGP.32 flags live only in the
  // StoreMetadataRequest (BF25) kept as received.
  std::map<Tag, ByteView> metadata;
  if (auto m = rsp::tlv::read(p.store_metadata); m && m->tag == 0xBF25)
    if (auto children = rsp::tlv::read_all(m->value))
      for (const auto& c : *children) metadata.emplace(c.tag, c.whole);

  Bytes out;
  auto add = [&](Tag tag, ByteView encoded) {
    if (!wanted || wanted->count(tag)) out.insert(out.end(), encoded.begin(), encoded.end());
  };
  auto add_from_metadata = [&](Tag tag) {
    if (auto f = metadata.find(tag); f != metadata.end()) add(tag, f->second);
  };
  if (auto iccid = rsp::iccid::to_bytes(p.iccid)) add(0x5A, tlv(0x5A, *iccid));
  if (!p.isdp_aid.empty()) add(0x4F, tlv(0x4F, p.isdp_aid));
  add(0x9F70, tlv_integer(0x9F70, static_cast<long>(p.state)));
  if (!p.nickname.empty()) add(0x90, tlv(0x90, rsp::to_bytes(p.nickname)));
  add(0x91, tlv(0x91, rsp::to_bytes(p.service_provider_name)));
  add(0x92, tlv(0x92, rsp::to_bytes(p.profile_name)));
  if (p.icon_type) add(0x93, tlv_integer(0x93, *p.icon_type));
  if (!p.icon.empty()) add(0x94, tlv(0x94, p.icon));
  add(0x95, tlv_integer(0x95, static_cast<long>(p.profile_class)));
  if (!p.notification_configuration.empty()) {
    Bytes list;
    for (const auto& target : p.notification_configuration) {
      Bytes item = tlv(0x30, {tlv(0x80, events_bit_string(target.events)), tlv(0x81, rsp::to_bytes(target.address))});
      list.insert(list.end(), item.begin(), item.end());
    }
    add(0xB6, tlv(0xB6, list));
  }
  add_from_metadata(0xB7);  // profileOwner
  add_from_metadata(0xB8);  // dpProprietaryData
  if (!p.profile_policy_rules.empty()) add(0x99, tlv(0x99, p.profile_policy_rules));
  add_from_metadata(0xBF22);  // serviceSpecificDataStoredInEuicc
  add_from_metadata(0x9F7B);  // ecallIndication (SGP.32)
  if (p.fallback_attribute) add(0x9F26, tlv(0x9F26, Bytes{0xFF}));  // DEFAULT FALSE: only when set
  add_from_metadata(0x9F67);  // fallbackAllowed (SGP.32)
  return tlv(0xE3, out);
}

}  // namespace

// SGP.22 v2.5 §5.7.15 ES10c.GetProfilesInfo
Es10Result get_profiles_info(CardContext& card, const Tlv& request) {
  auto error = [](long code) { return tlv(0xBF2D, tlv_integer(0x81, code)); };
  auto decoded = rsp::asn1::decode_as<ProfileInfoListRequest_t>(asn_DEF_ProfileInfoListRequest, request.whole);
  if (!decoded) return error(kIncorrectInputValues);
  std::optional<std::set<Tag>> wanted;
  if ((*decoded)->tagList) {
    wanted = parse_tag_list(view(*(*decoded)->tagList));
    if (!wanted) return error(kIncorrectInputValues);
  }
  std::function<bool(const Profile&)> match = [](const Profile&) { return true; };
  if (const auto* criteria = (*decoded)->searchCriteria) {
    switch (criteria->present) {
      case ProfileInfoListRequest__searchCriteria_PR_isdpAid: {
        Bytes aid = rsp::asn1::octets(criteria->choice.isdpAid);
        match = [aid](const Profile& p) { return p.isdp_aid == aid; };
        break;
      }
      case ProfileInfoListRequest__searchCriteria_PR_iccid: {
        Bytes iccid = rsp::asn1::octets(criteria->choice.iccid);
        match = [iccid](const Profile& p) { return rsp::iccid::to_bytes(p.iccid).value_or(Bytes{}) == iccid; };
        break;
      }
      case ProfileInfoListRequest__searchCriteria_PR_profileClass: {
        auto profile_class = rsp::asn1::to_long(criteria->choice.profileClass);
        if (!profile_class) return error(kIncorrectInputValues);
        match = [c = *profile_class](const Profile& p) { return static_cast<long>(p.profile_class) == c; };
        break;
      }
      default:
        return error(kIncorrectInputValues);
    }
  }
  Bytes list;
  for (const auto& p : card.state.profiles)
    if (match(p)) {
      Bytes info = profile_info(p, wanted);
      list.insert(list.end(), info.begin(), info.end());
    }
  return tlv(0xBF2D, tlv(0xA0, list));
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
  auto target = identified(card.state, (*decoded)->profileIdentifier, EnableProfileRequest__profileIdentifier_PR_isdpAid,
                           EnableProfileRequest__profileIdentifier_PR_iccid);
  if (!target) return rsp::Unexpected{target.error()};
  // refreshFlag asks for a REFRESH proactive command after the switch; this card has no CAT
  // session to send it on, and the switch takes effect at once either way.
  if (!*target) return result(0xBF31, kIccidOrAidNotFound);
  size_t index = **target;
  if (card.state.profiles[index].state != ProfileState::disabled) return result(0xBF31, kProfileNotInRequiredState);
  auto current = enabled_index(card.state);
  // The enabled profile's ppr1 forbids disabling it, except to enable a Test Profile (SGP.21 TPRO8).
  if (current && has_ppr(card.state.profiles[*current], kPpr1) &&
      card.state.profiles[index].profile_class != ProfileClass::test)
    return result(0xBF31, kDisallowedByPolicy);
  bool committed = commit_change(card, [&] {
    if (current) {
      card.state.profiles[*current].state = ProfileState::disabled;
      queue_profile_notification(card, NotificationEvent::disable, card.state.profiles[*current]);
    }
    card.state.profiles[index].state = ProfileState::enabled;
    queue_profile_notification(card, NotificationEvent::enable, card.state.profiles[index]);
  });
  return result(0xBF31, committed ? kOk : kUndefinedError);
}

// SGP.22 v2.5 §5.7.17 ES10c.DisableProfile
Es10Result disable_profile(CardContext& card, const Tlv& request) {
  auto decoded = rsp::asn1::decode_as<DisableProfileRequest_t>(asn_DEF_DisableProfileRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  auto target = identified(card.state, (*decoded)->profileIdentifier, DisableProfileRequest__profileIdentifier_PR_isdpAid,
                           DisableProfileRequest__profileIdentifier_PR_iccid);
  if (!target) return rsp::Unexpected{target.error()};
  if (!*target) return result(0xBF32, kIccidOrAidNotFound);
  size_t index = **target;
  const Profile& profile = card.state.profiles[index];
  if (profile.state != ProfileState::enabled) return result(0xBF32, kProfileNotInRequiredState);
  if (has_ppr(profile, kPpr1)) return result(0xBF32, kDisallowedByPolicy);
  bool committed = commit_change(card, [&] {
    card.state.profiles[index].state = ProfileState::disabled;
    queue_profile_notification(card, NotificationEvent::disable, card.state.profiles[index]);
  });
  return result(0xBF32, committed ? kOk : kUndefinedError);
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
  if (!target) return result(0xBF33, kIccidOrAidNotFound);
  const Profile& profile = card.state.profiles[*target];
  // An enabled profile must be disabled first.
  if (profile.state != ProfileState::disabled) return result(0xBF33, kProfileNotInRequiredState);
  if (has_ppr(profile, kPpr2)) return result(0xBF33, kDisallowedByPolicy);
  std::string iccid = profile.iccid;
  bool committed = commit_change(card, [&] {
    queue_profile_notification(card, NotificationEvent::delete_, card.state.profiles[*target]);
    card.state.profiles.erase(card.state.profiles.begin() + static_cast<std::ptrdiff_t>(*target));
    if (card.state.rollback_iccid == iccid) card.state.rollback_iccid.reset();
  });
  if (!committed) return result(0xBF33, kUndefinedError);
  // Only once no state names it: a kill before this leaves an orphan that the next start removes.
  card.store.remove_profile_package(iccid);
  return result(0xBF33, kOk);
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
  std::vector<std::string> deleted;
  for (const auto& p : card.state.profiles)
    if (doomed(p)) deleted.push_back(p.iccid);
  bool reset_address = bit_set(options, kResetDefaultSmdpAddress) && !card.state.default_dp_address.empty();
  if (deleted.empty() && !reset_address) return result(0xBF34, kNothingToDelete);
  bool committed = commit_change(card, [&] {
    auto& profiles = card.state.profiles;
    profiles.erase(std::remove_if(profiles.begin(), profiles.end(), doomed), profiles.end());
    if (card.state.rollback_iccid &&
        std::find(deleted.begin(), deleted.end(), *card.state.rollback_iccid) != deleted.end())
      card.state.rollback_iccid.reset();
    if (reset_address) card.state.default_dp_address.clear();
  });
  if (!committed) return result(0xBF34, kUndefinedError);
  for (const auto& iccid : deleted) card.store.remove_profile_package(iccid);
  return result(0xBF34, kOk);
}

// SGP.22 v2.5 §5.7.21 ES10c.SetNickname
Es10Result set_nickname(CardContext& card, const Tlv& request) {
  // The decoder enforces profileNickname SIZE(0..64) (characters) and the 10-byte ICCID.
  auto decoded = rsp::asn1::decode_as<SetNicknameRequest_t>(asn_DEF_SetNicknameRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  auto target = find_by_iccid(card.state, view((*decoded)->iccid));
  if (!target) return result(0xBF29, kIccidOrAidNotFound);
  std::string nickname = rsp::asn1::text((*decoded)->profileNickname);
  bool committed = commit_change(card, [&] { card.state.profiles[*target].nickname = nickname; });
  return result(0xBF29, committed ? kOk : kUndefinedError);
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
  return result(0xBF3F, committed ? kOk : kUndefinedError);
}

}  // namespace euicc
