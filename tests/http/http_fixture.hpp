#pragma once
// Test PKIs, identities and an echo handler for the rsp_http tests; everything runs on loopback.
#include <catch2/catch.hpp>

#include <string>

#include "rsp/http/client.hpp"
#include "rsp/http/server.hpp"
#include "rsp/pki/certificate_issuer.hpp"
#include "rsp/pki/test_pki.hpp"
#include "support/kit.hpp"

namespace rsp::test {

// A fresh test PKI (CI, dp-tls for `dp_host`, ...) in a temporary directory.
struct TestPki {
  explicit TestPki(std::string dp_host = "localhost", crypto::Curve on = crypto::Curve::nist_p256) : curve(on) {
    pki::MakeOptions options;
    options.curve = on;
    options.dp_host = std::move(dp_host);
    auto made = pki::make(dir.path(), options);
    REQUIRE(made);
  }
  http::TlsIdentity dp_tls() const { return *http::TlsIdentity::from_pki(dir.path(), curve); }
  crypto::Certificate ci() const { return *pki::load_certificate(dir.path(), curve, crypto::Role::ci); }
  std::filesystem::path ci_pem() const {
    return pki::certificate_path(dir.path(), curve, crypto::Role::ci).replace_extension(".pem");
  }

  TempDir dir;
  crypto::Curve curve;
};

// A self-signed client identity, as operators pin them for ES2+.
inline http::TlsIdentity self_signed_client(const std::string& name) {
  auto key = crypto::PrivateKey::generate(crypto::Curve::nist_p256);
  pki::CertificateRequest request;
  request.role = crypto::Role::dp_tls;  // digitalSignature, serverAuth + clientAuth
  request.subject = {{"O", "Test Operator"}, {"CN", name}};
  request.not_before = time(nullptr) - 3600;
  request.not_after = time(nullptr) + 3600;
  auto cert = pki::issue(request, key, nullptr, key);
  REQUIRE(cert);
  std::vector<crypto::Certificate> chain;
  chain.push_back(std::move(*cert));
  return *http::TlsIdentity::make(std::move(chain), std::move(key));
}

// Answers with what it received: "METHOD TARGET\nheader X-Test\nbody".
inline http::Response echo(const http::Request& request) {
  http::Response r;
  r.headers.set("Content-Type", "text/plain");
  r.headers.set("X-Echo-Peer", request.peer_address);
  r.body = request.method + " " + request.target + "\n" + std::string(request.headers.get("x-test").value_or("-")) +
           "\n" + request.body;
  return r;
}

inline http::ListenerOptions tls_listener(const TestPki& pki, http::Handler handler = echo) {
  http::ListenerOptions l;
  l.tls = pki.dp_tls();
  l.handler = std::move(handler);
  return l;
}

inline std::unique_ptr<http::Server> start_server(http::ServerOptions options) {
  auto server = http::Server::start(std::move(options));
  INFO((server ? "" : server.error().message));
  REQUIRE(server);
  return std::move(*server);
}

// A server with one listener and default limits.
inline std::unique_ptr<http::Server> serve(http::ListenerOptions listener) {
  http::ServerOptions options;
  options.listeners.push_back(std::move(listener));
  return start_server(std::move(options));
}

inline http::Client client_trusting(const crypto::Certificate& ci) {
  http::ClientOptions options;
  options.trusted_cas.push_back(ci);
  options.total_timeout = std::chrono::seconds(20);
  return *http::Client::create(std::move(options));
}

inline std::string url(const std::string& host, uint16_t port, const std::string& path = "/echo",
                       const std::string& scheme = "https") {
  return scheme + "://" + host + ":" + std::to_string(port) + path;
}

}  // namespace rsp::test
