#pragma once
// Reading a JSON request of SGP.22 v2.5 §6.5 (ES2+, ES12) with the spec's codes for what is
// missing or malformed: the header every request carries, typed fields. Each reader answers the
// value or the FunctionStatus to refuse with.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "rsp/expected.hpp"
#include "rsp/server/function_status.hpp"

namespace rsp::server {

// SGP.22 v2.5 §5.2.6.1 subject codes every function shares.
namespace subject {
inline constexpr const char* function_requester = "1.1";  // the request itself (header, untyped fields)
inline constexpr const char* function_provider = "1.2";   // the server could not execute
}  // namespace subject

// SGP.22 v2.5 §5.2.6.2 reason codes (FACTS §2a.4).
namespace reason {
inline constexpr const char* unknown_requester = "1.1";
inline constexpr const char* not_allowed = "1.2";
inline constexpr const char* invalid = "2.1";
inline constexpr const char* mandatory_missing = "2.2";
inline constexpr const char* already_in_use = "3.3";
inline constexpr const char* invalid_transition = "3.5";
inline constexpr const char* unavailable = "3.7";
inline constexpr const char* refused = "3.8";
inline constexpr const char* unknown = "3.9";
inline constexpr const char* invalid_association = "3.10";
inline constexpr const char* execution_error = "4.2";
inline constexpr const char* insufficient_memory = "4.8";
inline constexpr const char* time_to_live_expired = "4.10";
inline constexpr const char* inaccessible = "5.1";
}  // namespace reason

template <class T>
using Checked = Expected<T, FunctionStatus>;

inline Unexpected<FunctionStatus> refuse(const char* subject_code, const char* reason_code, std::string message) {
  return {FunctionStatus::failure(subject_code, reason_code, std::move(message))};
}
// The failure a checked step ended with, passed on.
template <class T>
Unexpected<FunctionStatus> failure_of(const Checked<T>& checked) {
  return {checked.error()};
}

// SGP.22 v2.5 §6.5.1.3: the request is an object with header {functionRequesterIdentifier,
// functionCallIdentifier}, both strings.
Checked<Ok> check_request(const nlohmann::json& request);

// A string field; absent and null read as nullopt, any other type is 2.1 under `subject_code`.
Checked<std::optional<std::string>> optional_string(const nlohmann::json& request, const char* field,
                                                    const char* subject_code);
Checked<std::string> mandatory_string(const nlohmann::json& request, const char* field, const char* subject_code);
Checked<bool> mandatory_bool(const nlohmann::json& request, const char* field, const char* subject_code);
// eid: 32 digits with valid check digits (2.1 under `subject_code` otherwise).
Checked<std::optional<std::string>> optional_eid(const nlohmann::json& request, const char* subject_code);

}  // namespace rsp::server
