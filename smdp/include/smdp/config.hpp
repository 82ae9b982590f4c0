#pragma once
// The SM-DP+'s configuration: one JSON file (comments allowed) whose every key can also be given
// as a command-line flag. smdp/smdp.example.json shows each key with its default.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "rsp/expected.hpp"
#include "rsp/server/limits_config.hpp"
#include "rsp/server/listener.hpp"

namespace smdp {

// One HTTPS listener: address, and its own TLS identity if not the PKI's dp-tls certificate.
using rsp::server::ListenerConfig;
// "HOST:PORT" (HOST may be [v6]); errors say what is wrong.
using rsp::server::split_host_port;

// An operator allowed on ES2+: identified by its pinned TLS client certificate.
struct OperatorConfig {
  std::string id;
  std::filesystem::path client_certificate;  // PEM or DER; self-signed allowed, expired refused
  std::optional<std::string> callback_url;   // where HandleDownloadProgressInfo goes
};

struct SmdpConfig {
  std::filesystem::path pki;          // rsp-pki layout: <curve>/{ci,dp-auth,dp-pb,dp-tls}
  std::string smdp_address;           // empty: the first DNS name of the dp-tls certificate
  std::vector<ListenerConfig> es9;    // device side (ES9+)
  std::optional<ListenerConfig> es2;  // operator side (ES2+), with client certificates
  // ES2+ and ES9+ on one port: ES2+ is served on an ES9+ listener, which then asks for client
  // certificates without requiring them. Also implied when es2 names the same address as an es9
  // listener with a fixed port (two listeners cannot bind one port anyway).
  bool es2_on_es9_listener = false;
  std::string metrics_listen;  // plain HTTP GET /metrics; empty: off
  std::string database = "sqlite:smdp.db";
  // The key file that seals profiles in the database (smdp/profile_key.hpp); none: profile-key
  // beside the SQLite file (made at first start), unless $SMDP_PROFILE_KEY holds the key.
  std::optional<std::filesystem::path> profile_key;
  std::vector<OperatorConfig> operators;
  int64_t session_lifetime = 3600;          // seconds
  int64_t order_lifetime = 30 * 24 * 3600;  // seconds
  // Seconds a handled notification is kept (it refuses the same notification a second time):
  // without an end the notifications table grew by every download for ever.
  int64_t notification_retention = 30 * 24 * 3600;
  int confirmation_code_attempts = 5;
  size_t handler_threads = 8;
  // "limits": connections, header and body sizes, JSON bounds and times of every listener
  // (rsp/server/limits_config.hpp names the keys); absent keys keep the server's defaults.
  rsp::server::ListenerLimits limits;
  // ES2+ callbacks to operators: the CAs their servers chain to, and our client identity.
  std::vector<std::filesystem::path> callback_trusted_cas;
  std::optional<std::filesystem::path> callback_client_certificate;
  std::optional<std::filesystem::path> callback_client_key;
  // ES12 to the SM-DSs orders name (smdsAddress): their TLS certificates chain to the PKI's CIs or
  // to one of these; the SM-DP+ presents the PKI's dp-tls certificate as its client certificate.
  std::vector<std::filesystem::path> smds_trusted_cas;
  // Seconds before the first retry of an outbox call (ES2+ callback, ES12 DeleteEvent); doubles
  // after each failure up to an hour.
  int64_t callback_retry_delay = 30;
  // Conformance harness only (smdp serve --conformance-harness --fault NAME), never in the file:
  // named misbehaviours that show rsp-conformance's SM-DP+ cases fail when the SM-DP+ is wrong
  // (known_faults() says what each does).
  std::set<std::string> faults;
};

// The SM-DP+'s fault names for the conformance harness, each with what it switches off.
const std::vector<std::pair<std::string, std::string>>& known_faults();

// Reads FILE (JSON; // and /* */ comments allowed). Unknown keys are errors: a typo must not
// silently leave a default in place.
rsp::Expected<SmdpConfig> load_config(const std::filesystem::path& file);

// smdp_address, or when empty the first DNS name of the PKI's dp-tls certificate.
rsp::Expected<std::string> resolve_smdp_address(const SmdpConfig& config);

// The index of the ES9+ listener that serves ES2+ too, or none when ES2+ has a listener of its own
// (or none at all): es2_on_es9_listener picks the es9 listener es2 names, else the first; without
// it, an es2 address equal to an es9 one with a port other than 0 is shared. A shared listener has
// the ES9+ listener's TLS identity, so es2 may then name no certificate, key or curve of its own.
rsp::Expected<std::optional<size_t>> shared_es2_listener(const SmdpConfig& config);

}  // namespace smdp
