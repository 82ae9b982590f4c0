// rsp-conformance run --role smdp against `smdp serve` (conformance_smdp_server.hpp: a fresh rsp-pki
// PKI, demo profiles of operator-a, operator-b pinned too, ES2+ on the ES9+ port): with both
// operators' credentials every one of the 33 cases passes in both bindings (also
// ES2p.DownloadOrder.OtherRequesterIdentifier, which failed until smdp serve refused a
// functionRequesterIdentifier naming another operator, issue 13 item 8); without operator credentials the 18 cases
// needing an order are not applicable, without the second operator the 4 isolation cases; an unreachable SM-DP+ exits
// 1; a bad --smdp or a missing --pki is a usage error; on a brainpool PKI (the operators' TLS client certificates
// P-256) all 33 pass. That the cases bite: behind a relay that rewrites the SM-DP+'s JSON reason code 3.9 to 3.8,
// exactly the three cases expecting a 3.9 fail. (The SM-DP+'s fault modes: test_rsp_conformance_smdp_faults.cpp.)
#include <catch2/catch.hpp>

#include <regex>
#include <string>

#include "conformance_output.hpp"
#include "conformance_smdp_server.hpp"
#include "rsp/http/client.hpp"
#include "support/tls_server.hpp"

namespace {

using Strings = std::vector<std::string>;
using rsp::test::cases_with_verdict;
using rsp::test::run_smdp_conformance;
const Strings kNone = {};

size_t count(const std::string& text, const std::string& pattern) {
  std::regex re(pattern);
  return static_cast<size_t>(std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

}  // namespace

TEST_CASE("rsp-conformance --role smdp: every case passes against smdp serve in both bindings") {
  rsp::test::ConformanceSmdp smdp(28);
  for (std::string binding : {"json", "asn1"}) {
    auto run = run_smdp_conformance(smdp.target(binding) + smdp.operator_args() + smdp.operator2_args());
    INFO(run.out);
    CHECK(run.status == 0);
    CHECK(cases_with_verdict(run.out, "fail") == kNone);
    CHECK(run.out.find("33 cases, 33 passed, 0 failed, 0 not applicable") != std::string::npos);
    CHECK(run.out.find("pass  ES2p.DownloadOrder.OtherRequesterIdentifier: 1.1/1.2") != std::string::npos);
    CHECK(std::regex_search(run.out,
                            std::regex("pass  ES9p\\.ProfileDownload\\.Nominal: installed 89445000000000010\\d\\d")));
    CHECK(run.out.find("ES9p.AuthenticateClient.UnknownMatchingId: 8.2.6/3.8") != std::string::npos);
    CHECK(run.out.find("ES9p.AuthenticateClient.EumUnderUnknownCi: 8.11.1/3.9") != std::string::npos);
    CHECK(run.out.find("ES9p.GetBoundProfilePackage.RetryNewOtpk: a new binding with a fresh otPK.DP; installed") !=
          std::string::npos);
    CHECK(run.out.find("ES2p.ConfirmOrder.OtherOperator: 8.2.1/1.2") != std::string::npos);
  }
  // Without the second operator the isolation cases are n/a; without any operator every case
  // needing an order is too, with the reason.
  auto one = run_smdp_conformance(smdp.target() + smdp.operator_args() + " --case 'ES2p.*'");
  INFO(one.out);
  CHECK(cases_with_verdict(one.out, "n/a") ==
        Strings{"ES2p.CancelOrder.OtherOperator", "ES2p.ConfirmOrder.OtherOperator",
                "ES2p.DownloadOrder.OtherRequesterIdentifier", "ES2p.ReleaseProfile.OtherOperator"});
  CHECK(cases_with_verdict(one.out, "fail") == kNone);
  auto no_order = run_smdp_conformance(smdp.target());
  INFO(no_order.out);
  CHECK(no_order.status == 0);
  CHECK(no_order.out.find("n/a  ES9p.ProfileDownload.Nominal: needs an order") != std::string::npos);
  CHECK(no_order.out.find("33 cases, 15 passed, 0 failed, 18 not applicable") != std::string::npos);
  // --case filters; --json gives one line per case.
  auto filtered = run_smdp_conformance(smdp.target() + " --case 'ES9p.InitiateAuthentication.*' --json");
  INFO(filtered.out);
  CHECK(filtered.status == 0);
  CHECK(count(filtered.out, "\\{[^\\n]*\"case\":\"ES9p\\.InitiateAuthentication\\.") == 4);
  CHECK(count(filtered.out, "\\{[^\\n]*\"binding\":\"json\"") == 4);
}

TEST_CASE("rsp-conformance --role smdp: every case passes on a brainpool PKI too") {
  rsp::test::ConformanceSmdp smdp(13, {}, "brainpool");
  auto run = run_smdp_conformance(smdp.target() + smdp.operator_args() + smdp.operator2_args());
  INFO(run.out);
  CHECK(cases_with_verdict(run.out, "fail") == kNone);
  CHECK(run.out.find("33 cases, 33 passed, 0 failed, 0 not applicable") != std::string::npos);
}

TEST_CASE("rsp-conformance --role smdp: unreachable SM-DP+ exits 1, usage errors exit 2") {
  rsp::test::ConformanceSmdp smdp(0);
  auto conformance = run_smdp_conformance;
  auto gone = conformance("--smdp https://localhost:1 --pki " + smdp.pki.string());
  INFO(gone.out);
  CHECK(gone.status == 1);
  CHECK(gone.out.find("cannot reach the SM-DP+") != std::string::npos);
  CHECK(conformance("--smdp http://localhost:" + smdp.port + " --pki " + smdp.pki.string()).status == 2);
  CHECK(conformance("--smdp https://localhost:" + smdp.port).status == 2);
  CHECK(
      conformance("--smdp https://localhost:" + smdp.port + " --pki " + smdp.pki.string() + " --binding xml").status ==
      2);
  // The second operator's three flags go together too.
  auto partial = conformance(smdp.target() + smdp.operator_args() + " --operator2-id operator-b");
  CHECK(partial.status == 2);
  CHECK(partial.out.find("--operator2-cert, --operator2-key and --operator2-id go together") != std::string::npos);
}

TEST_CASE("rsp-conformance --role smdp: a wrong reason code fails exactly the cases that check it") {
  rsp::test::ConformanceSmdp smdp(0);
  rsp::http::ClientOptions options;
  options.trusted_ca_files.push_back(smdp.pki / "nist" / "ci.pem");
  auto client = rsp::http::Client::create(options).value();
  // Forwards to the SM-DP+ and answers 8.10.1/3.8 where it said 8.10.1/3.9.
  auto relay = rsp::test::start_tls_server(
      rsp::http::TlsIdentity::from_pki(smdp.pki, rsp::crypto::Curve::nist_p256).value(),
      [&](const rsp::http::Request& r) {
        rsp::http::Headers headers;
        for (const char* name : {"Content-Type", "X-Admin-Protocol", "User-Agent"})
          if (auto value = r.headers.get(name)) headers.set(name, std::string(*value));
        auto upstream = client.post("https://localhost:" + smdp.port + r.target, r.body, headers);
        rsp::http::Response out;
        out.status = upstream ? upstream->status : 502;
        if (!upstream) return out;
        out.body = std::regex_replace(upstream->body, std::regex("\"reasonCode\":\"3\\.9\""), "\"reasonCode\":\"3.8\"");
        if (auto type = upstream->headers.get("Content-Type")) out.headers.set("Content-Type", std::string(*type));
        return out;
      });
  auto run = run_smdp_conformance("--smdp https://localhost:" + std::to_string(relay->port(0)) + " --pki " +
                                  smdp.pki.string());
  INFO(run.out);
  CHECK(run.status == 1);
  CHECK(cases_with_verdict(run.out, "fail") == Strings{"ES9p.AuthenticateClient.EumUnderUnknownCi",
                                                       "ES9p.AuthenticateClient.OtherSignedTransactionId",
                                                       "ES9p.AuthenticateClient.UnknownTransactionId"});
  CHECK(run.out.find(
            "fail  ES9p.AuthenticateClient.UnknownTransactionId: expected Failed 8.10.1/3.9, got Failed 8.10.1/3.8") !=
        std::string::npos);
  CHECK(cases_with_verdict(run.out, "pass").size() == 12);
}
