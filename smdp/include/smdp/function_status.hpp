#pragma once
// FunctionStatus lives in rsp/server (the SM-DS reports its functions the same way); the SM-DP+
// names it as its own.
#include "rsp/server/function_status.hpp"

namespace smdp {

using rsp::server::FunctionStatus;
using rsp::server::status_text;

}  // namespace smdp
