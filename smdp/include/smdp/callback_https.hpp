#pragma once
// CallbackSender's transport over the shared HTTPS client: POST of the ES2+ JSON with the binding's
// headers (SGP.22 v2.5 §6.5.1: Content-Type application/json, X-Admin-Protocol). The operator's
// answer is HTTP 204 with no body; 200 is accepted too (FACTS §2a.1). Anything else, or no
// exchange at all, is a failed attempt for the sender to retry.
#include <functional>
#include <string>

#include "rsp/http/client.hpp"
#include "smdp/callback_sender.hpp"

namespace smdp {

// `client` carries the SM-DP+'s TLS client identity and the CAs it trusts for operators' servers.
CallbackSender::Send https_callback_transport(rsp::http::Client client,
                                              std::function<void(const std::string&)> log = {});

}  // namespace smdp
