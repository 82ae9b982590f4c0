#pragma once
// The status codes of the ways an eUICC's authentication fails at an RSP server (SGP.22 v2.5
// §5.6.2 ES9+.AuthenticateClient, §5.8.2 ES11.AuthenticateClient): the same at the SM-DP+ and the
// SM-DS but for the subject of a wrong server address (8.8.1 SM-DP+, 8.9.1 SM-DS).
#include "rsp/common_mutual_authentication.hpp"
#include "rsp/server/function_status.hpp"

namespace rsp::server {

inline FunctionStatus authentication_refusal(const authentication::EuiccAuthenticationError& e,
                                             const char* address_subject) {
  using Failure = authentication::EuiccAuthenticationFailure;
  auto fail = [&](const char* subject, const char* reason) {
    return FunctionStatus::failure(subject, reason, e.message);
  };
  switch (e.kind) {
    case Failure::malformed: return fail("8.1", "2.2");
    case Failure::unknown_ci: return fail("8.11.1", "3.9");
    case Failure::eum_certificate_invalid: return fail("8.1.2", "6.1");
    case Failure::eum_certificate_expired: return fail("8.1.2", "6.3");
    case Failure::euicc_certificate_invalid: return fail("8.1.3", "6.1");
    case Failure::euicc_certificate_expired: return fail("8.1.3", "6.3");
    case Failure::transaction_id_mismatch: return fail("8.10.1", "3.9");
    case Failure::server_address_mismatch: return fail(address_subject, "3.8");
    case Failure::refused_by_euicc:  // the eUICC refused the server: its signature is not there to check
    case Failure::euicc_signature_invalid:
    case Failure::server_challenge_mismatch: break;
  }
  return fail("8.1", "6.1");
}

}  // namespace rsp::server
