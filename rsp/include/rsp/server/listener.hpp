#pragma once
// An HTTPS listener as a server's configuration names it ("HOST:PORT", and its own TLS identity or
// the PKI's certificate for the server's role), turned into rsp::http::ListenerOptions. Shared by
// the SM-DP+ (dp-tls) and the SM-DS (ds-tls).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>

#include "rsp/crypto/certificate.hpp"
#include "rsp/expected.hpp"
#include "rsp/http/server.hpp"

namespace rsp::server {

struct ListenerConfig {
  std::string listen;                                    // "HOST:PORT"; port 0 picks a free port (printed at start)
  std::optional<std::filesystem::path> tls_certificate;  // PEM chain, leaf first
  std::optional<std::filesystem::path> tls_key;          // PEM key
  std::string curve;  // which PKI curve's TLS certificate to present when no files are given; empty: the first
};

// "HOST:PORT" (HOST may be [v6]); errors say what is wrong.
Expected<std::pair<std::string, uint16_t>> split_host_port(const std::string& listen);

// The listener's TLS identity: its files, else the PKI's <curve>/<role> certificate and key.
Expected<http::TlsIdentity> listener_identity(const ListenerConfig& l, const std::filesystem::path& pki,
                                              crypto::Role role);
// Address and TLS identity; client certificates and handler are the caller's to set.
Expected<http::ListenerOptions> listener_options(const ListenerConfig& l, const std::filesystem::path& pki,
                                                 crypto::Role role);
// A plain-HTTP listener (GET /metrics).
Expected<http::ListenerOptions> plain_listener_options(const std::string& listen);

// The first DNS name of the PKI's certificate for `role` on its first curve: the server's FQDN
// when the configuration names none.
Expected<std::string> pki_dns_name(const std::filesystem::path& pki, crypto::Role role);

}  // namespace rsp::server
