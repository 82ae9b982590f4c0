#pragma once
// What a modem sends back to an AT command (3GPP TS 27.007, V.250), read apart from the serial line
// so that it can be tested and fuzzed without one: lines split at CR or LF, the echo and empty lines
// skipped, information text and unsolicited lines (+CREG: 1, RING) kept in order, up to the final
// result code (OK, ERROR, +CME ERROR: n, ...); then the +CCHO session id and the +CSIM/+CGLA answer.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"

namespace ipa::at {

// What the modem said to one command: the lines before its final result code, and that code.
struct Reply {
  std::vector<std::string> lines;  // information text and unsolicited lines, the echo left out
  std::string final;               // "OK", "ERROR", "+CME ERROR: 10", ...
  bool ok() const { return final == "OK"; }
};

bool is_final(std::string_view line);
bool all_digits(std::string_view text);  // 1 to 10 decimal digits

// The value of the information line that starts with `prefix` ("+CGLA:"), blanks after it skipped.
std::optional<std::string_view> answer_line(const Reply& reply, std::string_view prefix);

// Collects the reply to `command` (the line sent, without its CR) from the bytes as they arrive.
class ReplyReader {
 public:
  explicit ReplyReader(std::string command) : command_(std::move(command)) {}
  // Takes the bytes received; the reply once its final result code has come (what follows it is
  // left: the next command flushes it), else nullopt: more bytes are needed.
  std::optional<Reply> add(std::string_view received);

 private:
  std::string command_;
  std::string pending_;  // received bytes not yet split into lines
  Reply reply_;
};

// TS 27.007 §8.45 +CCHO: the session id from "+CCHO: 7" (most modems) or a bare "7" (as the standard
// writes it); nullopt when there is none.
std::optional<std::string> session_id(const Reply& reply);

// TS 27.007 §8.17 +CSIM / §8.43 +CGLA: `<length>,"<hex>"`, the length in hex characters (some modems
// give bytes; both are accepted), as the response APDU. The error says what is malformed.
rsp::Expected<rsp::Bytes> response_apdu(std::string_view value);

}  // namespace ipa::at
