#include "smds/config.hpp"

#include "rsp/server/config_json.hpp"

namespace smds {

using nlohmann::json;
using rsp::server::read_key;

rsp::Expected<std::string> resolve_smds_address(const SmdsConfig& config) {
  return rsp::server::configured_or_pki_name(config.smds_address, config.pki, rsp::crypto::Role::ds_tls,
                                             "smds_address");
}

rsp::Expected<SmdsConfig> load_config(const std::filesystem::path& file) {
  auto object = rsp::server::read_config_object(file);
  if (!object) return rsp::Unexpected{object.error()};
  const json& root = *object;
  std::string error = rsp::server::unknown_keys(
      root,
      {"pki", "smds_address", "listen", "metrics_listen", "database", "smdps", "root_smds", "event_lifetime",
       "session_lifetime", "max_pending_sessions", "max_events_per_eid", "handler_threads", "limits"},
      "");
  SmdsConfig c;
  std::string pki;
  read_key(root, "pki", pki, error);
  c.pki = pki;
  read_key(root, "smds_address", c.smds_address, error);
  rsp::server::read_listeners(root, "listen", c.listen, error);
  read_key(root, "metrics_listen", c.metrics_listen, error);
  read_key(root, "database", c.database, error);
  read_key(root, "root_smds", c.root_smds, error);
  read_key(root, "event_lifetime", c.event_lifetime, error);
  read_key(root, "session_lifetime", c.session_lifetime, error);
  read_key(root, "max_pending_sessions", c.max_pending_sessions, error);
  read_key(root, "max_events_per_eid", c.max_events_per_eid, error);
  read_key(root, "handler_threads", c.handler_threads, error);
  rsp::server::read_limits(root, "limits", c.limits, error);
  if (auto it = root.find("smdps"); it != root.end() && error.empty()) {
    if (!it->is_array()) error = "\"smdps\" must be a list";
    for (const auto& s : *it) {
      if (!error.empty()) break;
      if (!s.is_object()) {
        error = "an smdps entry is an object";
        break;
      }
      if (error = rsp::server::unknown_keys(s, {"name", "client_certificate"}, " in an smdps entry"); !error.empty())
        break;
      PinnedSmdp smdp;
      std::string certificate;
      read_key(s, "name", smdp.name, error);
      read_key(s, "client_certificate", certificate, error);
      smdp.client_certificate = certificate;
      if (error.empty() && (smdp.name.empty() || certificate.empty()))
        error = "an smdps entry needs \"name\" and \"client_certificate\"";
      c.smdps.push_back(std::move(smdp));
    }
  }
  if (!error.empty()) return rsp::fail(file.string() + ": " + error);
  return c;
}

}  // namespace smds
