#pragma once
// A configuration reload without a restart (SIGHUP, rsp/server/server_signals.hpp): the listeners'
// TLS identities and the pinned client certificates (operators, SM-DP+s, owners) read again.
// Everything is read and readied first and put in place only when all of it succeeded, so that a
// configuration that fails to load leaves the running one whole. Connections accepted afterwards
// see the change; those already open keep what they had.
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rsp/crypto/certificate.hpp"
#include "rsp/expected.hpp"
#include "rsp/http/server.hpp"
#include "rsp/server/listener.hpp"
#include "rsp/server/pinned_clients.hpp"

namespace rsp::server {

using PinFiles = std::vector<std::pair<std::string, std::filesystem::path>>;  // name, certificate file

class Reload {
 public:
  // Listener `index` of `server` to present l's identity: its files, else the PKI's certificate for `role`.
  void listener(http::Server& server, size_t index, const ListenerConfig& l, const std::filesystem::path& pki,
                crypto::Role role);
  // `pins` to hold these instead of what they hold; `what` names an entry in errors ("operator").
  void pins(PinnedClients& pins, const PinFiles& files, const std::string& what);

  // Everything readied put in place; or, when anything failed, nothing, and the first failure.
  Status<> apply();

 private:
  void record(const Error& error);

  std::vector<std::function<void()>> steps_;
  std::vector<std::unique_ptr<PinnedClients>> fresh_pins_;
  std::optional<Error> failure_;
};

}  // namespace rsp::server
