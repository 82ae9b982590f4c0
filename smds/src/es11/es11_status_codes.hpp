#pragma once
// The ES11 refusals (FACTS §7.3): 8.9.x for the SM-DS at initiateAuthentication, the ES9+
// certificate and signature codes at authenticateClient, 8.9.5/3.9 for an unknown EventID.
#include "rsp/server/function_status.hpp"

namespace smds::es11_status {

using rsp::server::FunctionStatus;

inline FunctionStatus fail(const char* subject, const char* reason, std::string message) {
  return FunctionStatus::failure(subject, reason, std::move(message));
}

// 8.9.x the SM-DS
inline FunctionStatus invalid_smds_address(std::string m) { return fail("8.9.1", "3.8", std::move(m)); }
inline FunctionStatus no_supported_ci(std::string m) { return fail("8.9.2", "3.1", std::move(m)); }
inline FunctionStatus svn_not_supported(std::string m) { return fail("8.9.3", "3.1", std::move(m)); }
inline FunctionStatus no_ds_auth_for_ci(std::string m) { return fail("8.9.4", "3.7", std::move(m)); }
inline FunctionStatus unknown_event(std::string m) { return fail("8.9.5", "3.9", std::move(m)); }
// The session (the eUICC's certificate and signature codes: rsp/server/authentication_status.hpp)
inline FunctionStatus unknown_transaction(std::string m) { return fail("8.10.1", "3.9", std::move(m)); }
// A request the binding could not turn into the function's input (mandatory element missing or malformed).
inline FunctionStatus malformed(std::string m) { return fail("8.1", "2.2", std::move(m)); }
// The SM-DS could not complete the function (database, too many sessions).
inline FunctionStatus execution_error(std::string m) { return fail("8.9", "4.2", std::move(m)); }

}  // namespace smds::es11_status
