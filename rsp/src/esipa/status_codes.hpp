#pragma once
// The mapping tables of rsp/esipa/status_codes.hpp, under the names the translation uses.
#include "rsp/esipa/status_codes.hpp"

namespace rsp::esipa::detail {

using esipa::error_name;
using esipa::error_value;
using esipa::failure_for;
using esipa::kUndefinedError;

}  // namespace rsp::esipa::detail
