#pragma once
// What one conformance case exchanged with its target, for the HTML report: APDUs recorded by the
// runner's transport wrapper, and HTTP bodies a role adds itself (kind "http").
#include <string>
#include <vector>

#include "rsp/bytes.hpp"

namespace conformance {

struct Exchange {
  std::string kind = "apdu";  // "apdu" or "http"
  std::string label;          // http: "POST /gsma/rsp2/es9plus/initiateAuthentication"
  rsp::Bytes sent;            // apdu: the command APDU; http: the request body
  rsp::Bytes received;        // apdu: the response APDU with SW1 SW2; http: the response body
};

using ExchangeLog = std::vector<Exchange>;

}  // namespace conformance
