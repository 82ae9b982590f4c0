#pragma once
// Profile operations shared by ES10c (SGP.22 v2.5 §5.7.15-5.7.19) and SGP.32 v1.2 (the PSMOs of an
// eUICC Package, §5.9.x ES10b functions). Each operation checks its preconditions against
// card.state and, when they hold, changes card.state in memory (queueing the notifications the
// profile's metadata asks for); the caller commits, so that one eUICC Package with several
// operations is one commit. A refused operation leaves card.state untouched.
#include <BIT_STRING.h>
#include <ProfileInfoListRequest.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "es10_function.hpp"

namespace euicc {

// EnableProfileResult / DisableProfileResult / DeleteProfileResult values (SGP.22 ES10c and the
// SGP.32 PSMO results use the same numbers).
namespace profile_result {
constexpr long kOk = 0;
constexpr long kIccidOrAidNotFound = 1;
constexpr long kProfileNotInRequiredState = 2;  // Enable/Delete: notInDisabledState; Disable: notInEnabledState
constexpr long kDisallowedByPolicy = 3;
constexpr long kRollbackNotAvailable = 20;  // SGP.32 EnableProfileResult
constexpr long kUndefinedError = 127;
}  // namespace profile_result

// SetFallbackAttributeResult / UnsetFallbackAttributeResult values (SGP.32 v1.2).
namespace fallback_result {
constexpr long kOk = 0;
constexpr long kIccidOrAidNotFound = 1;
constexpr long kFallbackNotAllowed = 2;   // setFallbackAttribute
constexpr long kNoFallbackAttribute = 2;  // unsetFallbackAttribute
constexpr long kFallbackProfileEnabled = 3;
}  // namespace fallback_result

// EuiccMemoryResetRequest resetOptions bits (SGP.22 v2.5 §5.7.19: bits 0-2); SGP.32 v1.2's
// SGP32-EuiccMemoryResetRequest adds bits 3-6.
enum MemoryResetOption : int {
  kDeleteOperationalProfiles = 0,
  kDeleteFieldLoadedTestProfiles = 1,
  kResetDefaultSmdpAddress = 2,
  kDeletePreLoadedTestProfiles = 3,
  kDeleteProvisioningProfiles = 4,
  kResetEimConfigData = 5,
  kResetImmediateEnableConfig = 6,
};

// Named bit `bit` of DER BIT STRING contents (unused-bits octet first).
bool bit_set(ByteView contents, int bit);
// asn1c's BIT STRING as DER contents (unused-bits octet first).
Bytes bit_string_contents(const BIT_STRING_t& b);

std::optional<size_t> find_by_aid(const CardState& state, ByteView aid);
// By the 10-byte swapped-BCD form, compared as bytes (so a malformed ICCID finds nothing).
std::optional<size_t> find_by_iccid(const CardState& state, ByteView iccid);
std::optional<size_t> enabled_index(const CardState& state);
// A BOOLEAN the profile's StoreMetadataRequest (BF25) carries, e.g. 9F67 fallbackAllowed.
std::optional<bool> metadata_flag(const Profile& profile, rsp::tlv::Tag tag);

// ProfileInfoListResponse (BF2D) for a decoded ProfileInfoListRequest: ES10c.GetProfilesInfo and
// the PSMO listProfileInfo.
Bytes profile_info_list(const CardState& state, const ProfileInfoListRequest_t& request);

namespace profile_operations {

// Enables profile `index` (disabling the one enabled before). Ends any fallback and rollback
// context: the profile in use is now the one chosen here.
long enable(CardContext& card, size_t index);
long disable(CardContext& card, size_t index);
// Deletes profile `index`; the caller removes its package file (CardStore::remove_profile_package)
// once the state that no longer names it is committed.
long remove(CardContext& card, size_t index);
// Deletes every profile `doomed` picks, without notifications (eUICC memory reset); returns their ICCIDs.
std::vector<std::string> remove_where(CardState& state, const std::function<bool(const Profile&)>& doomed);

// SGP.32 fallback attribute: at most one profile carries it.
long set_fallback_attribute(CardContext& card, size_t index);
long unset_fallback_attribute(CardContext& card);

}  // namespace profile_operations

// Runs one operation and commits what it changed: its result code, or undefinedError (127) with
// card.state as before when the commit fails. A non-zero code means nothing changed: no commit.
template <class Operation>
long commit_operation(CardContext& card, Operation&& operation) {
  CardState before = card.state;
  long code = std::forward<Operation>(operation)();
  if (code != profile_result::kOk) return code;
  if (card.commit()) return code;
  card.state = std::move(before);
  return profile_result::kUndefinedError;
}

}  // namespace euicc
