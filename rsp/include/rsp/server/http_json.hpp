#pragma once
// The HTTP face every JSON function of SGP.22 v2.5 §6.5.1 shares (ES9+, ES2+, ES11, ES12):
// X-Admin-Protocol and Content-Type checks, the JSON answer with its headers, plain-text refusals
// for requests that never reach a function, the outcome label logs and metrics use.
#include <chrono>
#include <string>
#include <string_view>

#include "rsp/http/server.hpp"
#include "rsp/server/function_status.hpp"

namespace rsp::server {

// The X-Admin-Protocol value our servers answer with.
inline constexpr const char* kAdminProtocol = "gsma/rsp/v2.5.0";

// `body` as application/json (none when empty), with X-Admin-Protocol.
http::Response json_response(int status, std::string body);
http::Response plain_response(int status, std::string text);
// SGP.22 v2.5 §6.5.1: "gsma/rsp/v<major>.<minor>.<rev>"; we speak v2.
bool admin_protocol_ok(const http::Request& request);
// The request's media type is `media_type`: compared without case and without the parameters
// (RFC 9110 §8.3.1: "APPLICATION/JSON; charset=UTF-8" is application/json), spaces around it ignored.
bool content_type_is(const http::Request& request, std::string_view media_type);
// The media type is application/json.
inline bool json_content(const http::Request& request) { return content_type_is(request, "application/json"); }
// The refusal of a request the function never saw: wrong protocol version or content type (1.2.2/2.1).
http::Response refused_request(const char* reason_message);
// "Executed-Success", or "subject/reason" of a failure.
std::string outcome(const FunctionStatus& s);
double seconds_since(std::chrono::steady_clock::time_point start);

}  // namespace rsp::server
