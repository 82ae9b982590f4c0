#include "eim_run.hpp"

#include <unistd.h>
#include <chrono>
#include <iostream>
#include <regex>

#include "case_loop.hpp"
#include "harness_http.hpp"
#include "rsp/http/tls_identity.hpp"
#include "rsp/pki/pki_layout.hpp"

namespace conformance {
namespace fs = std::filesystem;

int run_eim(const EimRunOptions& options, const std::vector<const Case*>& chosen, RunSettings reports) {
  static const std::regex url_form("https://[^:/]+(?::\\d+)?/?");
  if (!std::regex_match(options.url, url_form)) {
    std::cerr << "rsp-conformance: --eim must be https://HOST[:PORT]\n";
    return 2;
  }
  if (options.pki.empty() || rsp::pki::curves_present(options.pki).empty()) {
    std::cerr
        << "rsp-conformance: run --role eim needs --pki DIR (an rsp-pki directory whose CI the eIM's TLS certificate chains to)\n";
    return 2;
  }
  if (options.binding != "json" && options.binding != "asn1") {
    std::cerr << "rsp-conformance: --binding is json or asn1\n";
    return 2;
  }
  ExchangeLog log;
  rsp::http::ClientOptions http;
  record_http_into(http, log);
  http.connect_timeout = std::chrono::seconds(5);
  trust_pki_cis(http, options.pki);
  auto client = rsp::http::Client::create(http);
  if (!client) {
    std::cerr << "rsp-conformance: " << client.error().message << "\n";
    return 2;
  }
  bool has_owner = !options.owner_url.empty() || !options.owner_cert.empty() || !options.owner_key.empty();
  std::optional<rsp::http::Client> owner;
  if (has_owner) {
    if (options.owner_url.empty() || options.owner_cert.empty() || options.owner_key.empty() ||
        !std::regex_match(options.owner_url, url_form)) {
      std::cerr << "rsp-conformance: --owner-url https://HOST[:PORT], --owner-cert and --owner-key go together\n";
      return 2;
    }
    auto identity = rsp::http::TlsIdentity::from_pem_files(options.owner_cert, options.owner_key);
    if (!identity) {
      std::cerr << "rsp-conformance: the owner's credentials: " << identity.error().message << "\n";
      return 2;
    }
    rsp::http::ClientOptions owner_http = http;
    owner_http.client_identity = std::move(*identity);
    auto made = rsp::http::Client::create(owner_http);
    if (!made) {
      std::cerr << "rsp-conformance: " << made.error().message << "\n";
      return 2;
    }
    owner = std::move(*made);
  }
  std::string base = options.url.back() == '/' ? options.url.substr(0, options.url.size() - 1) : options.url;
  std::string owner_base = options.owner_url;
  if (!owner_base.empty() && owner_base.back() == '/') owner_base.pop_back();
  std::smatch host;
  std::regex_search(options.url, host, std::regex("https://([^:/]+)"));
  ScratchDir scratch(fs::temp_directory_path() / ("rsp-conformance-eim-" + std::to_string(::getpid())));
  EimTarget target{
      base,   options.binding == "json", std::move(*client), owner_base, std::move(owner), options.pki, scratch.path(),
      host[1]};
  target.relay_smdp = options.relay_smdp;

  // Reachability first, so an eIM that is not there is one error rather than a column of fails.
  auto probe = target.http.post(base + "/gsma/rsp2/asn1", "", {{"Content-Type", "application/x-gsma-rsp-asn1"}});
  if (!probe) {
    std::cerr << "rsp-conformance: cannot reach the eIM at " << options.url << ": " << probe.error().message << "\n";
    return 1;
  }

  reports.target = options.url;
  return run_cases(reports, chosen, log, [&](const Case& c) { return c.run_eim(target); });
}

}  // namespace conformance
