#pragma once
// The TLS side of one server listener: its identity and its client-certificate policy.
#include <boost/asio/ssl/context.hpp>

#include <functional>
#include <memory>

#include "rsp/http/server.hpp"

namespace rsp::http::detail {

using CertificateCheck = std::function<bool(const crypto::Certificate&)>;

// `check` is called for each client's leaf certificate when `policy` is required or optional; it must outlive
// the context.
Expected<std::unique_ptr<boost::asio::ssl::context>> make_server_context(const TlsIdentity& identity,
                                                                         ClientCertificates policy,
                                                                         const CertificateCheck* check);

// The certificate the peer presented on an established connection, if any.
std::optional<crypto::Certificate> peer_certificate(SSL* ssl);

}  // namespace rsp::http::detail
