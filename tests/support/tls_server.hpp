#pragma once
// A test HTTPS server: one listener on loopback (a free port) presenting `identity`, every request
// to `handler`. What scripted peers (an eIM, an SM-DS, a proxy, a broken SM-DP+) stand on.
#include "rsp/http/server.hpp"
#include "rsp/http/tls_identity.hpp"

namespace rsp::test {

inline std::unique_ptr<http::Server> start_tls_server(http::TlsIdentity identity, http::Handler handler,
                                                      size_t threads = 1) {
  http::ListenerOptions listener;
  listener.tls = std::move(identity);
  listener.handler = std::move(handler);
  http::ServerOptions options;
  options.listeners.push_back(std::move(listener));
  options.handler_threads = threads;
  return http::Server::start(std::move(options)).value();
}

}  // namespace rsp::test
