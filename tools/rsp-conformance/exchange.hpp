#pragma once
// What one conformance case exchanged with its target, for the reports and --record: APDUs recorded
// by the runner's transport wrapper, HTTP exchanges by the HTTP client's on_exchange (http_log.hpp).
#include <string>
#include <utility>
#include <vector>

#include "rsp/bytes.hpp"

namespace conformance {

struct Exchange {
  std::string kind = "apdu";  // "apdu" or "http"
  std::string label;          // http: "POST /gsma/rsp2/es9plus/initiateAuthentication" (the path only)
  rsp::Bytes sent;            // apdu: the command APDU; http: the request body
  rsp::Bytes received;        // apdu: the response APDU with SW1 SW2; http: the response body
  std::vector<std::pair<std::string, std::string>> headers = {};  // http: the request's header fields
  int status = 0;                                                 // http: the response's status; 0 when there was none
  std::string error = {};                                         // http: why there was no response
};

using ExchangeLog = std::vector<Exchange>;

}  // namespace conformance
