#pragma once
// An ES12 call over the shared HTTPS client (mutual TLS: the caller's TLS certificate as client
// certificate, the SM-DS's checked against the client's CAs), with the JSON binding's headers.
#include <string>

#include "rsp/expected.hpp"
#include "rsp/http/client.hpp"
#include "rsp/server/function_status.hpp"

namespace rsp::server {

// The SM-DS's functionExecutionStatus; an error when no exchange happened (connection, TLS,
// timeout: "cannot reach ...") or the answer is not an ES12 response ("HTTP 403", "not JSON").
struct Es12CallError {
  bool reached = false;  // an HTTP answer came, but not an ES12 response
  std::string message;
};
Expected<FunctionStatus, Es12CallError> post_es12(const http::Client& client, const std::string& url,
                                                  const std::string& body);

}  // namespace rsp::server
