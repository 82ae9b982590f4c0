#pragma once
// SGP.22 v2.5 §5.7.14-§5.7.21 ES10c: local profile management.
#include <optional>
#include <string>
#include <vector>

#include "ipa/es10_channel.hpp"

namespace ipa::es10c {

enum class ProfileState { disabled = 0, enabled = 1 };
enum class ProfileClass { test = 0, provisioning = 1, operational = 2 };

// One ProfileInfo (E3): what the card reported, decoded; fields the card left out stay empty.
struct ProfileInfo {
  std::string iccid;  // digits, without padding
  Bytes isdp_aid;
  std::optional<ProfileState> state;
  std::string nickname;
  std::string service_provider_name;
  std::string profile_name;
  std::optional<ProfileClass> profile_class;
};

// A profile named by its ICCID (digits) or its ISD-P AID.
struct ProfileIdentifier {
  enum class Kind { iccid, isdp_aid };
  Kind kind = Kind::iccid;
  std::string iccid;
  Bytes isdp_aid;
  static ProfileIdentifier by_iccid(std::string digits) { return {Kind::iccid, std::move(digits), {}}; }
  static ProfileIdentifier by_isdp_aid(Bytes aid) { return {Kind::isdp_aid, {}, std::move(aid)}; }
};

// GetProfilesInfo's searchCriteria: at most one of them.
struct ProfileSearch {
  std::optional<ProfileIdentifier> profile;
  std::optional<ProfileClass> profile_class;
};

// SGP.22 v2.5 §5.7.15 ES10c.GetProfilesInfo. Result codes: incorrectInputValues (1), undefinedError (127).
Es10Expected<std::vector<ProfileInfo>> get_profiles_info(Es10Channel& channel, const ProfileSearch& search = {});

// SGP.22 v2.5 §5.7.16 ES10c.EnableProfile. Result codes: iccidOrAidNotFound (1),
// profileNotInDisabledState (2), disallowedByPolicy (3), wrongProfileReenabling (4), catBusy (5),
// undefinedError (127).
Es10Status enable_profile(Es10Channel& channel, const ProfileIdentifier& profile, bool refresh = false);
// SGP.22 v2.5 §5.7.17 ES10c.DisableProfile. Result codes: iccidOrAidNotFound (1),
// profileNotInEnabledState (2), disallowedByPolicy (3), catBusy (5), undefinedError (127).
Es10Status disable_profile(Es10Channel& channel, const ProfileIdentifier& profile, bool refresh = false);
// SGP.22 v2.5 §5.7.18 ES10c.DeleteProfile. Result codes: iccidOrAidNotFound (1),
// profileNotInDisabledState (2), disallowedByPolicy (3), undefinedError (127).
Es10Status delete_profile(Es10Channel& channel, const ProfileIdentifier& profile);

// EuiccMemoryResetRequest resetOptions (SGP.22 v2.5): bit numbers.
struct MemoryResetOptions {
  bool delete_operational_profiles = false;        // bit 0
  bool delete_field_loaded_test_profiles = false;  // bit 1
  bool reset_default_smdp_address = false;         // bit 2
};
// SGP.22 v2.5 §5.7.19 ES10c.eUICCMemoryReset. Result codes: nothingToDelete (1), catBusy (5),
// undefinedError (127).
Es10Status euicc_memory_reset(Es10Channel& channel, const MemoryResetOptions& options);

// SGP.22 v2.5 §5.7.20 ES10c.GetEID: the 32 digits.
Es10Expected<std::string> get_eid(Es10Channel& channel);

// SGP.22 v2.5 §5.7.21 ES10c.SetNickname (at most 64 characters). Result codes: iccidNotFound (1),
// undefinedError (127).
Es10Status set_nickname(Es10Channel& channel, std::string_view iccid, std::string_view nickname);

}  // namespace ipa::es10c
