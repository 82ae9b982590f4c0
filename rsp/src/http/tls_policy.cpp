#include "tls_policy.hpp"

namespace rsp::http::detail {
namespace {

// In the order a server prefers them (SSL_OP_CIPHER_SERVER_PREFERENCE): the AEAD suite first. The
// RSA-authenticated one is for the peers outside the GSMA PKI (an operator's ES2+ client certificate or
// callback endpoint, an eIM or web server under a web CA): a server with an RSP (ECDSA) certificate
// can never agree to it, so ES9+ and ES11 stay at the two suites of §2.6.6.
constexpr const char* kTls12Suites =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
constexpr const char* kTls13Suites = "TLS_AES_128_GCM_SHA256";
// P-256 first: a client's one TLS 1.3 key share. OpenSSL 3.0 offers brainpoolP256r1 in TLS 1.2 only.
constexpr const char* kGroups = "P-256:brainpoolP256r1";
// ecdsa_secp256r1_sha256 (in TLS 1.2 ECDSA with SHA-256 on either curve), and RSA with SHA-256 for
// the peers under a web CA (above).
constexpr const char* kSignatureAlgorithms = "ECDSA+SHA256:rsa_pss_rsae_sha256:RSA+SHA256";

}  // namespace

bool apply_tls_policy(SSL_CTX* ctx) {
  return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
         SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) == 1 && SSL_CTX_set_cipher_list(ctx, kTls12Suites) == 1 &&
         SSL_CTX_set_ciphersuites(ctx, kTls13Suites) == 1 && SSL_CTX_set1_groups_list(ctx, kGroups) == 1 &&
         SSL_CTX_set1_sigalgs_list(ctx, kSignatureAlgorithms) == 1;
}

}  // namespace rsp::http::detail
