// What TLS an RSP server and client accept (issue 13, finding 7): SGP.22 v2.5 §2.6.6's TLS 1.2 suites
// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 and TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 over P-256 or
// brainpoolP256r1 with ECDSA-SHA256, and TLS 1.3 with TLS_AES_128_GCM_SHA256; with a peer under a web CA
// (RSA) TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 too; nothing else. Each offer is a
// handshake of its own from a bare OpenSSL peer that offers that one thing (security level 0, so that
// OpenSSL itself would offer TLS 1.0 and SHA-1).
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>

#include <future>

#include "http/http_fixture.hpp"
#include "support/loopback_socket.hpp"

using namespace rsp;
using namespace rsp::test;

namespace {

const std::string kGcm = "ECDHE-ECDSA-AES128-GCM-SHA256";
const std::string kCbc = "ECDHE-ECDSA-AES128-SHA256";
const std::string kTls13 = "TLS_AES_128_GCM_SHA256";
const std::string kBothCurves = "P-256:brainpoolP256r1";

struct Offer {
  std::string name;
  int version;           // the only version offered
  std::string suites;    // a cipher list below TLS 1.3, TLS 1.3 ciphersuites at it
  std::string groups;    // ECDHE groups
  std::string sigalgs;   // empty: OpenSSL's
  std::string expected;  // the suite negotiated; empty: the handshake must fail
};

Offer agreed(std::string name, int version, const std::string& suite, std::string groups = kBothCurves) {
  return {std::move(name), version, suite, std::move(groups), "", suite};
}

Offer refused(std::string name, int version, std::string suites, std::string groups = kBothCurves,
              std::string sigalgs = "") {
  return {std::move(name), version, std::move(suites), std::move(groups), std::move(sigalgs), ""};
}

using CtxPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;
using SslPtr = std::unique_ptr<SSL, decltype(&SSL_free)>;

// A context that offers exactly `offer` (as a client) or accepts exactly it (as a server).
CtxPtr context_for(const Offer& offer, bool server) {
  CtxPtr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()), SSL_CTX_free);
  REQUIRE(ctx);
  SSL_CTX_set_security_level(ctx.get(), 0);
  REQUIRE(SSL_CTX_set_min_proto_version(ctx.get(), offer.version) == 1);
  REQUIRE(SSL_CTX_set_max_proto_version(ctx.get(), offer.version) == 1);
  if (offer.version == TLS1_3_VERSION)
    REQUIRE(SSL_CTX_set_ciphersuites(ctx.get(), offer.suites.c_str()) == 1);
  else
    REQUIRE(SSL_CTX_set_cipher_list(ctx.get(), (offer.suites + ":@SECLEVEL=0").c_str()) == 1);
  REQUIRE(SSL_CTX_set1_groups_list(ctx.get(), offer.groups.c_str()) == 1);
  if (!offer.sigalgs.empty()) REQUIRE(SSL_CTX_set1_sigalgs_list(ctx.get(), offer.sigalgs.c_str()) == 1);
  return ctx;
}

// One handshake on a connected socket; the suite agreed on, or empty when it failed. The socket is closed.
std::string handshake(SSL_CTX* ctx, int fd, bool server) {
  SslPtr ssl(SSL_new(ctx), SSL_free);
  std::string suite;
  if (ssl && SSL_set_fd(ssl.get(), fd) == 1 && (server ? SSL_accept(ssl.get()) : SSL_connect(ssl.get())) == 1)
    suite = SSL_get_cipher_name(ssl.get());
  ERR_clear_error();
  ssl.reset();
  close(fd);
  return suite;
}

// The suite an RSP server on `port` agrees to when offered only `offer`; empty when it refuses.
std::string server_agrees(uint16_t port, const Offer& offer) {
  auto ctx = context_for(offer, false);
  int fd = connect_to_loopback(port, 5);
  REQUIRE(fd >= 0);
  return handshake(ctx.get(), fd, false);
}

// A self-signed RSA-2048 certificate for localhost, as a web server under a web CA has.
struct RsaIdentity {
  crypto::PkeyPtr key{EVP_RSA_gen(2048)};
  crypto::X509Ptr cert{X509_new()};
  RsaIdentity() {
    REQUIRE(key);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
    X509_set_pubkey(cert.get(), key.get());
    crypto::X509ExtPtr san(X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, "DNS:localhost"));
    X509_add_ext(cert.get(), san.get(), -1);
    REQUIRE(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);
  }
};

