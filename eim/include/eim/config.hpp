#pragma once
// The eIM's configuration: one JSON file (comments allowed) whose every key can also be given as a
// command-line flag. eim/eim.example.json shows each key with its default.
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "rsp/expected.hpp"
#include "rsp/server/limits_config.hpp"
#include "rsp/server/listener.hpp"

namespace eim {

using rsp::server::ListenerConfig;

struct EimConfig {
  std::filesystem::path pki;           // rsp-pki layout: <curve>/{ci, eim, eim-tls}
  std::string eim_id;                  // empty: the first DNS name of the eim-tls certificate
  std::vector<ListenerConfig> listen;  // ESipa (IPAs) over HTTPS
  std::string metrics_listen;          // plain HTTP GET /metrics; empty: off
  std::string database = "sqlite:eim.db";
  int64_t package_lifetime = 7 * 24 * 3600;  // seconds a queued package waits for its device
  size_t handler_threads = 8;
  // "limits": connections, header and body sizes, JSON bounds and times of every listener
  // (rsp/server/limits_config.hpp names the keys); absent keys keep the server's defaults.
  rsp::server::ListenerLimits limits;
  // "owner_limits": the same for the owner API's listeners but the JSON bounds, which "limits" sets
  // for the whole process.
  rsp::server::ListenerLimits owner_limits;
  // The fleet owners' API (owner_api.hpp) on its own HTTPS listeners, client certificates required;
  // owners: [{name, client_certificate}], each pinned by its certificate (PEM or DER).
  std::vector<ListenerConfig> owner_listen;
  std::vector<std::pair<std::string, std::filesystem::path>> owners;
  // The indirect profile download (the eIM relaying ES9+ to SM-DP+s for IPAs that reach only it).
  bool indirect_download = true;
  uint16_t smdp_port = 0;  // lab set-ups: the port SM-DP+s listen on when not 443; 0: 443
  // Conformance harness only (eim serve --conformance-harness --fault NAME), never in the file: named
  // misbehaviours that show rsp-conformance's eIM cases fail when the eIM is wrong.
  // reuse-counter: an eUICC Package queued while another waits for delivery gets that one's
  // counterValue; skip-result-signature-check: results are recorded without checking euiccSignEPR;
  // deliver-twice: with nothing queued, the device's last delivered, unanswered package goes out again;
  // acknowledge-unverified: ProvideEimPackageResult acknowledges a signed result's seqNumber even when
  // the result is refused (unknown package, another EID, bad signature); other-eid-in-package and
  // wrong-package-signature: eUICC Packages for another EID, or with a bit of eimSignature flipped.
  std::set<std::string> faults = {};
};

// Reads FILE (JSON; // and /* */ comments allowed). Unknown keys are errors.
rsp::Expected<EimConfig> load_config(const std::filesystem::path& file);

// eim_id, or when empty the first DNS name of the PKI's eim-tls certificate.
rsp::Expected<std::string> resolve_eim_id(const EimConfig& config);

}  // namespace eim
