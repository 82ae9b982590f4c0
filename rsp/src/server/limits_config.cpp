#include "rsp/server/limits_config.hpp"

#include <climits>
#include <cmath>

#include "rsp/server/config_json.hpp"
#include "rsp/untrusted_json.hpp"

namespace rsp::server {

namespace {

using nlohmann::json;

// A positive whole number of at most `most`.
void read_count(const json& object, const std::string& where, const char* key, std::optional<size_t>& out,
                std::string& error, double most) {
  auto it = object.find(key);
  if (it == object.end() || !error.empty()) return;
  if (!it->is_number_integer() || it->get<double>() < 1 || it->get<double>() > most) {
    error = where + "\"" + key + "\" must be a whole number from 1 to " + std::to_string(static_cast<uint64_t>(most));
    return;
  }
  out = it->get<size_t>();
}

void read_seconds(const json& object, const std::string& where, const char* key, std::optional<double>& out,
                  std::string& error) {
  auto it = object.find(key);
  if (it == object.end() || !error.empty()) return;
  constexpr double kMostSeconds = 24 * 3600;
  if (!it->is_number() || !(it->get<double>() >= 0.001) || it->get<double>() > kMostSeconds) {
    error = where + "\"" + key + "\" must be seconds from 0.001 to 86400";
    return;
  }
  out = it->get<double>();
}

std::chrono::milliseconds milliseconds(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(seconds * 1000)));
}

}  // namespace

void read_limits(const json& object, const char* key, ListenerLimits& out, std::string& error, bool json_keys) {
  auto it = object.find(key);
  if (it == object.end() || !error.empty()) return;
  if (!it->is_object()) {
    error = std::string("\"") + key + "\" must be an object";
    return;
  }
  const json& limits = *it;
  const std::string where = std::string("\"") + key + "\": ";
  error = json_keys ? unknown_keys(limits,
                                   {"connections", "connections_per_peer", "header_bytes", "body_bytes", "json_depth",
                                    "json_values", "first_byte_seconds", "idle_seconds", "request_seconds"},
                                   std::string(" in \"") + key + "\"")
                    : unknown_keys(limits,
                                   {"connections", "connections_per_peer", "header_bytes", "body_bytes",
                                    "first_byte_seconds", "idle_seconds", "request_seconds"},
                                   std::string(" in \"") + key + "\" (JSON bounds are set in \"limits\")");
  constexpr double kMostBytes = 1024.0 * 1024 * 1024;  // 1 GiB
  read_count(limits, where, "connections", out.connections, error, 1'000'000);
  read_count(limits, where, "connections_per_peer", out.connections_per_peer, error, 1'000'000);
  read_count(limits, where, "header_bytes", out.header_bytes, error, UINT32_MAX);
  read_count(limits, where, "body_bytes", out.body_bytes, error, kMostBytes);
  read_count(limits, where, "json_depth", out.json_depth, error, 10'000);
  read_count(limits, where, "json_values", out.json_values, error, 100'000'000);
  read_seconds(limits, where, "first_byte_seconds", out.first_byte_seconds, error);
  read_seconds(limits, where, "idle_seconds", out.idle_seconds, error);
  read_seconds(limits, where, "request_seconds", out.request_seconds, error);
}

void apply_limits(const ListenerLimits& limits, http::ServerOptions& options) {
  if (limits.connections) options.max_connections = *limits.connections;
  if (limits.connections_per_peer) options.max_connections_per_peer = *limits.connections_per_peer;
  if (limits.header_bytes) options.header_limit = *limits.header_bytes;
  if (limits.body_bytes) options.body_limit = *limits.body_bytes;
  if (limits.first_byte_seconds) options.first_byte_timeout = milliseconds(*limits.first_byte_seconds);
  if (limits.idle_seconds) options.idle_timeout = milliseconds(*limits.idle_seconds);
  if (limits.request_seconds) options.read_timeout = milliseconds(*limits.request_seconds);
}

void apply_json_limits(const ListenerLimits& limits) {
  JsonBounds bounds;
  if (limits.json_depth) bounds.depth = static_cast<int>(*limits.json_depth);
  if (limits.json_values) bounds.values = *limits.json_values;
  set_json_bounds(bounds);
}

}  // namespace rsp::server