// The suite rsp::http::Client agrees to with a server that accepts only `offer`; empty when it refuses.
// The server has the PKI's DP TLS identity, or `rsa`'s when given (then the client trusts that one).
std::string client_agrees(const TestPki& pki, const Offer& offer, const RsaIdentity* rsa = nullptr) {
  auto ctx = context_for(offer, true);
  auto identity = pki.dp_tls();
  REQUIRE(SSL_CTX_use_certificate(ctx.get(), rsa ? rsa->cert.get() : identity.chain.front().get()) == 1);
  REQUIRE(SSL_CTX_use_PrivateKey(ctx.get(), rsa ? rsa->key.get() : identity.key->get()) == 1);
  auto listener = listen_on_loopback(0, 1);
  REQUIRE(listener.fd >= 0);
  auto agreed = std::async(std::launch::async, [&] {
    pollfd p{listener.fd, POLLIN, 0};
    if (poll(&p, 1, 10000) != 1) return std::string();
    int fd = accept(listener.fd, nullptr, nullptr);
    if (fd < 0) return std::string();
    timeval limit{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    return handshake(ctx.get(), fd, true);
  });
  http::ClientOptions options;
  if (rsa) {
    X509_up_ref(rsa->cert.get());
    options.trusted_cas.emplace_back(crypto::X509Ptr(rsa->cert.get()));
  } else {
    options.trusted_cas.push_back(pki.ci());
  }
  options.total_timeout = std::chrono::seconds(5);
  auto client = http::Client::create(std::move(options));
  REQUIRE(client);
  (void)client->get(url("localhost", listener.port));  // the server answers nothing: only its handshake counts
  std::string suite = agreed.get();
  close(listener.fd);
  return suite;
}

}  // namespace

