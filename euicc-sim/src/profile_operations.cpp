// Profile operations shared by SGP.22 v2.5 §5.7.15-5.7.19 ES10c and the SGP.32 v1.2 PSMOs.
#include "profile_operations.hpp"

#include <map>
#include <set>

#include "es10b_notifications.hpp"
#include "notification_event.hpp"
#include "rsp/asn1/primitives.hpp"
#include "rsp/iccid.hpp"

namespace euicc {
namespace {

using rsp::tlv::Tag;

// ProfileInfoListError
constexpr long kIncorrectInputValues = 1;

// PprIds bits: ppr1 disabling not allowed, ppr2 deletion not allowed.
constexpr int kPpr1 = 1;
constexpr int kPpr2 = 2;

bool has_ppr(const Profile& p, int ppr) { return bit_set(p.profile_policy_rules, ppr); }

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

// The children of the profile's StoreMetadataRequest (BF25) as received, by tag.
std::map<Tag, ByteView> metadata_fields(const Profile& p) {
  std::map<Tag, ByteView> fields;
  if (auto m = rsp::tlv::read(p.store_metadata); m && m->tag == 0xBF25)
    if (auto children = rsp::tlv::read_all(m->value))
      for (const auto& c : *children) fields.emplace(c.tag, c.whole);
  return fields;
}

// ProfileInfo (E3) of one profile with the fields `wanted` names (all of them without a tag list),
// in the order of the SGP.32 v1.2 ProfileInfo (the SGP.22 one plus ecallIndication 9F7B,
// fallbackAttribute 9F26, fallbackAllowed 9F67 at the end).
Bytes profile_info(const Profile& p, const std::optional<std::set<Tag>>& wanted) {
  // profileOwner, serviceSpecificDataStoredInEuicc and the SGP.32 flags live only in the
  // StoreMetadataRequest (BF25) kept as received.
  std::map<Tag, ByteView> metadata = metadata_fields(p);
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
  add_from_metadata(0xBF22);                                        // serviceSpecificDataStoredInEuicc
  add_from_metadata(0x9F7B);                                        // ecallIndication (SGP.32)
  if (p.fallback_attribute) add(0x9F26, tlv(0x9F26, Bytes{0xFF}));  // DEFAULT FALSE: only when set
  add_from_metadata(0x9F67);                                        // fallbackAllowed (SGP.32)
  return tlv(0xE3, out);
}

// A profile change ends what depended on the profile in use: the rollback an eIM enable armed and
// the return from fallback.
void end_fallback_and_rollback(CardState& state) {
  state.rollback_iccid.reset();
  state.rollback_package_result.clear();
  state.fallback_return_iccid.reset();
}

}  // namespace

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

std::optional<size_t> find_by_aid(const CardState& state, ByteView aid) {
  for (size_t i = 0; i < state.profiles.size(); ++i) {
    const auto& a = state.profiles[i].isdp_aid;
    if (std::equal(a.begin(), a.end(), aid.begin(), aid.end())) return i;
  }
  return std::nullopt;
}

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

std::optional<bool> metadata_flag(const Profile& profile, Tag tag) {
  auto fields = metadata_fields(profile);
  auto f = fields.find(tag);
  if (f == fields.end()) return std::nullopt;
  auto t = rsp::tlv::read(f->second);
  if (!t || t->value.size() != 1) return std::nullopt;
  return t->value[0] != 0;
}

// SGP.22 v2.5 §5.7.15 ES10c.GetProfilesInfo, SGP.32 v1.2 PSMO listProfileInfo
Bytes profile_info_list(const CardState& state, const ProfileInfoListRequest_t& request) {
  auto error = [](long code) { return tlv(0xBF2D, tlv_integer(0x81, code)); };
  std::optional<std::set<Tag>> wanted;
  if (request.tagList) {
    wanted = parse_tag_list(rsp::asn1::view(*request.tagList));
    if (!wanted) return error(kIncorrectInputValues);
  }
  std::function<bool(const Profile&)> match = [](const Profile&) { return true; };
  if (const auto* criteria = request.searchCriteria) {
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
      default: return error(kIncorrectInputValues);
    }
  }
  Bytes list;
  for (const auto& p : state.profiles)
    if (match(p)) {
      Bytes info = profile_info(p, wanted);
      list.insert(list.end(), info.begin(), info.end());
    }
  return tlv(0xBF2D, tlv(0xA0, list));
}

