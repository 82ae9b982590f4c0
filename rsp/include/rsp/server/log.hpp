#pragma once
// One line per protocol step on stderr, as key=value pairs (logfmt): time, interface, function,
// transactionId, outcome, duration. Callers pass identifiers and codes only, never keys, profile
// contents or confirmation codes.
#include <initializer_list>
#include <string>
#include <utility>

namespace rsp::server {

void log_line(std::initializer_list<std::pair<const char*, std::string>> fields);

}  // namespace rsp::server
