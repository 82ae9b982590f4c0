#pragma once
// A server's "limits" configuration object, the same keys for every server (SM-DP+, SM-DS, eIM and
// its owner API), each overriding the server's own default when given (issue 13):
//   connections           connections open at once (all listeners)
//   connections_per_peer  connections open at once from one peer address
//   header_bytes          request line and header fields (larger: 431)
//   body_bytes            request body (larger: 413)
//   json_depth            JSON nesting of a request body (deeper: the function's 400)
//   json_values           JSON values of a request body (more: the function's 400)
//   first_byte_seconds    a new connection's time to its first byte
//   idle_seconds          a kept-alive connection's time to the next request
//   request_seconds       one request's time from its first byte until read whole
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "rsp/http/server.hpp"

namespace rsp::server {

struct ListenerLimits {
  std::optional<size_t> connections, connections_per_peer, header_bytes, body_bytes, json_depth, json_values;
  std::optional<double> first_byte_seconds, idle_seconds, request_seconds;
};

// `key` of `object`, if present, into `out`: an object of the keys above, each a positive number
// (counts whole). Unknown keys are errors. JSON bounds hold for the whole process, so a second
// limits object of one process (the eIM's owner_limits) reads with `json_keys` false and refuses them.
void read_limits(const nlohmann::json& object, const char* key, ListenerLimits& out, std::string& error,
                 bool json_keys = true);

// The limits given, over the server's defaults in `options`.
void apply_limits(const ListenerLimits& limits, http::ServerOptions& options);
// json_depth and json_values for every parse_untrusted_json() of the process (the defaults when absent).
void apply_json_limits(const ListenerLimits& limits);

}  // namespace rsp::server
