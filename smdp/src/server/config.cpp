#include "smdp/config.hpp"

#include <nlohmann/json.hpp>

#include "rsp/files.hpp"
#include "rsp/pki/pki_layout.hpp"

namespace smdp {

namespace {

using nlohmann::json;

// Reads `key` of `object` into `out` if present, with a message naming the key on a type error.
template <class T>
void read(const json& object, const char* key, T& out, std::string& error) {
  auto it = object.find(key);
  if (it == object.end() || !error.empty()) return;
  try {
    out = it->get<T>();
  } catch (const json::exception&) {
    error = std::string("\"") + key + "\" has the wrong type";
  }
}

void read_path(const json& object, const char* key, std::optional<std::filesystem::path>& out, std::string& error) {
  std::string text;
  read(object, key, text, error);
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

// A listener: "HOST:PORT" or {"listen": ..., "tls_certificate": ..., "tls_key": ..., "curve": ...}.
ListenerConfig listener(const json& value, std::string& error) {
  ListenerConfig l;
  if (value.is_string()) {
    l.listen = value.get<std::string>();
    return l;
  }
  if (!value.is_object()) {
    error = "a listener is \"HOST:PORT\" or an object";
    return l;
  }
  if (error = unknown_keys(value, {"listen", "tls_certificate", "tls_key", "curve"}, " in a listener"); !error.empty()) return l;
  read(value, "listen", l.listen, error);
  read_path(value, "tls_certificate", l.tls_certificate, error);
  read_path(value, "tls_key", l.tls_key, error);
  read(value, "curve", l.curve, error);
  if (error.empty() && l.listen.empty()) error = "a listener needs \"listen\"";
  return l;
}

}  // namespace

rsp::Expected<std::string> resolve_smdp_address(const SmdpConfig& config) {
  if (!config.smdp_address.empty()) return config.smdp_address;
  auto curves = rsp::pki::curves_present(config.pki);
  if (!curves.empty())
    if (auto tls = rsp::pki::load_certificate(config.pki, curves.front(), rsp::crypto::Role::dp_tls); tls && !tls->dns_names().empty())
      return tls->dns_names().front();
  return rsp::fail("no smdp_address given and the PKI's dp-tls certificate names no DNS host");
}

rsp::Expected<std::pair<std::string, uint16_t>> split_host_port(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return rsp::fail("\"" + listen + "\" is not HOST:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535)
    return rsp::fail("\"" + listen + "\": the port must be 0..65535");
  return std::pair{host, static_cast<uint16_t>(std::stoul(port))};
}

rsp::Expected<std::optional<size_t>> shared_es2_listener(const SmdpConfig& config) {
  std::optional<size_t> shared;
  if (config.es2) {
    for (size_t i = 0; i < config.es9.size() && !shared; ++i)
      if (config.es9[i].listen == config.es2->listen) {
        auto address = split_host_port(config.es2->listen);
        if (config.es2_on_es9_listener || (address && address->second != 0)) shared = i;
      }
    if (config.es2_on_es9_listener && !shared)
      return rsp::fail("es2_on_es9_listener: es2_listen " + config.es2->listen + " is none of the es9_listen addresses");
  } else if (config.es2_on_es9_listener) {
    if (config.es9.empty()) return rsp::fail("es2_on_es9_listener: no ES9+ listener (es9_listen)");
    shared = 0;
  }
  if (shared && config.es2 && (config.es2->tls_certificate || config.es2->tls_key || !config.es2->curve.empty()))
    return rsp::fail("es2_listen " + config.es2->listen +
                     " shares an ES9+ listener and presents its TLS identity: name certificate, key or curve on the es9_listen entry");
  return shared;
}

rsp::Expected<SmdpConfig> load_config(const std::filesystem::path& file) {
  auto bytes = rsp::files::read(file);
  if (!bytes) return rsp::fail(file.string() + ": " + bytes.error().message);
  json root = json::parse(bytes->begin(), bytes->end(), nullptr, false, /*ignore_comments=*/true);
  if (root.is_discarded() || !root.is_object()) return rsp::fail(file.string() + ": not a JSON object");

  std::string error = unknown_keys(root,
                                   {"pki", "smdp_address", "es9_listen", "es2_listen", "es2_on_es9_listener", "metrics_listen",
                                    "database", "operators", "session_lifetime", "order_lifetime", "confirmation_code_attempts",
                                    "handler_threads", "callback_trusted_cas", "callback_client_certificate", "callback_client_key"},
                                   "");
  SmdpConfig c;
  std::string pki;
  read(root, "pki", pki, error);
  c.pki = pki;
  read(root, "smdp_address", c.smdp_address, error);
  if (auto it = root.find("es9_listen"); it != root.end() && error.empty()) {
    if (it->is_array())
      for (const auto& l : *it) c.es9.push_back(listener(l, error));
    else
      c.es9.push_back(listener(*it, error));
  }
  if (auto it = root.find("es2_listen"); it != root.end() && error.empty()) c.es2 = listener(*it, error);
  read(root, "es2_on_es9_listener", c.es2_on_es9_listener, error);
  read(root, "metrics_listen", c.metrics_listen, error);
  read(root, "database", c.database, error);
  read(root, "session_lifetime", c.session_lifetime, error);
  read(root, "order_lifetime", c.order_lifetime, error);
  read(root, "confirmation_code_attempts", c.confirmation_code_attempts, error);
  read(root, "handler_threads", c.handler_threads, error);
  std::vector<std::string> cas;
  read(root, "callback_trusted_cas", cas, error);
  for (auto& ca : cas) c.callback_trusted_cas.emplace_back(ca);
  read_path(root, "callback_client_certificate", c.callback_client_certificate, error);
  read_path(root, "callback_client_key", c.callback_client_key, error);
  if (auto it = root.find("operators"); it != root.end() && error.empty()) {
    if (!it->is_array()) error = "\"operators\" must be a list";
    for (const auto& o : *it) {
      if (!error.empty()) break;
      if (!o.is_object()) {
        error = "an operator is an object";
        break;
      }
      if (error = unknown_keys(o, {"id", "client_certificate", "callback_url"}, " in an operator"); !error.empty()) break;
      OperatorConfig op;
      std::string certificate;
      read(o, "id", op.id, error);
      read(o, "client_certificate", certificate, error);
      op.client_certificate = certificate;
      std::string callback;
      read(o, "callback_url", callback, error);
      if (!callback.empty()) op.callback_url = callback;
      if (error.empty() && (op.id.empty() || certificate.empty())) error = "an operator needs \"id\" and \"client_certificate\"";
      c.operators.push_back(std::move(op));
    }
  }
  if (!error.empty()) return rsp::fail(file.string() + ": " + error);
  return c;
}

}  // namespace smdp
