#include "eim_run.hpp"

#include <chrono>
#include <iostream>
#include <regex>

#include "case_loop.hpp"
#include "rsp/pki/pki_layout.hpp"

namespace conformance {

int run_eim(const EimRunOptions& options, const std::vector<const Case*>& chosen, bool json) {
  static const std::regex url_form("https://[^:/]+(?::\\d+)?/?");
  if (!std::regex_match(options.url, url_form)) {
    std::cerr << "rsp-conformance: --eim must be https://HOST[:PORT]\n";
    return 2;
  }
  if (options.pki.empty() || rsp::pki::curves_present(options.pki).empty()) {
    std::cerr << "rsp-conformance: run --role eim needs --pki DIR (an rsp-pki directory whose CI the eIM's TLS certificate chains to)\n";
    return 2;
  }
  if (options.binding != "json" && options.binding != "asn1") {
    std::cerr << "rsp-conformance: --binding is json or asn1\n";
    return 2;
  }
  rsp::http::ClientOptions http;
  http.connect_timeout = std::chrono::seconds(5);
  for (auto curve : rsp::pki::curves_present(options.pki))
    http.trusted_ca_files.push_back(rsp::pki::curve_dir(options.pki, curve) / "ci.pem");
  auto client = rsp::http::Client::create(http);
  if (!client) {
    std::cerr << "rsp-conformance: " << client.error().message << "\n";
    return 2;
  }
  std::string base = options.url.back() == '/' ? options.url.substr(0, options.url.size() - 1) : options.url;
  EimTarget target{base, options.binding == "json", std::move(*client)};

  // Reachability first, so an eIM that is not there is one error rather than a column of fails.
  auto probe = target.http.post(base + "/gsma/rsp2/asn1", "", {{"Content-Type", "application/x-gsma-rsp-asn1"}});
  if (!probe) {
    std::cerr << "rsp-conformance: cannot reach the eIM at " << options.url << ": " << probe.error().message << "\n";
    return 1;
  }

  return run_cases("eim", options.binding, chosen, json, [&](const Case& c) { return c.run_eim(target); });
}

}  // namespace conformance