TEST_CASE("An RSP server accepts SGP.22's TLS 1.2 suites and TLS 1.3, and refuses every other offer") {
  TestPki pki;
  auto server = serve(tls_listener(pki));
  const std::vector<Offer> offers = {
      agreed("TLS 1.2 " + kGcm, TLS1_2_VERSION, kGcm, "P-256"),
      agreed("TLS 1.2 " + kCbc, TLS1_2_VERSION, kCbc, "P-256"),
      agreed("TLS 1.3 " + kTls13, TLS1_3_VERSION, kTls13, "P-256"),
      refused("TLS 1.2 SHA-1 ECDHE-ECDSA-AES128-SHA", TLS1_2_VERSION, "ECDHE-ECDSA-AES128-SHA"),
      refused("TLS 1.2 ECDHE-ECDSA-AES256-SHA", TLS1_2_VERSION, "ECDHE-ECDSA-AES256-SHA"),
      refused("TLS 1.2 ECDHE-ECDSA-AES256-SHA384", TLS1_2_VERSION, "ECDHE-ECDSA-AES256-SHA384"),
      refused("TLS 1.2 ECDHE-ECDSA-AES256-GCM-SHA384", TLS1_2_VERSION, "ECDHE-ECDSA-AES256-GCM-SHA384"),
      refused("TLS 1.2 ECDHE-ECDSA-CHACHA20-POLY1305", TLS1_2_VERSION, "ECDHE-ECDSA-CHACHA20-POLY1305"),
      refused("TLS 1.2 ECDHE-ECDSA-AES128-CCM", TLS1_2_VERSION, "ECDHE-ECDSA-AES128-CCM"),
      refused("TLS 1.2 without ECDHE: AES128-GCM-SHA256", TLS1_2_VERSION, "AES128-GCM-SHA256"),
      refused("TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256: an RSP server's certificate is ECDSA", TLS1_2_VERSION,
              "ECDHE-RSA-AES128-GCM-SHA256"),
      refused("TLS 1.3 TLS_AES_256_GCM_SHA384", TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384"),
      refused("TLS 1.3 TLS_CHACHA20_POLY1305_SHA256", TLS1_3_VERSION, "TLS_CHACHA20_POLY1305_SHA256"),
      refused("TLS 1.1", TLS1_1_VERSION, "ECDHE-ECDSA-AES128-SHA"),
      refused("TLS 1.0", TLS1_VERSION, "ECDHE-ECDSA-AES128-SHA"),
      refused("TLS 1.2 over X25519", TLS1_2_VERSION, kGcm, "X25519"),
      refused("TLS 1.3 over P-384", TLS1_3_VERSION, kTls13, "P-384"),
      refused("TLS 1.3 over X25519", TLS1_3_VERSION, kTls13, "X25519"),
      refused("TLS 1.2 signed with ECDSA-SHA1", TLS1_2_VERSION, kGcm, "P-256", "ECDSA+SHA1"),
      refused("TLS 1.2 signed with ECDSA-SHA384", TLS1_2_VERSION, kGcm, "P-256", "ECDSA+SHA384"),
  };
  for (const auto& offer : offers) {
    INFO(offer.name);
    CHECK(server_agrees(server->port(0), offer) == offer.expected);
  }
}

TEST_CASE("A brainpoolP256r1 RSP server accepts SGP.22's TLS 1.2 suites only") {
  TestPki pki("localhost", crypto::Curve::brainpool_p256r1);
  auto server = serve(tls_listener(pki));
  const std::vector<Offer> offers = {
      agreed("TLS 1.2 " + kGcm + " over brainpoolP256r1", TLS1_2_VERSION, kGcm, "brainpoolP256r1"),
      agreed("TLS 1.2 " + kCbc, TLS1_2_VERSION, kCbc),
      refused("TLS 1.2 ECDHE-ECDSA-AES128-SHA", TLS1_2_VERSION, "ECDHE-ECDSA-AES128-SHA"),
      refused("TLS 1.3, which OpenSSL 3.0 cannot sign with brainpool", TLS1_3_VERSION, kTls13),
  };
  for (const auto& offer : offers) {
    INFO(offer.name);
    CHECK(server_agrees(server->port(0), offer) == offer.expected);
  }
}

TEST_CASE("The client agrees only to SGP.22's TLS 1.2 suites and TLS 1.3") {
  TestPki pki;
  const std::vector<Offer> offers = {
      agreed("TLS 1.3 " + kTls13, TLS1_3_VERSION, kTls13, "P-256"),
      agreed("TLS 1.2 " + kCbc, TLS1_2_VERSION, kCbc, "P-256"),
      refused("TLS 1.2 ECDHE-ECDSA-AES128-SHA", TLS1_2_VERSION, "ECDHE-ECDSA-AES128-SHA"),
      refused("TLS 1.2 ECDHE-ECDSA-AES256-GCM-SHA384", TLS1_2_VERSION, "ECDHE-ECDSA-AES256-GCM-SHA384"),
      refused("TLS 1.3 TLS_AES_256_GCM_SHA384", TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384"),
      refused("TLS 1.3 over X25519", TLS1_3_VERSION, kTls13, "X25519"),
      refused("TLS 1.0", TLS1_VERSION, "ECDHE-ECDSA-AES128-SHA"),
  };
  for (const auto& offer : offers) {
    INFO(offer.name);
    CHECK(client_agrees(pki, offer) == offer.expected);
  }
}

TEST_CASE("With a peer under a web CA (an operator's ES2+ endpoint) the client agrees to ECDHE-RSA AES-128-GCM only") {
  TestPki pki;
  RsaIdentity rsa;
  const std::string rsa_gcm = "ECDHE-RSA-AES128-GCM-SHA256";
  const std::vector<Offer> offers = {
      agreed("TLS 1.2 " + rsa_gcm, TLS1_2_VERSION, rsa_gcm, "P-256"),
      agreed("TLS 1.3 " + kTls13 + " with an RSA certificate", TLS1_3_VERSION, kTls13, "P-256"),
      refused("TLS 1.2 ECDHE-RSA-AES128-SHA", TLS1_2_VERSION, "ECDHE-RSA-AES128-SHA"),
      refused("TLS 1.2 ECDHE-RSA-AES256-GCM-SHA384", TLS1_2_VERSION, "ECDHE-RSA-AES256-GCM-SHA384"),
      refused("TLS 1.2 without ECDHE: AES128-GCM-SHA256", TLS1_2_VERSION, "AES128-GCM-SHA256"),
      refused("TLS 1.2 signed with RSA-SHA1", TLS1_2_VERSION, rsa_gcm, "P-256", "RSA+SHA1"),
  };
  for (const auto& offer : offers) {
    INFO(offer.name);
    CHECK(client_agrees(pki, offer, &rsa) == offer.expected);
  }
}
