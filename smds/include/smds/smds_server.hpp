#pragma once
// The running SM-DS: store, ES11 and ES12 services on their HTTPS listeners (one port serves
// both: devices without a client certificate, SM-DP+s with their pinned one), the metrics listener
// and the background work (expired sessions and events), made from one SmdsConfig. `smds serve` is
// this plus signal handling; tests start it in-process.
#include <memory>
#include <optional>

#include "rsp/expected.hpp"
#include "smds/config.hpp"

namespace smds {

class SmdsServer {
 public:
  static rsp::Expected<std::unique_ptr<SmdsServer>> start(const SmdsConfig& config);
  virtual ~SmdsServer() = default;

  virtual const std::string& smds_address() const = 0;
  virtual uint16_t port(size_t index = 0) const = 0;
  virtual std::optional<uint16_t> metrics_port() const = 0;
  // SIGHUP (rsp/server/reload.hpp): the listeners' TLS identities and the SM-DP+s' pinned
  // certificates read again from `config` (SM-DP+s may be added and removed); nothing changes when
  // any of it fails. Listeners added or removed, and every other setting, take effect at a restart.
  virtual rsp::Status<> reload(const SmdsConfig& config) = 0;
  // Stops accepting, lets running requests finish, stops the background work.
  virtual void stop() = 0;
};

}  // namespace smds
