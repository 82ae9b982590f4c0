#pragma once
// The ES9+ refusals of SGP.22 v2.5 §5.6 (subject code, reason code), one name each, so the
// functions read like the spec's tables.
#include "smdp/function_status.hpp"

namespace smdp::es9_status {

inline FunctionStatus fail(const char* subject, const char* reason, std::string message) {
  return FunctionStatus::failure(subject, reason, std::move(message));
}

// 8.1 eUICC
inline FunctionStatus euicc_signature_invalid(std::string m) { return fail("8.1", "6.1", std::move(m)); }
// 8.1.1 EID
inline FunctionStatus eid_refused(std::string m) { return fail("8.1.1", "3.8", std::move(m)); }
// 8.1.3 eUICC certificate (of notifications; authenticateClient's chain codes: rsp/server/authentication_status.hpp)
inline FunctionStatus euicc_certificate_invalid(std::string m) { return fail("8.1.3", "6.1", std::move(m)); }
// 8.2 Profile
inline FunctionStatus profile_not_released(std::string m) { return fail("8.2", "1.2", std::move(m)); }
inline FunctionStatus bpp_not_available(std::string m) { return fail("8.2", "3.7", std::move(m)); }
// 8.2.5 Profile type: its policy rules are not allowed on this eUICC
inline FunctionStatus policy_rules_not_allowed(std::string m) { return fail("8.2.5", "4.3", std::move(m)); }
// 8.2.6 matchingId
inline FunctionStatus matching_id_refused(std::string m) { return fail("8.2.6", "3.8", std::move(m)); }
// 8.2.7 confirmation code
inline FunctionStatus confirmation_code_missing(std::string m) { return fail("8.2.7", "2.2", std::move(m)); }
inline FunctionStatus confirmation_code_refused(std::string m) { return fail("8.2.7", "3.8", std::move(m)); }
inline FunctionStatus confirmation_code_retries_exceeded(std::string m) { return fail("8.2.7", "6.4", std::move(m)); }
// 8.8 SM-DP+
inline FunctionStatus invalid_smdp_oid(std::string m) { return fail("8.8", "3.10", std::move(m)); }
inline FunctionStatus invalid_smdp_address(std::string m) { return fail("8.8.1", "3.8", std::move(m)); }
inline FunctionStatus no_supported_ci(std::string m) { return fail("8.8.2", "3.1", std::move(m)); }
inline FunctionStatus svn_not_supported(std::string m) { return fail("8.8.3", "3.1", std::move(m)); }
inline FunctionStatus no_dp_auth_for_ci(std::string m) { return fail("8.8.4", "3.7", std::move(m)); }
inline FunctionStatus order_expired(std::string m) { return fail("8.8.5", "4.10", std::move(m)); }
inline FunctionStatus order_retries_exceeded(std::string m) { return fail("8.8.5", "6.4", std::move(m)); }
// 8.10.1 transactionId
inline FunctionStatus unknown_transaction(std::string m) { return fail("8.10.1", "3.9", std::move(m)); }
// A request the binding could not turn into the function's input: mandatory element missing (2.2)
// or malformed (here under subject 8.1, the eUICC's data).
inline FunctionStatus malformed(std::string subject, std::string m) {
  return FunctionStatus::failure(std::move(subject), "2.2", std::move(m));
}
// The SM-DP+ could not complete the function (database, crypto): execution error.
inline FunctionStatus execution_error(std::string m) { return fail("8.8", "4.2", std::move(m)); }

}  // namespace smdp::es9_status
