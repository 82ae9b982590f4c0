// Mutual TLS (as ES2+ uses it): the listener's callback alone decides on the client certificate;
// a refused or missing one fails the TLS handshake, an accepted one reaches the handler. With
// optional client certificates (ES2+ and ES9+ on one port) a client without one gets in too.
#include <atomic>

#include "http/http_fixture.hpp"

using namespace rsp;
using namespace rsp::test;

namespace {

struct MutualTls {
  TestPki pki;
  http::TlsIdentity pinned = self_signed_client("pinned operator");
  std::atomic<int> asked{0};
  std::unique_ptr<http::Server> server;

  explicit MutualTls(http::ClientCertificates policy = http::ClientCertificates::required) {
    auto listener = tls_listener(pki, [](const http::Request& request) {
      http::Response r;
      r.body = request.client_certificate ? request.client_certificate->subject() : "none";
      return r;
    });
    listener.client_certificates = policy;
    listener.accept_client_certificate = [this](const crypto::Certificate& cert) {
      ++asked;
      return cert.der() == pinned.chain.front().der();
    };
    server = serve(std::move(listener));
  }

  Expected<http::ClientResponse> post_as(std::optional<http::TlsIdentity> identity) {
    http::ClientOptions options;
    options.trusted_cas.push_back(pki.ci());
    options.client_identity = std::move(identity);
    options.total_timeout = std::chrono::seconds(20);
    return http::Client::create(std::move(options))
        ->post(url("localhost", server->port(0), "/gsma/rsp2/es2plus/x"), "{}");
  }
};

}  // namespace

TEST_CASE("Client certificate accepted by the callback reaches the handler") {
  MutualTls t;
  auto r = t.post_as(t.pinned);
  INFO((r ? "" : r.error().message));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK_THAT(r->body, Catch::Contains("pinned operator"));
  // Each connection is checked afresh: a second client gets asked about too.
  REQUIRE(t.post_as(t.pinned));
  CHECK(t.asked == 2);
}

TEST_CASE("Client certificate refused by the callback fails the handshake") {
  MutualTls t;
  auto r = t.post_as(self_signed_client("stranger"));
  REQUIRE_FALSE(r);
  CHECK(t.asked == 1);
}

TEST_CASE("No client certificate fails the handshake when one is required") {
  MutualTls t;
  auto r = t.post_as(std::nullopt);
  REQUIRE_FALSE(r);
  CHECK(t.asked == 0);
}

TEST_CASE("A listener that asks for client certificates needs a callback and TLS") {
  for (auto policy : {http::ClientCertificates::required, http::ClientCertificates::optional}) {
    TestPki pki;
    auto listener = tls_listener(pki);
    listener.client_certificates = policy;
    http::ServerOptions options;
    options.listeners.push_back(listener);
    auto no_callback = http::Server::start(options);
    REQUIRE_FALSE(no_callback);
    CHECK_THAT(no_callback.error().message, Catch::Contains("accept_client_certificate"));

    listener.tls.reset();
    listener.accept_client_certificate = [](const crypto::Certificate&) { return true; };
    options.listeners.clear();
    options.listeners.push_back(listener);
    CHECK_FALSE(http::Server::start(options));
  }
}

TEST_CASE("Without client certificates the handler sees none") {
  TestPki pki;
  auto server = serve(tls_listener(pki, [](const http::Request& request) {
    return http::Response{200, {}, request.client_certificate ? "some" : "none"};
  }));
  auto r = client_trusting(pki.ci()).get(url("localhost", server->port(0)));
  REQUIRE(r);
  CHECK(r->body == "none");
}

TEST_CASE("Optional client certificates: without one the handler sees none") {
  MutualTls t(http::ClientCertificates::optional);
  auto r = t.post_as(std::nullopt);
  INFO((r ? "" : r.error().message));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "none");
  CHECK(t.asked == 0);
}

TEST_CASE("Optional client certificates: an accepted one reaches the handler") {
  MutualTls t(http::ClientCertificates::optional);
  auto r = t.post_as(t.pinned);
  INFO((r ? "" : r.error().message));
  REQUIRE(r);
  CHECK_THAT(r->body, Catch::Contains("pinned operator"));
  CHECK(t.asked == 1);
  // A client without a certificate after one with: nothing of the first carries over.
  auto anonymous = t.post_as(std::nullopt);
  REQUIRE(anonymous);
  CHECK(anonymous->body == "none");
}

TEST_CASE("Optional client certificates: a refused one still fails the handshake") {
  MutualTls t(http::ClientCertificates::optional);
  CHECK_FALSE(t.post_as(self_signed_client("stranger")));
  CHECK(t.asked == 1);
}
