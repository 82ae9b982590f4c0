// The modem's side of an AT command exchange as text: see at_reply.hpp.
#include "at_reply.hpp"

namespace ipa::at {

bool is_final(std::string_view line) {
  return line == "OK" || line == "ERROR" || line.starts_with("+CME ERROR") || line.starts_with("+CMS ERROR") ||
         line == "NO CARRIER";
}

bool all_digits(std::string_view text) {
  return !text.empty() && text.size() <= 10 && text.find_first_not_of("0123456789") == std::string_view::npos;
}

std::optional<std::string_view> answer_line(const Reply& reply, std::string_view prefix) {
  for (const auto& line : reply.lines) {
    if (!line.starts_with(prefix)) continue;
    std::string_view rest = std::string_view(line).substr(prefix.size());
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    return rest;
  }
  return std::nullopt;
}

std::optional<Reply> ReplyReader::add(std::string_view received) {
  pending_.append(received);
  for (;;) {
    size_t end = pending_.find_first_of("\r\n");
    if (end == std::string::npos) return std::nullopt;
    std::string got = pending_.substr(0, end);
    pending_.erase(0, end + 1);
    if (got.empty() || got == command_) continue;  // line ends, the echo before ATE0 took effect
    if (is_final(got)) {
      reply_.final = std::move(got);
      return std::move(reply_);
    }
    reply_.lines.push_back(std::move(got));
  }
}

std::optional<std::string> session_id(const Reply& reply) {
  std::optional<std::string_view> id = answer_line(reply, "+CCHO:");
  for (const auto& line : reply.lines)
    if (!id && all_digits(line)) id = line;
  if (!id || !all_digits(*id)) return std::nullopt;
  return std::string(*id);
}

rsp::Expected<rsp::Bytes> response_apdu(std::string_view value) {
  size_t comma = value.find(',');
  if (comma == std::string_view::npos || !all_digits(value.substr(0, comma)))
    return rsp::fail("no length before a comma");
  size_t length = std::stoul(std::string(value.substr(0, comma)));
  std::string_view hex = value.substr(comma + 1);
  if (hex.size() >= 2 && hex.front() == '"' && hex.back() == '"') hex = hex.substr(1, hex.size() - 2);
  if (length != hex.size() && length * 2 != hex.size()) return rsp::fail("the length does not match the data");
  auto bytes = rsp::from_hex(hex);
  if (!bytes) return rsp::fail("the data is not hex");
  return std::move(*bytes);
}

}  // namespace ipa::at
