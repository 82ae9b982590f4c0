#include "rsp/server/listener.hpp"

#include "rsp/pki/pki_layout.hpp"

namespace rsp::server {

Expected<std::pair<std::string, uint16_t>> split_host_port(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return fail("\"" + listen + "\" is not HOST:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port) > 65535)
    return fail("\"" + listen + "\": the port must be 0..65535");
  return std::pair{host, static_cast<uint16_t>(std::stoul(port))};
}

Expected<http::TlsIdentity> listener_identity(const ListenerConfig& l, const std::filesystem::path& pki,
                                              crypto::Role role) {
  if (l.tls_certificate || l.tls_key) {
    if (!l.tls_certificate || !l.tls_key) return fail(l.listen + ": give both tls_certificate and tls_key");
    return http::TlsIdentity::from_pem_files(*l.tls_certificate, *l.tls_key);
  }
  auto curves = pki::curves_present(pki);
  if (curves.empty()) return fail(pki.string() + ": no PKI curve folder for the TLS certificate");
  crypto::Curve curve = curves.front();
  if (!l.curve.empty()) {
    auto named = crypto::curve_from_name(l.curve);
    if (!named) return fail(l.listen + ": " + named.error().message);
    curve = *named;
  }
  return http::TlsIdentity::from_pki(pki, curve, role);
}

Expected<http::ListenerOptions> listener_options(const ListenerConfig& l, const std::filesystem::path& pki,
                                                 crypto::Role role) {
  auto address = split_host_port(l.listen);
  if (!address) return Unexpected{address.error()};
  auto identity = listener_identity(l, pki, role);
  if (!identity) return Unexpected{identity.error()};
  http::ListenerOptions options;
  options.host = address->first;
  options.port = address->second;
  options.tls = std::move(*identity);
  return options;
}

Expected<http::ListenerOptions> plain_listener_options(const std::string& listen) {
  auto address = split_host_port(listen);
  if (!address) return Unexpected{address.error()};
  http::ListenerOptions options;
  options.host = address->first;
  options.port = address->second;
  return options;
}

Expected<std::string> pki_dns_name(const std::filesystem::path& pki, crypto::Role role) {
  auto curves = pki::curves_present(pki);
  if (!curves.empty())
    if (auto tls = pki::load_certificate(pki, curves.front(), role); tls && !tls->dns_names().empty())
      return tls->dns_names().front();
  return fail("the PKI's " + std::string(crypto::role_name(role)) + " certificate names no DNS host");
}

}  // namespace rsp::server
