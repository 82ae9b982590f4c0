#pragma once
// What a listener refused because it went beyond one of its limits (issue 13): a connection over
// the caps, a header or body too large, a peer too slow, JSON too deep or too large. Each is
// counted per process (rsp_http_refused_total{reason} in /metrics) and logged as one escaped line,
// at most one a second per reason with the number refused since the last line, so that a flood
// does not flood the log.
#include <array>
#include <cstdint>
#include <string_view>

namespace rsp {

enum class Refusal {
  connections,       // the server's connections all in use: closed at once
  peer_connections,  // this peer address's connections all in use: closed at once
  header,            // request header over its limit: 431
  body,              // request body over its limit: 413
  first_byte,        // nothing sent within the time to first byte: closed
  idle,              // a kept-alive connection idle too long: closed
  request_time,      // a request (TLS handshake included) not read whole in time: closed
  json,              // JSON nested too deep or with too many values: the function's 400
};
inline constexpr std::array kRefusals{
    Refusal::connections, Refusal::peer_connections, Refusal::header, Refusal::body, Refusal::first_byte,
    Refusal::idle,        Refusal::request_time,     Refusal::json};

// The reason's label: "connections", "peer_connections", ...
const char* refusal_name(Refusal reason);

// Counts one refusal and logs it unless a line for this reason went out less than a second ago.
// `peer` (an address) and `detail` are logged escaped; they come from the network.
void count_refusal(Refusal reason, std::string_view peer = {}, std::string_view detail = {});

// Refusals for `reason` since the process started.
uint64_t refusal_count(Refusal reason);

}  // namespace rsp
