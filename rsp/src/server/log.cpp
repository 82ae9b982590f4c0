#include "rsp/server/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace rsp::server {

namespace {

// logfmt quoting (fields with empty values are left out): values with spaces, quotes or '=' are quoted, with quotes and backslashes escaped.
std::string value_text(const std::string& v) {
  if (!v.empty() && v.find_first_of(" \"=\\\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out + "\"";
}

}  // namespace

void log_line(std::initializer_list<std::pair<const char*, std::string>> fields) {
  auto now = std::chrono::system_clock::now();
  time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[64];
  std::snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
  std::string line = std::string("time=") + stamp;
  for (const auto& [key, value] : fields)
    if (!value.empty()) line += std::string(" ") + key + "=" + value_text(value);
  line += "\n";
  static std::mutex mutex;
  std::lock_guard guard(mutex);
  std::fputs(line.c_str(), stderr);
}

}  // namespace rsp::server
