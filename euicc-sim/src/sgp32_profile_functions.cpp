// SGP.32 v1.2 §5.9.x ES10b' functions for the IPA's own profile handling: ProfileRollback,
// ConfigureImmediateProfileEnabling, ImmediateEnable, Enable/DisableEmergencyProfile,
// ExecuteFallbackMechanism, ReturnFromFallback, GetConnectivityParameters, EuiccMemoryReset (BF64)
// and SetDefaultDpAddress (BF65).
//
// refreshFlag asks for a REFRESH proactive command after a switch; this card has no CAT session
// to send it on (so never answers catBusy), and the switch takes effect at once either way. It
// holds no eCall / emergency profile (EUICCInfo2 declares fallbackSupported but not
// ecallSupported), so EnableEmergencyProfile answers ecallNotAvailable and never ecallActive, and
// it keeps no connectivity parameters.
#include "sgp32_profile_functions.hpp"

#include <ConfigureImmediateProfileEnablingRequest.h>
#include <DisableEmergencyProfileRequest.h>
#include <EnableEmergencyProfileRequest.h>
#include <ExecuteFallbackMechanismRequest.h>
#include <GetConnectivityParametersRequest.h>
#include <ImmediateEnableRequest.h>
#include <ProfileRollbackRequest.h>
#include <ReturnFromFallbackRequest.h>
#include <SGP32-EuiccMemoryResetRequest.h>
#include <SGP32-SetDefaultDpAddressRequest.h>

#include "profile_operations.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/asn1/primitives.hpp"
#include "sgp32_eim_configuration.hpp"
#include "sgp32_euicc_package.hpp"
#include "state_change.hpp"

