#pragma once
// ES12 (SGP.22 v2.5 §5.9) from the SM-DP+ to an SM-DS over the shared HTTPS client: mutual TLS
// with the SM-DP+'s CERT.DP.TLS as client certificate, the SM-DS's TLS certificate verified
// against the CAs the client trusts (the PKI's CIs, and any configured), the binding's headers.
#include <functional>
#include <string>

#include "rsp/http/client.hpp"
#include "smdp/callback_sender.hpp"
#include "smdp/smds_event.hpp"

namespace smdp {

// SGP.22 v2.5 §5.9.1 ES12.RegisterEvent, synchronously: no exchange (connection, TLS, timeout)
// is 8.9/5.1; an answer other than Executed-Success is 8.9/4.2, except a duplicate event
// (8.9.5/3.3), passed through.
RegisterEvent https_register_event(rsp::http::Client client, std::string smdp_address,
                                   std::function<void(const std::string&)> log = {});

// The outbox transport of queued ES12.DeleteEvent calls: done when the SM-DS executed it, or
// answers that the event is not there (8.9.5/3.9: deleted by an earlier attempt whose answer was
// lost); anything else is retried.
CallbackSender::Send https_delete_event_transport(rsp::http::Client client,
                                                  std::function<void(const std::string&)> log = {});

// One outbox, two kinds of call: ES12 URLs (/gsma/rsp2/es12/) go to `es12`, the rest (ES2+
// callbacks to operators) to `es2`.
CallbackSender::Send route_outbox(CallbackSender::Send es2, CallbackSender::Send es12);

}  // namespace smdp
