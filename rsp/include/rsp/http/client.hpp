#pragma once
// The HTTPS client every component shares (the IPA's ES9+, the SM-DP+'s ES2+ callbacks), on
// libcurl. Server certificates are verified against the CAs given (SGP.22 servers chain to the
// GSMA CI, not to the web PKI), host names always; both can be turned off only by the explicit
// insecure_lab_only flag. A Client is immutable after create() and safe to use from many threads.
// Its exchanges reuse kept-alive connections (HTTP/1.1 keep-alive: no TCP and TLS handshake per
// call), each used by one exchange at a time, and only as long as the server says it keeps them.
#include <chrono>
#include <filesystem>
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

struct ClientRequest;
struct ClientResponse;

struct ClientOptions {
  // The CAs server certificates must chain to. Both empty: the system's web-PKI store.
  std::vector<crypto::Certificate> trusted_cas;
  std::vector<std::filesystem::path> trusted_ca_files;  // PEM (several certificates each) or DER
  std::optional<TlsIdentity> client_identity;           // mutual TLS, e.g. ES2+
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};  // the whole exchange
  size_t response_limit = 16 * 1024 * 1024;         // a larger body is an error, not a memory hog
  // A connection idle longer is closed, not reused; shorter still when the server's Keep-Alive:
  // timeout=N says so. 0: a new connection for every exchange.
  std::chrono::milliseconds keep_alive_idle{30'000};
  // Turns off certificate and host name verification. For lab set-ups only; the caller says so
  // loudly in its log.
  bool insecure_lab_only = false;
  // Called after every exchange, with the response or why there is none (a conformance harness's
  // report, tracing). Called on the sending thread; it must be as thread-safe as the client's use.
  std::function<void(const ClientRequest&, const Expected<ClientResponse>&)> on_exchange;
};

struct ClientRequest {
  std::string method = "POST";
  std::string url;  // https://host:port/path
  Headers headers;
  std::string body;
  std::optional<std::chrono::milliseconds> total_timeout;  // overrides the client's for this call
};

// Bytes of one exchange on the wire, for footprint figures (issue 12).
struct WireBytes {
  uint64_t header_bytes_sent = 0;      // the request line and headers
  uint64_t header_bytes_received = 0;  // the status lines and headers (a 100 Continue's too)
  // TCP payload during the exchange (the kernel's tcpi_bytes_acked and tcpi_bytes_received): the
  // TLS records, with the handshake on a new connection; for http:// the HTTP bytes themselves.
  uint64_t tls_bytes_sent = 0;
  uint64_t tls_bytes_received = 0;
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
  bool new_connection = false;  // a TCP (and TLS) connection was opened for it; false: one was reused
  WireBytes wire;
};

class Client {
 public:
  // Reads the CA files and checks the client identity; errors name the file or what is wrong.
  static Expected<Client> create(ClientOptions options);

  // A status of any value (4xx, 5xx included) is a response; errors are for exchanges that did not
  // happen: "TLS certificate verification failed: ...", "cannot connect: ...", "timed out: ...".
  Expected<ClientResponse> send(const ClientRequest& request) const;
  Expected<ClientResponse> post(std::string url, std::string body, Headers headers = {}) const;
  Expected<ClientResponse> get(std::string url, Headers headers = {}) const;

 private:
  struct Settings;
  Expected<ClientResponse> perform(const ClientRequest& request) const;
  explicit Client(std::shared_ptr<const Settings> settings) : settings_(std::move(settings)) {}
  std::shared_ptr<const Settings> settings_;
};

}  // namespace rsp::http