namespace profile_operations {

long enable(CardContext& card, size_t index) {
  auto& profiles = card.state.profiles;
  if (index >= profiles.size()) return profile_result::kIccidOrAidNotFound;
  if (profiles[index].state != ProfileState::disabled) return profile_result::kProfileNotInRequiredState;
  auto current = enabled_index(card.state);
  // The enabled profile's ppr1 forbids disabling it, except to enable a Test Profile (SGP.21 TPRO8).
  if (current && has_ppr(profiles[*current], kPpr1) && profiles[index].profile_class != ProfileClass::test)
    return profile_result::kDisallowedByPolicy;
  if (current) {
    profiles[*current].state = ProfileState::disabled;
    queue_profile_notification(card, NotificationEvent::disable, profiles[*current]);
  }
  profiles[index].state = ProfileState::enabled;
  queue_profile_notification(card, NotificationEvent::enable, profiles[index]);
  end_fallback_and_rollback(card.state);
  return profile_result::kOk;
}

long disable(CardContext& card, size_t index) {
  auto& profiles = card.state.profiles;
  if (index >= profiles.size()) return profile_result::kIccidOrAidNotFound;
  if (profiles[index].state != ProfileState::enabled) return profile_result::kProfileNotInRequiredState;
  if (has_ppr(profiles[index], kPpr1)) return profile_result::kDisallowedByPolicy;
  profiles[index].state = ProfileState::disabled;
  queue_profile_notification(card, NotificationEvent::disable, profiles[index]);
  end_fallback_and_rollback(card.state);
  return profile_result::kOk;
}

long remove(CardContext& card, size_t index) {
  auto& profiles = card.state.profiles;
  if (index >= profiles.size()) return profile_result::kIccidOrAidNotFound;
  // An enabled profile must be disabled first.
  if (profiles[index].state != ProfileState::disabled) return profile_result::kProfileNotInRequiredState;
  if (has_ppr(profiles[index], kPpr2)) return profile_result::kDisallowedByPolicy;
  std::string iccid = profiles[index].iccid;
  queue_profile_notification(card, NotificationEvent::delete_, profiles[index]);
  profiles.erase(profiles.begin() + static_cast<std::ptrdiff_t>(index));
  if (card.state.rollback_iccid == iccid) {
    card.state.rollback_iccid.reset();
    card.state.rollback_package_result.clear();
  }
  if (card.state.fallback_return_iccid == iccid) card.state.fallback_return_iccid = "";  // return to no profile
  return profile_result::kOk;
}

std::vector<std::string> remove_where(CardState& state, const std::function<bool(const Profile&)>& doomed) {
  std::vector<std::string> deleted;
  for (const auto& p : state.profiles)
    if (doomed(p)) deleted.push_back(p.iccid);
  auto& profiles = state.profiles;
  profiles.erase(std::remove_if(profiles.begin(), profiles.end(), doomed), profiles.end());
  auto gone = [&](const std::optional<std::string>& iccid) {
    return iccid && std::find(deleted.begin(), deleted.end(), *iccid) != deleted.end();
  };
  if (gone(state.rollback_iccid)) {
    state.rollback_iccid.reset();
    state.rollback_package_result.clear();
  }
  if (gone(state.fallback_return_iccid)) state.fallback_return_iccid = "";
  return deleted;
}

// SGP.32 v1.2 PSMO setFallbackAttribute: moves the attribute to profile `index`. The profile owner
// can forbid it with fallbackAllowed (9F67) FALSE in the metadata; absent counts as allowed.
long set_fallback_attribute(CardContext& card, size_t index) {
  using namespace fallback_result;
  auto& profiles = card.state.profiles;
  if (index >= profiles.size()) return fallback_result::kIccidOrAidNotFound;
  if (metadata_flag(profiles[index], 0x9F67) == false) return kFallbackNotAllowed;
  // While the fallback mechanism runs, the enabled fallback profile keeps its attribute.
  if (card.state.fallback_return_iccid) return kFallbackProfileEnabled;
  for (auto& p : profiles) p.fallback_attribute = false;
  profiles[index].fallback_attribute = true;
  return fallback_result::kOk;
}

// SGP.32 v1.2 PSMO unsetFallbackAttribute
long unset_fallback_attribute(CardContext& card) {
  using namespace fallback_result;
  auto& profiles = card.state.profiles;
  auto holder = std::find_if(profiles.begin(), profiles.end(), [](const Profile& p) { return p.fallback_attribute; });
  if (holder == profiles.end()) return kNoFallbackAttribute;
  if (card.state.fallback_return_iccid) return kFallbackProfileEnabled;
  holder->fallback_attribute = false;
  return fallback_result::kOk;
}

}  // namespace profile_operations
}  // namespace euicc
