#pragma once
// The JSON form of FunctionStatus lives in rsp/server, shared with the SM-DS.
#include "rsp/server/function_status_json.hpp"
#include "smdp/function_status.hpp"

namespace smdp {

using rsp::server::function_status_json;
using rsp::server::response_json;

}  // namespace smdp
