#include "rsp/server/log.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace rsp::server {

namespace {

// The length of the well-formed UTF-8 sequence (RFC 3629: no overlongs, surrogates or code points
// above U+10FFFF) of 2 to 4 bytes starting at `at`, or 0 if none starts there.
size_t utf8_sequence(std::string_view v, size_t at) {
  auto byte = [&](size_t i) { return at + i < v.size() ? static_cast<uint8_t>(v[at + i]) : 0; };
  auto continuation = [&](size_t i, uint8_t low = 0x80, uint8_t high = 0xBF) {
    return byte(i) >= low && byte(i) <= high;
  };
  uint8_t lead = byte(0);
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    bool second = lead == 0xE0 ? continuation(1, 0xA0) : lead == 0xED ? continuation(1, 0x80, 0x9F) : continuation(1);
    return second && continuation(2) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    bool second = lead == 0xF0 ? continuation(1, 0x90) : lead == 0xF4 ? continuation(1, 0x80, 0x8F) : continuation(1);
    return second && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

std::string hex_escape(const char* prefix, uint8_t byte) {
  static constexpr char digits[] = "0123456789abcdef";
  return std::string(prefix) + digits[byte >> 4] + digits[byte & 0x0F];
}

}  // namespace

std::string log_value(std::string_view v) {
  std::string text;
  bool quoted = v.empty();
  size_t at = 0;
  while (at < v.size()) {
    auto byte = static_cast<uint8_t>(v[at]);
    std::string_view piece;
    std::string escaped;
    size_t taken = 1;
    if (byte == '"' || byte == '\\')
      escaped = std::string("\\") + static_cast<char>(byte);
    else if (byte == '\n' || byte == '\r' || byte == '\t')
      escaped = byte == '\n' ? "\\n" : byte == '\r' ? "\\r" : "\\t";
    else if (byte < 0x20 || byte == 0x7F)
      escaped = hex_escape("\\x", byte);
    else if (byte < 0x80)
      piece = v.substr(at, 1);
    else if ((taken = utf8_sequence(v, at)) == 0) {
      taken = 1;
      escaped = hex_escape("\\x", byte);
    } else if (byte == 0xC2 && static_cast<uint8_t>(v[at + 1]) < 0xA0)  // C1 controls (CSI is U+009B)
      escaped = hex_escape("\\u00", static_cast<uint8_t>(v[at + 1]));
    else
      piece = v.substr(at, taken);
    if (!escaped.empty()) piece = escaped;
    if (text.size() + piece.size() > kLogValueLimit) break;
    quoted = quoted || !escaped.empty() || byte == ' ' || byte == '=';
    text += piece;
    at += taken;
  }
  if (at < v.size()) {
    text += "...(+" + std::to_string(v.size() - at) + " bytes)";
    quoted = true;
  }
  return quoted ? "\"" + text + "\"" : text;
}

std::string log_fields(std::initializer_list<std::pair<const char*, std::string>> fields) {
  std::string line;
  for (const auto& [key, value] : fields)
    if (!value.empty()) line += std::string(" ") + key + "=" + log_value(value);
  return line;
}

void log_line(std::initializer_list<std::pair<const char*, std::string>> fields) {
  auto now = std::chrono::system_clock::now();
  time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[64];
  std::snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
  std::string line = std::string("time=") + stamp + log_fields(fields) + "\n";
  static std::mutex mutex;
  std::lock_guard guard(mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace rsp::server
