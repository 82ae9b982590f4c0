#pragma once
// The running SM-DP+: store, credentials, ES9+ and ES2+ services, their HTTPS listeners, the
// metrics listener and the background work (ES2+ callbacks, expired sessions), made from one
// SmdpConfig. `smdp serve` is this plus signal handling; tests start it in-process.
#include <memory>
#include <optional>

#include "rsp/expected.hpp"
#include "smdp/config.hpp"

namespace smdp {

class SmdpServer {
 public:
  static rsp::Expected<std::unique_ptr<SmdpServer>> start(const SmdpConfig& config);
  virtual ~SmdpServer() = default;

  virtual const std::string& smdp_address() const = 0;
  virtual uint16_t es9_port(size_t index = 0) const = 0;
  virtual std::optional<uint16_t> es2_port() const = 0;
  virtual std::optional<uint16_t> metrics_port() const = 0;
  // SIGHUP (rsp/server/reload.hpp): the listeners' TLS identities and the operators' pinned
  // certificates read again from `config`; nothing changes when any of it fails. Listeners and
  // operators added or removed, and every other setting, take effect at a restart (removing an
  // operator's pin is the one change of the set allowed: it shuts that operator out at once).
  virtual rsp::Status<> reload(const SmdpConfig& config) = 0;
  // Stops accepting, lets running requests finish, stops the background work.
  virtual void stop() = 0;
};

}  // namespace smdp
