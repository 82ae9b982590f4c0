#pragma once
// The SM-DS's configuration: one JSON file (comments allowed) whose every key can also be given as
// a command-line flag. smds/smds.example.json shows each key with its default.
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "rsp/expected.hpp"
#include "rsp/server/limits_config.hpp"
#include "rsp/server/listener.hpp"

namespace smds {

using rsp::server::ListenerConfig;

// An SM-DP+ allowed on ES12, pinned by its TLS client certificate (its CERT.DP.TLS).
struct PinnedSmdp {
  std::string name;
  std::filesystem::path client_certificate;  // PEM or DER; expired refused
};

struct SmdsConfig {
  std::filesystem::path pki;           // rsp-pki layout: <curve>/{ci,ds-auth,ds-tls}
  std::string smds_address;            // empty: the first DNS name of the ds-tls certificate
  std::vector<ListenerConfig> listen;  // ES11 (devices) and ES12 (SM-DP+s) over HTTPS
  std::string metrics_listen;          // plain HTTP GET /metrics; empty: off
  std::string database = "sqlite:smds.db";
  std::vector<PinnedSmdp> smdps;
  std::string root_smds;  // the root SM-DS forwarded registrations cascade to; empty: this is the root
  int64_t event_lifetime = 90 * 24 * 3600;  // seconds an Event Record is kept if never deleted
  int64_t session_lifetime = 600;           // seconds from ES11 initiateAuthentication
  int64_t max_pending_sessions = 10000;     // ES11 sessions not yet authenticated
  int64_t max_events_per_eid = 32;
  size_t handler_threads = 8;
  // "limits": connections, header and body sizes, JSON bounds and times of every listener
  // (rsp/server/limits_config.hpp names the keys); absent keys keep the server's defaults.
  rsp::server::ListenerLimits limits;
  // Conformance harness only (smds serve --conformance-harness --fault NAME), never in the file: named
  // misbehaviours that show rsp-conformance's SM-DS cases fail when the SM-DS is wrong.
  // skip-signature-check: ES11 takes euiccSignature1 unchecked; accept-any-challenge: ES11 takes the
  // transactionId and serverChallenge euiccSigned1 carries instead of the session's;
  // return-other-eid-events: ES11 hands out every EID's Event Records; accept-duplicate-event: ES12
  // RegisterEvent of an EventID the EID has answers success; delete-other-smdp-event: ES12
  // DeleteEvent removes an event another SM-DP+ registered; accept-any-address: ES11
  // initiateAuthentication takes any SM-DS address.
  std::set<std::string> faults = {};
};

// Reads FILE (JSON; // and /* */ comments allowed). Unknown keys are errors.
rsp::Expected<SmdsConfig> load_config(const std::filesystem::path& file);

// smds_address, or when empty the first DNS name of the PKI's ds-tls certificate.
rsp::Expected<std::string> resolve_smds_address(const SmdsConfig& config);

}  // namespace smds
