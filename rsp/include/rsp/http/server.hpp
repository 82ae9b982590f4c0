#pragma once
// The HTTPS server every component shares (the SM-DP+'s ES9+ and ES2+, later the eIM): several
// listeners, each with its own address, TLS identity, client-certificate policy and handler.
// Connections are served by one IO thread; handlers run on a pool of threads, so they may block.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rsp/crypto/certificate.hpp"
#include "rsp/expected.hpp"
#include "rsp/http/headers.hpp"
#include "rsp/http/tls_identity.hpp"

namespace rsp::http {

struct Request {
  std::string method;  // "POST", "GET", ...
  std::string target;  // as sent: path and query, e.g. "/gsma/rsp2/es9plus/initiateAuthentication"
  Headers headers;
  std::string body;
  std::string peer_address;                               // "127.0.0.1:41234"
  std::optional<crypto::Certificate> client_certificate;  // given and accepted by the listener's callback
};

struct Response {
  int status = 200;
  Headers headers;  // Content-Length, Connection and Server are the server's to set
  std::string body;
};

using Handler = std::function<Response(const Request&)>;

enum class ClientCertificates {
  off,       // not asked for
  required,  // asked for; none, or one the callback refuses, fails the TLS handshake
  optional,  // asked for, not required: none still gets a TLS session (the handler sees no
             // client_certificate); one the callback refuses fails the TLS handshake
};

struct ListenerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;               // 0: an ephemeral port, see Server::port()
  std::optional<TlsIdentity> tls;  // none: plain HTTP (tests, metrics)
  ClientCertificates client_certificates = ClientCertificates::off;
  // Decides on the client's leaf certificate. No web-PKI validation happens: operators' certificates
  // are often self-signed and pinned, so this callback is the whole check. Runs on the IO thread.
  std::function<bool(const crypto::Certificate&)> accept_client_certificate;
  Handler handler;
};

// Each limit, when reached, gets its answer (413, 431 or a closed connection), a count in
// rsp::refusal_count() and a log line (rsp/refusals.hpp). A server's configuration sets them from
// its "limits" object (rsp/server/limits_config.hpp).
struct ServerOptions {
  std::vector<ListenerOptions> listeners;
  size_t handler_threads = 4;
  size_t body_limit = 4 * 1024 * 1024;  // a Bound Profile Package is ~100 KB in base64; larger gets 413
  size_t header_limit = 8 * 1024;       // request line and header fields; larger gets 431
  // A new connection waits first_byte_timeout for its first byte (the TLS ClientHello, or the
  // request); a kept-alive one idle_timeout for the next request's. From that first byte the whole
  // request (TLS handshake included) must be read within read_timeout. Writing a response:
  // read_timeout too. Past any of them the connection is closed.
  std::chrono::milliseconds first_byte_timeout{10'000};
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds stop_timeout{10'000};  // how long stop() lets running requests finish
  // Connections open at once over all listeners; one more is closed as soon as it is accepted (and
  // counted in refused_connections()), so that the descriptors never run out under a flood and the
  // server answers again as soon as connections end. Never more than the process's descriptor
  // limit leaves room for (64 kept for files, databases and the listeners).
  size_t max_connections = 4096;
  // Connections open at once from one peer (peer_key()): one more from it is closed at once, so
  // that one peer cannot take every connection from the others.
  size_t max_connections_per_peer = 64;
};

// The peer a connection from `address` counts against in max_connections_per_peer: an IPv4 address
// as it is (an IPv4-mapped IPv6 one too, as a dual-stack listener sees IPv4 peers), an IPv6 one by
// its /64, the least a single site or subscriber is given ("2001:db8::/64"). Text that is no
// address is its own key.
std::string peer_key(const std::string& address);

class Server {
 public:
  // Binds every listener and starts serving; errors name the listener (bind failure, bad identity).
  static Expected<std::unique_ptr<Server>> start(ServerOptions options);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port of listener `index` (in the order given), e.g. after asking for port 0.
  uint16_t port(size_t index) const;
  // Connections closed at once because max_connections, or max_connections_per_peer from their
  // address, were open.
  uint64_t refused_connections() const;
  // Readies a new TLS identity for listener `index` (a TLS listener) and returns what puts it in
  // place: connections accepted after that present `identity`, with the listener's client-certificate
  // policy, callback and handler unchanged; connections already open keep the identity they have.
  // Everything that can fail happens here, so that several can be readied and then put in place
  // together (a configuration reload, rsp/server/reload.hpp) or not at all.
  Expected<std::function<void()>> prepare_tls_identity(size_t index, const TlsIdentity& identity);
  // Stops accepting, closes idle connections, lets requests being read or handled finish (their
  // responses close the connection) for at most stop_timeout, then closes what is left.
  // A handler that never returns still holds its thread: handlers must bound their own work.
  // Not to be called from a handler (it waits for the handlers to end).
  void stop();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rsp::http
