#pragma once
// logfmt lines: rsp/server's, shared with the SM-DS.
#include "rsp/server/log.hpp"

namespace smdp {

using rsp::server::log_line;

}  // namespace smdp