namespace euicc {
namespace {

using rsp::apdu::sw::kIncorrectData;
using rsp::tlv::Tag;

// Result codes, by response.
namespace sgp32_result {
constexpr long kOk = 0;
constexpr long kUndefinedError = 127;
constexpr long kRollbackNotAllowed = 1;           // ProfileRollbackResponse cmdResult
constexpr long kCommandError = 7;                 // ProfileRollback, ExecuteFallbackMechanism, ReturnFromFallback
constexpr long kAssociatedEimAlreadyExists = 2;   // ConfigureImmediateProfileEnablingResponse
constexpr long kImmediateEnableNotAvailable = 1;  // ImmediateEnableResponse
constexpr long kNoSessionContext = 4;
constexpr long kProfileNotInDisabledState = 2;  // EnableEmergencyProfile, ExecuteFallbackMechanism
constexpr long kEcallNotAvailable = 8;          // EnableEmergencyProfile
constexpr long kProfileNotInEnabledState = 2;   // DisableEmergencyProfile
constexpr long kFallbackNotAvailable = 6;       // ExecuteFallbackMechanism, ReturnFromFallback
constexpr long kParametersNotAvailable = 1;     // GetConnectivityParameters
constexpr long kNothingToDelete = 1;            // EuiccMemoryReset resetResult / resetEimResult
}  // namespace sgp32_result
// RollbackProfileResult ok, as the rollback's entry in the eUICC Package Result.
constexpr Tag kRollbackResult = 0x8C;

template <class T>
bool decodes(const asn_TYPE_descriptor_t& type, const Tlv& request) {
  return static_cast<bool>(rsp::asn1::decode_as<T>(type, request.whole));
}

std::optional<size_t> fallback_index(const CardState& state) {
  for (size_t i = 0; i < state.profiles.size(); ++i)
    if (state.profiles[i].fallback_attribute) return i;
  return std::nullopt;
}

}  // namespace

void configure_immediate_enable(CardState& state, bool flag, const OBJECT_IDENTIFIER_t* smdp_oid,
                                const UTF8String_t* smdp_address) {
  state.immediate_enable = flag;
  state.immediate_enable_smdp_oid = smdp_oid ? Bytes(smdp_oid->buf, smdp_oid->buf + smdp_oid->size) : Bytes{};
  state.immediate_enable_smdp_address = smdp_address ? rsp::asn1::text(*smdp_address) : std::string();
}

// SGP.32 v1.2 §5.9.x ES10b.ProfileRollback: back to the profile that was enabled before an eIM's
// enable PSMO with rollbackFlag. The card answers with a new eUICC Package Result for that package:
// its results followed by rollbackResult ok, signed for the eIM; it replaces the package's first
// result if the IPA has not collected that yet.
Es10Result profile_rollback(CardContext& card, const Tlv& request) {
  if (!decodes<ProfileRollbackRequest_t>(asn_DEF_ProfileRollbackRequest, request))
    return rsp::Unexpected{kIncorrectData};
  auto response = [](long code, ByteView package_result = {}) {
    return tlv(0xBF58, {tlv_integer(0x02, code), package_result});
  };
  auto& state = card.state;
  std::optional<size_t> target;
  if (state.rollback_iccid)
    for (size_t i = 0; i < state.profiles.size(); ++i)
      if (state.profiles[i].iccid == *state.rollback_iccid) target = i;
  // A copy: the enable below ends the rollback and with it the state's copy of the result data.
  Bytes original_data = state.rollback_package_result;
  auto original = rsp::tlv::read(original_data);
  auto members = original ? rsp::tlv::read_all(original->value) : rsp::Expected<std::vector<Tlv>>(rsp::fail("none"));
  if (!target || !members || members->empty() || members->back().tag != 0x30)
    return response(sgp32_result::kRollbackNotAllowed);
  std::string eim_id;
  Bytes kept;                 // eimId, counterValue, eimTransactionId
  Bytes original_seq_number;  // 83 TLV
  for (const auto& m : *members) {
    if (m.tag == 0x80) eim_id.assign(m.value.begin(), m.value.end());
    if (m.tag == 0x80 || m.tag == 0x81 || m.tag == 0x82) kept.insert(kept.end(), m.whole.begin(), m.whole.end());
    if (m.tag == 0x83) original_seq_number.assign(m.whole.begin(), m.whole.end());
  }
  ByteView results = members->back().value;

  CardState before = state;
  // Disables the profile the eIM enabled, with notifications; ends the rollback.
  if (profile_operations::enable(card, *target) != sgp32_result::kOk)
    return response(sgp32_result::kCommandError);  // refused: nothing changed
  uint32_t seq_number = state.next_seq_number++;
  Bytes data = tlv(0x30, {kept, tlv_integer(0x83, seq_number),
                          tlv(0x30, {results, tlv_integer(kRollbackResult, sgp32_result::kOk)})});
  // Signed for the eIM that sent the package; if it has been deleted since, with the first chain and no token.
  const EimConfiguration* eim = find_eim(state, eim_id);
  const Credentials& credentials = eim ? eim_signing_credentials(card, *eim) : card.credentials.front();
  Bytes package_result = signed_package_result(card, credentials, eim ? eim->association_token : std::nullopt, data);
  auto& pending = state.euicc_package_results;
  pending.erase(std::remove_if(pending.begin(), pending.end(),
                               [&](const PendingEuiccPackageResult& p) {
                                 return tlv_integer(0x83, p.seq_number) == original_seq_number;
                               }),
                pending.end());
  pending.push_back({seq_number, eim_id, package_result});
  if (!card.commit()) {
    state = std::move(before);
    return response(sgp32_result::kUndefinedError);
  }
  return response(sgp32_result::kOk, package_result);
}

// SGP.32 v1.2 §5.9.x ES10b.ConfigureImmediateProfileEnabling: only the IPA of a card without an
// eIM may configure this; once an eIM is associated, it does so with the PSMO configureImmediateEnable.
Es10Result configure_immediate_profile_enabling(CardContext& card, const Tlv& request) {
  auto decoded = rsp::asn1::decode_as<ConfigureImmediateProfileEnablingRequest_t>(
      asn_DEF_ConfigureImmediateProfileEnablingRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  if (!card.state.eims.empty()) return result_tlv(0xBF59, sgp32_result::kAssociatedEimAlreadyExists);
  bool committed = commit_change(card, [&] {
    configure_immediate_enable(card.state, (*decoded)->immediateEnableFlag != nullptr, (*decoded)->defaultSmdpOid,
                               (*decoded)->defaultSmdpAddress);
  });
  return result_tlv(0xBF59, committed ? sgp32_result::kOk : sgp32_result::kUndefinedError);
}

// SGP.32 v1.2 §5.9.x ES10b.ImmediateEnable: enables the profile just installed, when immediate
// enabling is configured (and, if an SM-DP+ OID is configured, the profile came from it). This card
// does not follow the ES10 session across functions: "just installed" is the most recently
// installed profile, still disabled (else noSessionContext).
Es10Result immediate_enable(CardContext& card, const Tlv& request) {
  if (!decodes<ImmediateEnableRequest_t>(asn_DEF_ImmediateEnableRequest, request))
    return rsp::Unexpected{kIncorrectData};
  auto& state = card.state;
  if (!state.immediate_enable) return result_tlv(0xBF5A, sgp32_result::kImmediateEnableNotAvailable);
  if (state.profiles.empty() || state.profiles.back().state != ProfileState::disabled)
    return result_tlv(0xBF5A, sgp32_result::kNoSessionContext);
  size_t index = state.profiles.size() - 1;
  if (!state.immediate_enable_smdp_oid.empty() && state.profiles[index].smdp_oid != state.immediate_enable_smdp_oid)
    return result_tlv(0xBF5A, sgp32_result::kImmediateEnableNotAvailable);
  long code = commit_operation(card, [&] { return profile_operations::enable(card, index); });
  return result_tlv(0xBF5A, code == sgp32_result::kOk ? sgp32_result::kOk : sgp32_result::kUndefinedError);
}

// SGP.32 v1.2 §5.9.x ES10b.EnableEmergencyProfile: this card holds no emergency profile.
Es10Result enable_emergency_profile(CardContext&, const Tlv& request) {
  if (!decodes<EnableEmergencyProfileRequest_t>(asn_DEF_EnableEmergencyProfileRequest, request))
    return rsp::Unexpected{kIncorrectData};
  return result_tlv(0xBF5B, sgp32_result::kEcallNotAvailable);
}

// SGP.32 v1.2 §5.9.x ES10b.DisableEmergencyProfile: no emergency profile is ever enabled here.
Es10Result disable_emergency_profile(CardContext&, const Tlv& request) {
  if (!decodes<DisableEmergencyProfileRequest_t>(asn_DEF_DisableEmergencyProfileRequest, request))
    return rsp::Unexpected{kIncorrectData};
  return result_tlv(0xBF5C, sgp32_result::kProfileNotInEnabledState);
}

// SGP.32 v1.2 §5.9.x ES10b.ExecuteFallbackMechanism: enables the profile with the fallback
// attribute and remembers the one it replaces for ReturnFromFallback.
Es10Result execute_fallback_mechanism(CardContext& card, const Tlv& request) {
  if (!decodes<ExecuteFallbackMechanismRequest_t>(asn_DEF_ExecuteFallbackMechanismRequest, request))
    return rsp::Unexpected{kIncorrectData};
  auto fallback = fallback_index(card.state);
  if (!fallback) return result_tlv(0xBF5D, sgp32_result::kFallbackNotAvailable);
  if (card.state.fallback_return_iccid || card.state.profiles[*fallback].state != ProfileState::disabled)
    return result_tlv(0xBF5D, sgp32_result::kProfileNotInDisabledState);
  auto current = enabled_index(card.state);
  std::string return_to = current ? card.state.profiles[*current].iccid : std::string();
  long code = commit_operation(card, [&] {
    long c = profile_operations::enable(card, *fallback);  // ends rollback; queues the notifications
    if (c == sgp32_result::kOk) card.state.fallback_return_iccid = return_to;
    return c;
  });
  if (code == profile_result::kUndefinedError) return result_tlv(0xBF5D, sgp32_result::kUndefinedError);
  return result_tlv(0xBF5D, code == sgp32_result::kOk
                                ? sgp32_result::kOk
                                : sgp32_result::kCommandError);  // e.g. ppr1 of the profile in use
}

// SGP.32 v1.2 §5.9.x ES10b.ReturnFromFallback: back to the profile enabled before the fallback
// (none, if none was or it has been deleted since).
Es10Result return_from_fallback(CardContext& card, const Tlv& request) {
  if (!decodes<ReturnFromFallbackRequest_t>(asn_DEF_ReturnFromFallbackRequest, request))
    return rsp::Unexpected{kIncorrectData};
  if (!card.state.fallback_return_iccid) return result_tlv(0xBF5E, sgp32_result::kFallbackNotAvailable);
  std::string return_to = *card.state.fallback_return_iccid;
  long code = commit_operation(card, [&] {
    auto& profiles = card.state.profiles;
    for (size_t i = 0; i < profiles.size(); ++i)
      if (!return_to.empty() && profiles[i].iccid == return_to) return profile_operations::enable(card, i);
    auto current = enabled_index(card.state);
    if (!current) {
      card.state.fallback_return_iccid.reset();
      return sgp32_result::kOk;
    }
    return profile_operations::disable(card, *current);
  });
  if (code == profile_result::kUndefinedError) return result_tlv(0xBF5E, sgp32_result::kUndefinedError);
  return result_tlv(0xBF5E, code == sgp32_result::kOk ? sgp32_result::kOk : sgp32_result::kCommandError);
}

// SGP.32 v1.2 §5.9.x ES10b.GetConnectivityParameters: this card keeps none.
Es10Result get_connectivity_parameters(CardContext&, const Tlv& request) {
  if (!decodes<GetConnectivityParametersRequest_t>(asn_DEF_GetConnectivityParametersRequest, request))
    return rsp::Unexpected{kIncorrectData};
  return tlv(0xBF5F, tlv_integer(0x81, sgp32_result::kParametersNotAvailable));
}

// SGP.32 v1.2 §5.9.x ES10b.EuiccMemoryReset (BF64; SGP.22's BF34 stays in es10c.cpp). No
// notifications, and Profile Policy Rules do not protect against it. This card has no pre-loaded
// test profiles (every test profile counts as field-loaded). resetResult is ok when anything at all
// was reset; resetEimResult / resetImmediateEnableConfigResult answer the bits that ask for them.
Es10Result sgp32_euicc_memory_reset(CardContext& card, const Tlv& request) {
  auto decoded =
      rsp::asn1::decode_as<SGP32_EuiccMemoryResetRequest_t>(asn_DEF_SGP32_EuiccMemoryResetRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  Bytes options = bit_string_contents((*decoded)->resetOptions);
  auto asked = [&](MemoryResetOption o) { return bit_set(options, o); };
  auto doomed = [&](const Profile& p) {
    return (p.profile_class == ProfileClass::operational && asked(kDeleteOperationalProfiles)) ||
           (p.profile_class == ProfileClass::test && asked(kDeleteFieldLoadedTestProfiles)) ||
           (p.profile_class == ProfileClass::provisioning && asked(kDeleteProvisioningProfiles));
  };
  auto& state = card.state;
  bool any_profile = std::any_of(state.profiles.begin(), state.profiles.end(), doomed);
  bool reset_address = asked(kResetDefaultSmdpAddress) && !state.default_dp_address.empty();
  bool reset_eims = asked(kResetEimConfigData) && !state.eims.empty();
  bool reset_immediate =
      asked(kResetImmediateEnableConfig) && (state.immediate_enable || !state.immediate_enable_smdp_oid.empty() ||
                                             !state.immediate_enable_smdp_address.empty());
  auto response = [&](long code) {
    Bytes eim =
        asked(kResetEimConfigData)
            ? tlv_integer(0x81, code == sgp32_result::kOk && !reset_eims ? sgp32_result::kNothingToDelete : code)
            : Bytes{};
    Bytes immediate = asked(kResetImmediateEnableConfig)
                          ? tlv_integer(0x82, code == sgp32_result::kNothingToDelete ? sgp32_result::kOk : code)
                          : Bytes{};
    return tlv(0xBF64, {tlv_integer(0x80, code), eim, immediate});
  };
  if (!any_profile && !reset_address && !reset_eims && !reset_immediate)
    return response(sgp32_result::kNothingToDelete);
  std::vector<std::string> deleted;
  bool committed = commit_change(card, [&] {
    deleted = profile_operations::remove_where(state, doomed);
    if (reset_address) state.default_dp_address.clear();
    if (reset_eims) {
      state.eims.clear();
      state.rollback_iccid.reset();  // a rollback answers to an eIM
      state.rollback_package_result.clear();
    }
    if (reset_immediate) configure_immediate_enable(state, false, nullptr, nullptr);
  });
  if (!committed) return response(sgp32_result::kUndefinedError);
  for (const auto& iccid : deleted) card.store.remove_profile_package(iccid);
  return response(sgp32_result::kOk);
}

// SGP.32 v1.2 §5.9.x ES10b.SetDefaultDpAddress (BF65; SGP.22's BF3F stays in es10c.cpp). An empty
// address removes it.
Es10Result sgp32_set_default_dp_address(CardContext& card, const Tlv& request) {
  auto decoded =
      rsp::asn1::decode_as<SGP32_SetDefaultDpAddressRequest_t>(asn_DEF_SGP32_SetDefaultDpAddressRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  std::string address = rsp::asn1::text((*decoded)->defaultDpAddress);
  bool committed = commit_change(card, [&] { card.state.default_dp_address = address; });
  return result_tlv(0xBF65, committed ? sgp32_result::kOk : sgp32_result::kUndefinedError);
}

}  // namespace euicc
