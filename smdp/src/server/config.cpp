#include "smdp/config.hpp"

#include "rsp/server/config_json.hpp"

namespace smdp {

namespace {

using nlohmann::json;
using rsp::server::read_key;
using rsp::server::read_path;
using rsp::server::unknown_keys;

}  // namespace

rsp::Expected<std::string> resolve_smdp_address(const SmdpConfig& config) {
  return rsp::server::configured_or_pki_name(config.smdp_address, config.pki, rsp::crypto::Role::dp_tls,
                                             "smdp_address");
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
      return rsp::fail("es2_on_es9_listener: es2_listen " + config.es2->listen +
                       " is none of the es9_listen addresses");
  } else if (config.es2_on_es9_listener) {
    if (config.es9.empty()) return rsp::fail("es2_on_es9_listener: no ES9+ listener (es9_listen)");
    shared = 0;
  }
  if (shared && config.es2 && (config.es2->tls_certificate || config.es2->tls_key || !config.es2->curve.empty()))
    return rsp::fail(
        "es2_listen " + config.es2->listen +
        " shares an ES9+ listener and presents its TLS identity: name certificate, key or curve on the es9_listen entry");
  return shared;
}

rsp::Expected<SmdpConfig> load_config(const std::filesystem::path& file) {
  auto object = rsp::server::read_config_object(file);
  if (!object) return rsp::Unexpected{object.error()};
  const json& root = *object;

  std::string error = unknown_keys(root,
                                   {"pki",
                                    "smdp_address",
                                    "es9_listen",
                                    "es2_listen",
                                    "es2_on_es9_listener",
                                    "metrics_listen",
                                    "database",
                                    "operators",
                                    "session_lifetime",
                                    "order_lifetime",
                                    "notification_retention",
                                    "confirmation_code_attempts",
                                    "handler_threads",
                                    "callback_trusted_cas",
                                    "callback_client_certificate",
                                    "callback_client_key",
                                    "smds_trusted_cas",
                                    "callback_retry_delay",
                                    "profile_key",
                                    "limits"},
                                   "");
  SmdpConfig c;
  std::string pki;
  read_key(root, "pki", pki, error);
  c.pki = pki;
  read_key(root, "smdp_address", c.smdp_address, error);
  rsp::server::read_listeners(root, "es9_listen", c.es9, error);
  if (auto it = root.find("es2_listen"); it != root.end() && error.empty())
    c.es2 = rsp::server::read_listener(*it, error);
  read_key(root, "es2_on_es9_listener", c.es2_on_es9_listener, error);
  read_key(root, "metrics_listen", c.metrics_listen, error);
  read_key(root, "database", c.database, error);
  read_path(root, "profile_key", c.profile_key, error);
  read_key(root, "session_lifetime", c.session_lifetime, error);
  read_key(root, "order_lifetime", c.order_lifetime, error);
  read_key(root, "notification_retention", c.notification_retention, error);
  read_key(root, "confirmation_code_attempts", c.confirmation_code_attempts, error);
  read_key(root, "handler_threads", c.handler_threads, error);
  rsp::server::read_limits(root, "limits", c.limits, error);
  std::vector<std::string> cas;
  read_key(root, "callback_trusted_cas", cas, error);
  for (auto& ca : cas) c.callback_trusted_cas.emplace_back(ca);
  std::vector<std::string> smds_cas;
  read_key(root, "smds_trusted_cas", smds_cas, error);
  for (auto& ca : smds_cas) c.smds_trusted_cas.emplace_back(ca);
  read_key(root, "callback_retry_delay", c.callback_retry_delay, error);
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
      if (error = unknown_keys(o, {"id", "client_certificate", "callback_url"}, " in an operator"); !error.empty())
        break;
      OperatorConfig op;
      std::string certificate;
      read_key(o, "id", op.id, error);
      read_key(o, "client_certificate", certificate, error);
      op.client_certificate = certificate;
      std::string callback;
      read_key(o, "callback_url", callback, error);
      if (!callback.empty()) op.callback_url = callback;
      if (error.empty() && (op.id.empty() || certificate.empty()))
        error = "an operator needs \"id\" and \"client_certificate\"";
      c.operators.push_back(std::move(op));
    }
  }
  if (!error.empty()) return rsp::fail(file.string() + ": " + error);
  return c;
}

}  // namespace smdp

namespace smdp {

const std::vector<std::pair<std::string, std::string>>& known_faults() {
  static const std::vector<std::pair<std::string, std::string>> known = {
      {"skip-signature-check",
       "euiccSignature1 (authenticateClient), euiccSignature2 (getBoundProfilePackage), euiccSignPIR (handleNotification) and "
       "euiccCancelSessionSignature (cancelSession) not verified"},
      {"accept-any-challenge",
       "authenticateClient takes whatever transactionId and serverChallenge euiccSigned1 carries"},
      {"skip-address-check",
       "initiateAuthentication takes any smdpAddress, authenticateClient any serverAddress in euiccSigned1"},
      {"skip-certificate-check",
       "authenticateClient takes CERT.EUM and CERT.EUICC unverified (issuer, signature, validity, EID range)"},
      {"skip-eid-range-check", "authenticateClient takes a CERT.EUICC whose EID is outside the EUM's permitted range"},
      {"reuse-otpk", "every BPP is bound with the same otSK.DP, a one-time key used again and again"},
      {"skip-operator-check", "ES2+ lets any operator confirm, cancel and release any operator's order"},
      {"skip-order-state-check",
       "ES2+ ConfirmOrder, ReleaseProfile and CancelOrder act whatever state the order is in"},
  };
  return known;
}

}  // namespace smdp
