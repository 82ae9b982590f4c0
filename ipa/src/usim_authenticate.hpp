#pragma once
// 3GPP TS 31.102 §7.1.2 AUTHENTICATE in the 3G security context, as a terminal sends it to the
// USIM of the enabled profile: SELECT of ADF.USIM by its AID (ETSI TS 102 221 §11.1.1), then
// AUTHENTICATE with RAND and AUTN; the answer is RES, CK, IK (and Kc when the USIM offers GSM
// access), AUTS on a synchronisation failure, or status word 98 62 when AUTN's MAC is wrong.
#include <optional>

#include "ipa/es10_channel.hpp"
#include "rsp/apdu.hpp"

namespace ipa::usim {

// SELECT by DF name, first occurrence, FCP returned: 00 A4 04 04 Lc AID 00.
rsp::apdu::Command select_adf(ByteView aid);
// AUTHENTICATE, 3G context: 00 88 00 81 22 '10' RAND '10' AUTN 00.
rsp::apdu::Command authenticate_3g(ByteView rand, ByteView autn);

struct AuthenticateAnswer {
  enum class Outcome { success, synchronisation_failure, mac_failure };
  Outcome outcome = Outcome::success;
  Bytes res, ck, ik;
  std::optional<Bytes> kc;
  Bytes auts;
};

// The response to authenticate_3g: 'DB' L RES L CK L IK [L Kc], 'DC' L AUTS, or 98 62. Anything
// else (another status word, a malformed answer) is an error naming it.
rsp::Expected<AuthenticateAnswer> parse_authenticate_response(const rsp::apdu::Response& response);

// Both commands on the channel (the basic channel when it was never opened): RAND and AUTN of 16
// bytes each.
rsp::Expected<AuthenticateAnswer> authenticate(Es10Channel& channel, ByteView aid, ByteView rand, ByteView autn);

}  // namespace ipa::usim
