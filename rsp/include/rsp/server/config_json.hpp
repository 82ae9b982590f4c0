#pragma once
// Reading a server's JSON configuration file (comments allowed): typed keys with a message naming
// the key, unknown keys as errors (a typo must not silently leave a default in place), listeners.
// Each reader does nothing once `error` is set, so a file is read top to bottom and the first
// error reported.
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "rsp/expected.hpp"
#include "rsp/server/listener.hpp"

namespace rsp::server {

// The file as a JSON object (// and /* */ comments allowed).
Expected<nlohmann::json> read_config_object(const std::filesystem::path& file);

// Reads `key` of `object` into `out` if present.
template <class T>
void read_key(const nlohmann::json& object, const char* key, T& out, std::string& error) {
  auto it = object.find(key);
  if (it == object.end() || !error.empty()) return;
  try {
    out = it->get<T>();
  } catch (const nlohmann::json::exception&) {
    error = std::string("\"") + key + "\" has the wrong type";
  }
}

void read_path(const nlohmann::json& object, const char* key, std::optional<std::filesystem::path>& out,
               std::string& error);

// The first key of `object` not in `known`, as an error message ending in `where`; "" if none.
std::string unknown_keys(const nlohmann::json& object, std::initializer_list<const char*> known,
                         const std::string& where);

// A listener: "HOST:PORT" or {"listen": ..., "tls_certificate": ..., "tls_key": ..., "curve": ...}.
ListenerConfig read_listener(const nlohmann::json& value, std::string& error);
// `key` of `object` if present: one listener or an array of them, appended to `out`.
void read_listeners(const nlohmann::json& object, const char* key, std::vector<ListenerConfig>& out,
                    std::string& error);

// The name a server answers as: `configured`, else the first DNS name of the PKI's certificate for
// `role` (its TLS certificate); the error names `key`, the configuration key that was not given.
Expected<std::string> configured_or_pki_name(const std::string& configured, const std::filesystem::path& pki,
                                             crypto::Role role, const std::string& key);

}  // namespace rsp::server
