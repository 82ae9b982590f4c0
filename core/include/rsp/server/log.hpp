#pragma once
// One line per protocol step on stderr, as key=value pairs (logfmt): time, interface, function,
// transactionId, outcome, duration. Callers pass identifiers and codes only, never keys, profile
// contents or confirmation codes.
//
// Values often come from the network (a transactionId, an EID, an error built from a request), so
// every value goes through log_value(): whatever the bytes, a line stays one line of bounded length.
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace rsp::server {

// The most bytes of one value's text in a line, escapes included; the rest is counted, not written.
inline constexpr size_t kLogValueLimit = 256;

// One value as logfmt text: bare when it is printable ASCII without spaces, '=', quotes or
// backslashes, quoted otherwise. Quotes and backslashes are escaped with a backslash; \n, \r and \t
// as such; other control characters (C0, DEL, C1), NUL included, and every byte that is not part of
// well-formed UTF-8 as \xNN (C1 as \u00NN). Beyond kLogValueLimit bytes of text the value is cut
// where no escape or character is split, and "...(+N bytes)" says how many bytes of it were left out.
std::string log_value(std::string_view value);

// The line log_line() writes, without the time and the newline: " key=value" per non-empty value.
std::string log_fields(std::initializer_list<std::pair<const char*, std::string>> fields);

void log_line(std::initializer_list<std::pair<const char*, std::string>> fields);

}  // namespace rsp::server
