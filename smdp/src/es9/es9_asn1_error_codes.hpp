#pragma once
// The error enumerations of ES9+'s ASN.1 binding (SGP.22 v2.5 §6.6, Annex H): which INTEGER of
// a function's error alternative stands for which subject/reason pair of §5.6. Pairs without
// a named value there answer undefinedError (127).
#include "smdp/function_status.hpp"

namespace smdp::es9_asn1 {

enum class Function { initiate_authentication, authenticate_client, get_bound_profile_package, cancel_session };

inline constexpr int kUndefinedError = 127;

// The value of `function`'s error alternative for a failed `status`.
int error_code(Function function, const FunctionStatus& status);

}  // namespace smdp::es9_asn1
