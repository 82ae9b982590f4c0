// SGP.22 v2.5 §5.8.1 ES11.InitiateAuthentication: the SM-DS checks the address it was called by,
// picks the CIs of the session from the eUICC's lists, opens a session (bounded in number and
// lifetime) and signs serverSigned1 with CERT.DSauth.
#include "es11/es11_status_codes.hpp"
#include "rsp/common_mutual_authentication.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/tlv.hpp"
#include "smds/es11.hpp"

namespace smds {

// SGP.22 v2.5 §5.8.1 ES11.InitiateAuthentication
Es11Result<Es11InitiateAuthenticationResponse> Es11::initiate_authentication(
    const Es11InitiateAuthenticationRequest& request) {
  if (request.smds_address != settings_.smds_address && !settings_.fault("accept-any-address"))
    return rsp::Unexpected{es11_status::invalid_smds_address("this SM-DS is " + settings_.smds_address)};
  if (request.euicc_challenge.size() != 16)
    return rsp::Unexpected{es11_status::malformed("euiccChallenge must be 16 bytes")};
  using rsp::authentication::CiChoiceFailure;
  auto cis = rsp::authentication::choose_cis(
      request.euicc_info1, [&](rsp::ByteView ski) { return identity_.for_ci(ski) != nullptr; },
      [&](rsp::ByteView ski) { return identity_.knows_ci(ski); });
  if (!cis) {
    const std::string why = cis.error().message;
    switch (cis.error().kind) {
      case CiChoiceFailure::malformed: return rsp::Unexpected{es11_status::malformed(why)};
      case CiChoiceFailure::svn_not_supported: return rsp::Unexpected{es11_status::svn_not_supported(why)};
      case CiChoiceFailure::no_supported_ci: return rsp::Unexpected{es11_status::no_supported_ci(why)};
      case CiChoiceFailure::no_credentials_for_ci: return rsp::Unexpected{es11_status::no_ds_auth_for_ci(why)};
    }
  }
  const DsCredentials* credentials = identity_.for_ci(cis->server_ci);
  const int64_t now = settings_.now();
  auto pending = store_.count_sessions(now);
  if (!pending) return rsp::Unexpected{es11_status::execution_error("the SM-DS could not read its sessions")};
  if (*pending >= settings_.max_pending_sessions)
    return rsp::Unexpected{es11_status::execution_error("too many authentications in progress, try again later")};

  Es11SessionRecord session;
  session.transaction_id = rsp::to_hex(rsp::random_bytes(16));
  session.smds_address = settings_.smds_address;
  session.euicc_challenge = request.euicc_challenge;
  session.server_challenge = rsp::random_bytes(16);
  session.ci_pkid = credentials->ci_ski;
  session.euicc_ci_pkid = cis->euicc_ci;
  session.created = now;
  session.expires = now + settings_.session_lifetime;
  if (auto added = store_.add_session(session); !added)
    return rsp::Unexpected{es11_status::execution_error("the SM-DS could not store the session")};

  Es11InitiateAuthenticationResponse response;
  response.transaction_id = session.transaction_id;
  response.server_signed1 =
      rsp::authentication::server_signed1(rsp::from_hex(session.transaction_id).value(), request.euicc_challenge,
                                          settings_.smds_address, session.server_challenge);
  response.server_signature1 =
      rsp::tlv::encode(0x5F37, rsp::crypto::sign(credentials->ds_auth_key, response.server_signed1));
  response.euicc_ci_pkid_to_be_used = rsp::tlv::encode(0x04, session.euicc_ci_pkid);
  response.server_certificate = credentials->ds_auth.der();
  return response;
}

}  // namespace smds
