#include "smdp_run.hpp"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <regex>

#include "case_loop.hpp"
#include "harness_http.hpp"
#include "rsp/http/tls_identity.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "smdp_target.hpp"

namespace conformance {
namespace fs = std::filesystem;

int run_smdp(const SmdpRunOptions& options, const std::vector<const Case*>& chosen, RunSettings reports) {
  std::smatch parts;
  static const std::regex url_form("https://([^:/]+)(?::(\\d+))?/?");
  if (!std::regex_match(options.url, parts, url_form)) {
    std::cerr << "rsp-conformance: --smdp must be https://HOST[:PORT]\n";
    return 2;
  }
  if (options.pki.empty() || rsp::pki::curves_present(options.pki).empty()) {
    std::cerr
        << "rsp-conformance: run --role smdp needs --pki DIR (an rsp-pki directory with the eUICC's credentials)\n";
    return 2;
  }
  if (options.binding != "json" && options.binding != "asn1") {
    std::cerr << "rsp-conformance: --binding is json or asn1\n";
    return 2;
  }
  ExchangeLog log;
  SmdpTarget target;
  record_http_into(target.options.http, log);
  target.address = parts[1];
  target.pki = options.pki;
  if (parts[2].matched) target.options.port = static_cast<uint16_t>(std::stoi(parts[2]));
  target.options.binding = options.binding == "json" ? ipa::Es9Binding::json : ipa::Es9Binding::asn1;
  target.options.transport_attempts = 1;
  target.options.http.connect_timeout = std::chrono::seconds(5);
  trust_pki_cis(target.options.http, options.pki);
  std::string es2_url = options.es2_url.empty()
                            ? "https://" + std::string(parts[1]) + (parts[2].matched ? ":" + std::string(parts[2]) : "")
                            : options.es2_url;
  auto first = es2_operator({options.operator_cert, options.operator_key, options.operator_id}, es2_url,
                            options.profile_type, target.options.http, "--operator");
  auto second = es2_operator({options.operator2_cert, options.operator2_key, options.operator2_id}, es2_url,
                             options.profile_type, target.options.http, "--operator2");
  for (const auto* made : {&first, &second})
    if (!*made) {
      std::cerr << "rsp-conformance: " << made->error().message << "\n";
      return 2;
    }
  target.operator_es2 = std::move(*first);
  target.operator2_es2 = std::move(*second);
  std::error_code ec;
  target.work_dir = fs::temp_directory_path() / ("rsp-conformance-" + std::to_string(::getpid()));
  fs::create_directories(target.work_dir, ec);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    }
  } cleanup{target.work_dir};

  // Reachability first, so an SM-DP+ that is not there is one error rather than a column of fails.
  auto probe = target.client();
  if (!probe) {
    std::cerr << "rsp-conformance: " << probe.error().message << "\n";
    return 2;
  }
  auto answer = probe->initiate_authentication({rsp::Bytes(16, 0), rsp::Bytes{0xBF, 0x20, 0x00}, target.address});
  if (!answer && answer.error().is_transport()) {
    std::cerr << "rsp-conformance: cannot reach the SM-DP+ at " << options.url << ": " << answer.error().message
              << "\n";
    return 1;
  }

  reports.target = options.url;
  return run_cases(reports, chosen, log, [&](const Case& c) { return c.run_smdp(target); });
}

}  // namespace conformance
