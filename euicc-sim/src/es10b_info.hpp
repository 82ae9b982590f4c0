#pragma once
// What the card tells about itself: EUICCInfo1/2, the EID, the rules authorisation table.
#include "es10_function.hpp"

namespace euicc {

Es10Result get_euicc_info1(CardContext& card, const Tlv& request);  // SGP.22 v2.5 §5.7.8 ES10b.GetEUICCInfo (BF20)
Es10Result get_euicc_info2(CardContext& card, const Tlv& request);  // SGP.22 v2.5 §5.7.8 ES10b.GetEUICCInfo (BF22)
Es10Result get_eid(CardContext& card, const Tlv& request);          // SGP.22 v2.5 §5.7.20 ES10c.GetEID (BF3E)
Es10Result get_rat(CardContext& card, const Tlv& request);          // SGP.22 v2.5 §5.7.22 ES10b.GetRAT (BF43)
Bytes euicc_info1(const CardContext& card);                         // also inside AuthenticateServer's response
Bytes euicc_info2(const CardContext& card);

}  // namespace euicc
