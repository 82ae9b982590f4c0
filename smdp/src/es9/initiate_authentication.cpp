// SGP.22 v2.5 §5.6.1 ES9+.InitiateAuthentication: the SM-DP+ checks the address it was called
// by, picks the CIs of the session from the eUICC's lists, issues a transactionId and signs
// serverSigned1 with CERT.DPauth. It stores nothing: the call is unauthenticated, so a flood of
// them must cost no memory or disk (issue 13, finding 3); authenticateClient stores the session.
#include <algorithm>

#include "es9_status_codes.hpp"
#include "rsp/common_mutual_authentication.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/tlv.hpp"
#include "smdp/es9plus.hpp"

namespace smdp {

Es9Result<InitiateAuthenticationResponse> Es9Plus::initiate_authentication(
    const InitiateAuthenticationRequest& request) {
  if (request.smdp_address != settings_.smdp_address && !settings_.fault("skip-address-check"))
    return rsp::Unexpected{es9_status::invalid_smdp_address("this SM-DP+ is " + settings_.smdp_address)};
  if (request.euicc_challenge.size() != 16)
    return rsp::Unexpected{es9_status::malformed("8.1", "euiccChallenge must be 16 bytes")};
  // A CI for each direction, each from its own list (SGP.22 v2.5 §3.1.2); euiccInfo1 checked there.
  auto cis = rsp::authentication::choose_cis(
      request.euicc_info1, [&](ByteView ski) { return identity_.for_ci(ski) != nullptr; },
      [&](ByteView ski) { return identity_.ci(ski) != nullptr; });
  if (!cis) {
    const std::string why = cis.error().message;
    switch (cis.error().kind) {
      case rsp::authentication::CiChoiceFailure::malformed: return rsp::Unexpected{es9_status::malformed("8.1", why)};
      case rsp::authentication::CiChoiceFailure::svn_not_supported:
        return rsp::Unexpected{es9_status::svn_not_supported(why)};
      case rsp::authentication::CiChoiceFailure::no_supported_ci:
        return rsp::Unexpected{es9_status::no_supported_ci(why)};
      case rsp::authentication::CiChoiceFailure::no_credentials_for_ci:
        return rsp::Unexpected{es9_status::no_dp_auth_for_ci(why)};
    }
  }
  const DpCredentials* credentials = identity_.for_ci(cis->server_ci);

  // Nothing is stored: the transactionId carries what authenticateClient needs (transaction_id.hpp).
  auto issued = issue_transaction(credentials->ci_ski, cis->euicc_ci);
  if (!issued) return rsp::Unexpected{issued.error()};
  const auto& [transaction_id, server_challenge] = *issued;
  InitiateAuthenticationResponse response;
  response.transaction_id = rsp::to_hex(transaction_id);
  response.server_signed1 = rsp::authentication::server_signed1(transaction_id, request.euicc_challenge,
                                                                settings_.smdp_address, server_challenge);
  response.server_signature1 =
      rsp::tlv::encode(0x5F37, rsp::crypto::sign(credentials->dp_auth_key, response.server_signed1));
  response.euicc_ci_pkid_to_be_used = rsp::tlv::encode(0x04, cis->euicc_ci);
  response.server_certificate = credentials->dp_auth.der();
  return response;
}

}  // namespace smdp
