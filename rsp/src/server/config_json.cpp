#include "rsp/server/config_json.hpp"

#include "rsp/files.hpp"

namespace rsp::server {

using nlohmann::json;

Expected<json> read_config_object(const std::filesystem::path& file) {
  auto bytes = files::read(file);
  if (!bytes) return fail(file.string() + ": " + bytes.error().message);
  json root = json::parse(bytes->begin(), bytes->end(), nullptr, false, /*ignore_comments=*/true);
  if (root.is_discarded() || !root.is_object()) return fail(file.string() + ": not a JSON object");
  return root;
}

void read_path(const json& object, const char* key, std::optional<std::filesystem::path>& out, std::string& error) {
  std::string text;
  read_key(object, key, text, error);
  if (!text.empty()) out = text;
}

std::string unknown_keys(const json& object, std::initializer_list<const char*> known, const std::string& where) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    bool ok = false;
    for (const char* k : known) ok = ok || it.key() == k;
    if (!ok) return "unknown key \"" + it.key() + "\"" + where;
  }
  return {};
}

ListenerConfig read_listener(const json& value, std::string& error) {
  ListenerConfig l;
  if (value.is_string()) {
    l.listen = value.get<std::string>();
    return l;
  }
  if (!value.is_object()) {
    error = "a listener is \"HOST:PORT\" or an object";
    return l;
  }
  if (error = unknown_keys(value, {"listen", "tls_certificate", "tls_key", "curve"}, " in a listener"); !error.empty())
    return l;
  read_key(value, "listen", l.listen, error);
  read_path(value, "tls_certificate", l.tls_certificate, error);
  read_path(value, "tls_key", l.tls_key, error);
  read_key(value, "curve", l.curve, error);
  if (error.empty() && l.listen.empty()) error = "a listener needs \"listen\"";
  return l;
}

void read_listeners(const json& object, const char* key, std::vector<ListenerConfig>& out, std::string& error) {
  auto it = object.find(key);
  if (it == object.end() || !error.empty()) return;
  for (const auto& l : it->is_array() ? *it : json::array({*it})) out.push_back(read_listener(l, error));
}

Expected<std::string> configured_or_pki_name(const std::string& configured, const std::filesystem::path& pki,
                                             crypto::Role role, const std::string& key) {
  if (!configured.empty()) return configured;
  auto name = pki_dns_name(pki, role);
  if (!name) return fail("no " + key + " given and " + name.error().message);
  return name;
}

}  // namespace rsp::server
