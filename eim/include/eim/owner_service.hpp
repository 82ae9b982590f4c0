#pragma once
// The owner API running: its own HTTPS server (so its body limit and threads stay apart from
// ESipa's), client certificates required on every listener, the owners pinned by certificate, and
// the package queue signing with the eIM's key from the PKI. `eim serve` starts it when
// owner_listen is configured.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "eim/owner_api.hpp"
#include "rsp/server/limits_config.hpp"
#include "rsp/server/listener.hpp"
#include "rsp/server/reload.hpp"

namespace eim {

struct OwnerServiceOptions {
  std::vector<rsp::server::ListenerConfig> listen;                    // presents the PKI's eim-tls unless given files
  std::vector<std::pair<std::string, std::filesystem::path>> owners;  // name, pinned client certificate (PEM or DER)
  std::filesystem::path pki;  // the eIM's key (eim) of the first curve, its TLS identity
  std::string eim_id;
  int64_t package_lifetime = 7 * 24 * 3600;
  rsp::crypto::TrustedCis cis;  // added devices' certificates must chain to one of them
  size_t handler_threads = 4;
  std::set<std::string> faults = {};        // EimConfig::faults (conformance harness only)
  rsp::server::ListenerLimits limits = {};  // EimConfig::owner_limits
};

class OwnerService {
 public:
  // Errors name the listener or owner at fault; no owners with listeners is an error.
  static rsp::Expected<std::unique_ptr<OwnerService>> start(EimStore& store, OwnerServiceOptions options);
  ~OwnerService();

  // Its part of a configuration reload: the listeners' TLS identities and the owners' pins (owners
  // may be added and removed, not all of them); the same number of listeners as at the start.
  rsp::Status<> prepare_reload(rsp::server::Reload& reload, const std::vector<rsp::server::ListenerConfig>& listen,
                               const rsp::server::PinFiles& owners, const std::filesystem::path& pki);
  uint16_t port(size_t index = 0) const { return server_->port(index); }
  void stop() { server_->stop(); }

 private:
  OwnerService() = default;
  rsp::server::PinnedClients owners_;
  size_t listeners_ = 0;
  std::unique_ptr<PackageQueue> queue_;
  std::unique_ptr<OwnerApi> api_;
  std::unique_ptr<rsp::http::Server> server_;  // last: stopped before the API goes
};

}  // namespace eim
