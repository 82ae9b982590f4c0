#pragma once
// The running eIM: its store, the ESipa service on its HTTPS listeners, the metrics listener and
// the background expiry of packages, made from one EimConfig. `eim serve` is this plus signal
// handling; tests start it in-process.
#include <memory>
#include <optional>
#include <string>

#include "eim/config.hpp"
#include "rsp/expected.hpp"

namespace eim {

class EimServer {
 public:
  static rsp::Expected<std::unique_ptr<EimServer>> start(const EimConfig& config);
  virtual ~EimServer() = default;

  virtual const std::string& eim_id() const = 0;
  virtual uint16_t port(size_t index = 0) const = 0;
  virtual std::optional<uint16_t> metrics_port() const = 0;
  // The owner API's listener `index` (owner_listen), when configured.
  virtual std::optional<uint16_t> owner_port(size_t index = 0) const = 0;
  // SIGHUP (rsp/server/reload.hpp): the TLS identities of the ESipa and owner API listeners and the
  // owners' pinned certificates read again from `config` (owners may be added and removed); nothing
  // changes when any of it fails. Listeners added or removed, and every other setting, take effect
  // at a restart.
  virtual rsp::Status<> reload(const EimConfig& config) = 0;
  // Stops accepting, lets running requests finish, stops the background work.
  virtual void stop() = 0;
};

}  // namespace eim
