#pragma once
// SGP.32 v1.2 CR12011: the JSON status codes (subjectCode/reasonCode) of each ESipa function's
// ASN.1 error values, both ways (FACTS §8.3). Public for the eIM relaying ES9+ (the SM-DP+'s codes
// become ESipa error values) and the IPA reading them back.
#include <string>

#include "rsp/esipa/esipa.hpp"
#include "rsp/server/function_status.hpp"

namespace rsp::esipa {

inline constexpr int kUndefinedError = 127;

// The Failed status an ASN.1 error value of `f` is sent as (unknown values as undefinedError).
server::FunctionStatus failure_for(Function f, long value);
// The ASN.1 error value of `f` a Failed status stands for; undefinedError for codes without one.
int error_value(Function f, const std::string& subject_code, const std::string& reason_code);
// The value's name in the schema ("eidNotFound"), or "error N".
std::string error_name(Function f, long value);

}  // namespace rsp::esipa
