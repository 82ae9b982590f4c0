// The eIM as an ES9+ client of the SM-DP+ (SGP.22 v2.5 §6.5, JSON binding) for the indirect
// profile download: HTTPS with the server certificate checked against the PKI's CIs (CERT.DP.TLS
// chains to a CI as for any IPA), bounded answers and timeouts.
#include "esipa/indirect_download.hpp"

#include "rsp/server/http_json.hpp"

namespace eim::esipa {

bool valid_smdp_address(std::string_view address) {
  if (address.empty() || address.size() > 255) return false;
  auto colon = address.find(':');
  std::string_view host = address.substr(0, colon);
  if (host.empty()) return false;
  for (char ch : host)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.')) return false;
  if (colon == std::string_view::npos) return true;
  std::string_view port = address.substr(colon + 1);
  if (port.empty() || port.size() > 5) return false;
  for (char ch : port)
    if (!std::isdigit(static_cast<unsigned char>(ch))) return false;
  return true;
}

rsp::Expected<Es9Answer> call_es9(const Context& c, const std::string& smdp_address, std::string_view function,
                                  const nlohmann::json& request) {
  if (!valid_smdp_address(smdp_address)) return rsp::fail("not an SM-DP+ address: " + smdp_address.substr(0, 64));
  const IndirectDownloadSettings& s = c.settings.indirect_download;
  rsp::http::ClientOptions options;
  options.trusted_cas = c.settings.cis.all();
  options.connect_timeout = s.connect_timeout;
  options.total_timeout = s.total_timeout;
  options.response_limit = s.response_limit;
  auto client = rsp::http::Client::create(std::move(options));
  if (!client) return rsp::Unexpected{client.error()};

  std::string url = "https://" + smdp_address;
  if (s.smdp_port && smdp_address.find(':') == std::string::npos) url += ":" + std::to_string(*s.smdp_port);
  url += "/gsma/rsp2/es9plus/" + std::string(function);
  rsp::http::Headers headers{{"Content-Type", "application/json;charset=UTF-8"},
                             {"X-Admin-Protocol", rsp::server::kAdminProtocol},
                             {"User-Agent", "open-rsp-eim"}};
  auto response = client->post(url, request.dump(), std::move(headers));
  if (!response) return rsp::Unexpected{response.error()};
  return Es9Answer{response->status, std::move(response->body)};
}

}  // namespace eim::esipa
