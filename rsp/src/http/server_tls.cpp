#include "server_tls.hpp"

#include <openssl/ssl.h>

#include "tls_policy.hpp"

namespace rsp::http::detail {
namespace {

// Replaces OpenSSL's chain building entirely: no web-PKI validation of client certificates, the
// listener's callback alone decides on the leaf (operators pin self-signed certificates).
int check_client_certificate(X509_STORE_CTX* store, void* arg) {
  const auto* check = static_cast<const CertificateCheck*>(arg);
  X509* leaf = X509_STORE_CTX_get0_cert(store);
  bool accepted = false;
  if (leaf && X509_up_ref(leaf) == 1) {
    try {
      accepted = (*check)(crypto::Certificate(crypto::X509Ptr(leaf)));
    } catch (...) {
      accepted = false;  // a throwing callback refuses; it must not unwind through OpenSSL
    }
  }
  if (!accepted) X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
  return accepted ? 1 : 0;
}

}  // namespace

Expected<std::unique_ptr<boost::asio::ssl::context>> make_server_context(const TlsIdentity& identity,
                                                                         ClientCertificates policy,
                                                                         const CertificateCheck* check) {
  namespace ssl = boost::asio::ssl;
  if (identity.chain.empty() || !identity.key) return fail("the TLS identity has no certificate or no key");
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  if (!apply_tls_policy(ctx)) return fail("OpenSSL refuses the TLS versions and suites: " + crypto::openssl_error());
  // OpenSSL 3.0 has no TLS 1.3 signature scheme for brainpool keys (RFC 8734 came in 3.2).
  if (identity.key->curve() == crypto::Curve::brainpool_p256r1) SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_use_certificate(ctx, identity.chain.front().get()) != 1)
    return fail("the TLS certificate cannot be used: " + crypto::openssl_error());
  for (size_t i = 1; i < identity.chain.size(); ++i)
    if (SSL_CTX_add1_chain_cert(ctx, identity.chain[i].get()) != 1)
      return fail("the TLS chain certificate " + identity.chain[i].subject() +
                  " cannot be used: " + crypto::openssl_error());
  if (SSL_CTX_use_PrivateKey(ctx, identity.key->get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    crypto::openssl_error();  // its text may describe the key; say only what is wrong
    return fail("the TLS private key does not match the certificate " + identity.chain.front().subject());
  }
  if (policy != ClientCertificates::off) {
    if (!check || !*check)
      return fail("client certificates are asked for but no accept_client_certificate callback is set");
    // optional: a client that sends none still completes the handshake; one that sends a
    // certificate the callback refuses does not.
    int mode = SSL_VERIFY_PEER;
    if (policy == ClientCertificates::required) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, mode, nullptr);
    SSL_CTX_set_cert_verify_callback(ctx, check_client_certificate, const_cast<CertificateCheck*>(check));
    // Every connection shows its certificate to the callback again: no resumed sessions.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(ctx, 0);
  }
  return context;
}

std::optional<crypto::Certificate> peer_certificate(SSL* ssl) {
  crypto::X509Ptr cert(SSL_get1_peer_certificate(ssl));
  if (!cert) return std::nullopt;
  return crypto::Certificate(std::move(cert));
}

}  // namespace rsp::http::detail
