#pragma once
// The harness's HTTP clients: trusting the CIs of an rsp-pki directory, and recording every
// exchange into a case's ExchangeLog (the path, the header fields, both bodies byte for byte, the
// status).
#include "exchange.hpp"
#include "rsp/http/client.hpp"
#include "rsp/pki/pki_layout.hpp"

namespace conformance {

// The CI of each curve `pki` holds: a server under test chains its TLS certificate to one of them.
inline void trust_pki_cis(rsp::http::ClientOptions& options, const std::filesystem::path& pki) {
  for (auto curve : rsp::pki::curves_present(pki))
    options.trusted_ca_files.push_back(rsp::pki::curve_dir(pki, curve) / "ci.pem");
}

inline void record_http_into(rsp::http::ClientOptions& options, ExchangeLog& log) {
  options.on_exchange = [&log](const rsp::http::ClientRequest& request,
                               const rsp::Expected<rsp::http::ClientResponse>& response) {
    std::string path = request.url;
    if (auto scheme = path.find("://"); scheme != std::string::npos)
      if (auto slash = path.find('/', scheme + 3); slash != std::string::npos) path = path.substr(slash);
    Exchange e{"http", request.method + " " + path, rsp::Bytes(request.body.begin(), request.body.end()), {}};
    e.headers.assign(request.headers.fields().begin(), request.headers.fields().end());
    if (response) {
      e.received.assign(response->body.begin(), response->body.end());
      e.status = response->status;
    } else {
      e.error = response.error().message;
    }
    log.push_back(std::move(e));
  };
}

}  // namespace conformance
