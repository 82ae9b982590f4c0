#include "eim/config.hpp"

#include "rsp/server/config_json.hpp"

namespace eim {

using nlohmann::json;
using rsp::server::read_key;

rsp::Expected<std::string> resolve_eim_id(const EimConfig& config) {
  return rsp::server::configured_or_pki_name(config.eim_id, config.pki, rsp::crypto::Role::eim_tls, "eim_id");
}

rsp::Expected<EimConfig> load_config(const std::filesystem::path& file) {
  auto object = rsp::server::read_config_object(file);
  if (!object) return rsp::Unexpected{object.error()};
  const json& root = *object;
  std::string error = rsp::server::unknown_keys(
      root,
      {"pki", "eim_id", "listen", "metrics_listen", "database", "package_lifetime", "handler_threads", "owner_listen",
       "owners", "indirect_download", "smdp_port", "limits", "owner_limits"},
      "");
  EimConfig c;
  std::string pki;
  read_key(root, "pki", pki, error);
  c.pki = pki;
  read_key(root, "eim_id", c.eim_id, error);
  rsp::server::read_listeners(root, "listen", c.listen, error);
  read_key(root, "metrics_listen", c.metrics_listen, error);
  read_key(root, "database", c.database, error);
  read_key(root, "package_lifetime", c.package_lifetime, error);
  read_key(root, "handler_threads", c.handler_threads, error);
  rsp::server::read_limits(root, "limits", c.limits, error);
  rsp::server::read_limits(root, "owner_limits", c.owner_limits, error, /*json_keys=*/false);
  // The owner API: listeners as "listen", owners [{name, client_certificate}].
  rsp::server::read_listeners(root, "owner_listen", c.owner_listen, error);
  if (auto it = root.find("owners"); it != root.end() && error.empty()) {
    for (const auto& o : it->is_array() ? *it : json()) {
      std::string name, certificate;
      if (o.is_object() && error.empty())
        error = rsp::server::unknown_keys(o, {"name", "client_certificate"}, " in owners");
      read_key(o.is_object() ? o : json::object(), "name", name, error);
      read_key(o.is_object() ? o : json::object(), "client_certificate", certificate, error);
      if (error.empty() && (name.empty() || certificate.empty()))
        error = "each of \"owners\" is {\"name\", \"client_certificate\"}";
      c.owners.emplace_back(name, certificate);
    }
    if (!it->is_array() && error.empty()) error = "\"owners\" is an array";
  }
  read_key(root, "indirect_download", c.indirect_download, error);
  int64_t smdp_port = 0;  // read wide: a JSON number does not wrap into uint16_t
  read_key(root, "smdp_port", smdp_port, error);
  if (error.empty() && (smdp_port < 0 || smdp_port > 65535)) error = "\"smdp_port\" must be 0 to 65535";
  c.smdp_port = static_cast<uint16_t>(smdp_port);
  if (error.empty() && c.package_lifetime <= 0) error = "\"package_lifetime\" must be positive";
  if (!error.empty()) return rsp::fail(file.string() + ": " + error);
  return c;
}

}  // namespace eim
