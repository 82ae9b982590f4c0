#pragma once
// Local profile management, SGP.22 v2.5 §5.7.15-5.7.22 (ES10c) and ES10a (§5.7.3-5.7.4).
#include "es10_function.hpp"

namespace euicc {

Es10Result get_profiles_info(CardContext& card, const Tlv& request);               // §5.7.15 (BF2D)
Es10Result enable_profile(CardContext& card, const Tlv& request);                  // §5.7.16 (BF31)
Es10Result disable_profile(CardContext& card, const Tlv& request);                 // §5.7.17 (BF32)
Es10Result delete_profile(CardContext& card, const Tlv& request);                  // §5.7.18 (BF33)
Es10Result euicc_memory_reset(CardContext& card, const Tlv& request);              // §5.7.19 (BF34)
Es10Result set_nickname(CardContext& card, const Tlv& request);                    // §5.7.21 (BF29)
Es10Result get_euicc_configured_addresses(CardContext& card, const Tlv& request);  // §5.7.3 (BF3C)
Es10Result set_default_dp_address(CardContext& card, const Tlv& request);          // §5.7.4 (BF3F)

}  // namespace euicc
