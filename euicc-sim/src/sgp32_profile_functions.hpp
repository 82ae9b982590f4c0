#pragma once
// The ES10b' functions SGP.32 v1.2 adds for the IPA's own profile handling (§5.9.x): rollback of an
// eIM enable, immediate enabling after a download, eUICC memory reset and the default SM-DP+
// address in their SGP.32 forms, connectivity parameters, emergency profile and fallback.
#include <OBJECT_IDENTIFIER.h>
#include <UTF8String.h>

#include "es10_function.hpp"

namespace euicc {

Es10Result profile_rollback(CardContext& card, const Tlv& request);                      // BF58
Es10Result configure_immediate_profile_enabling(CardContext& card, const Tlv& request);  // BF59
Es10Result immediate_enable(CardContext& card, const Tlv& request);                      // BF5A
Es10Result enable_emergency_profile(CardContext& card, const Tlv& request);              // BF5B
Es10Result disable_emergency_profile(CardContext& card, const Tlv& request);             // BF5C
Es10Result execute_fallback_mechanism(CardContext& card, const Tlv& request);            // BF5D
Es10Result return_from_fallback(CardContext& card, const Tlv& request);                  // BF5E
Es10Result get_connectivity_parameters(CardContext& card, const Tlv& request);           // BF5F
Es10Result sgp32_euicc_memory_reset(CardContext& card, const Tlv& request);              // BF64
Es10Result sgp32_set_default_dp_address(CardContext& card, const Tlv& request);          // BF65

// The immediate-enable configuration, as ConfigureImmediateProfileEnabling and the PSMO
// configureImmediateEnable set it: the flag, and the SM-DP+ whose profiles it applies to (none: any).
void configure_immediate_enable(CardState& state, bool flag, const OBJECT_IDENTIFIER_t* smdp_oid,
                                const UTF8String_t* smdp_address);

}  // namespace euicc
