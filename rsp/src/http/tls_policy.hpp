#pragma once
// The one TLS configuration of every RSP server listener and every client here: the protocol versions,
// cipher suites, ECDHE groups and signature algorithms SGP.22 prescribes for its TLS interfaces
// (v2.5 §2.6.6: TLS 1.2 with TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 or TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256
// on secp256r1 or brainpoolP256r1, SHA-256), and TLS 1.3 with TLS_AES_128_GCM_SHA256; for peers with an RSA
// certificate (operators, web servers: never an RSP certificate) TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 too.
// Nothing else is offered or accepted: no TLS 1.0/1.1, no SHA-1 or SHA-384 suites, no AES-256, no ChaCha20,
// no X25519.
#include <openssl/ssl.h>

namespace rsp::http::detail {

// Restricts `ctx` (a server's or a client's) to that configuration. False when OpenSSL refuses any part of it
// (its reason is left on OpenSSL's error queue).
bool apply_tls_policy(SSL_CTX* ctx);

}  // namespace rsp::http::detail
