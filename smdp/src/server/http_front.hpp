#pragma once
// The HTTP face of ES9+ and ES2+ (SGP.22 v2.5 §6.5.1): paths, X-Admin-Protocol, content types,
// the operator behind an ES2+ client certificate; each request logged and counted.
#include <functional>
#include <map>
#include <string>

#include "metrics.hpp"
#include "rsp/http/server.hpp"
#include "rsp/server/http_json.hpp"
#include "smdp/es2plus.hpp"
#include "smdp/es9plus.hpp"

namespace smdp {

// The X-Admin-Protocol value this SM-DP+ answers with.
using rsp::server::kAdminProtocol;

rsp::http::Handler es9_handler(Es9Plus& es9, Metrics& metrics);
// `operator_of` maps the verified client certificate to an operator id ("" when none matches).
rsp::http::Handler es2_handler(Es2Plus& es2, Metrics& metrics,
                               std::function<std::string(const rsp::crypto::Certificate&)> operator_of);
// ES2+ and ES9+ on one listener: /gsma/rsp2/es2plus/... goes to `es2` (which answers 403 without
// an operator's certificate), everything else to `es9`.
rsp::http::Handler es9_and_es2_handler(rsp::http::Handler es9, rsp::http::Handler es2);
using rsp::server::metrics_handler;

}  // namespace smdp
