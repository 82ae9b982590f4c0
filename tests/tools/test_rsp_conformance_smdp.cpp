// rsp-conformance run --role smdp against `smdp serve` (a fresh rsp-pki PKI, two "demo" profiles of
// operator-a, ES2+ on the ES9+ port): with the operator's credentials every ES9+ case passes in both
// bindings, the nominal download installing a profile; without them that case is not applicable;
// an unreachable SM-DP+ exits 1; a bad --smdp or a missing --pki is a usage error. That a case bites: behind a relay that rewrites the SM-DP+'s JSON reason
// code 3.9 to 3.8, exactly ES9p.AuthenticateClient.UnknownTransactionId fails.
#include <catch2/catch.hpp>

#include <regex>
#include <string>

#include "rsp/http/client.hpp"
#include "support/child_process.hpp"
#include "support/command.hpp"
#include "support/kit.hpp"
#include "support/tls_server.hpp"

namespace {

using Run = rsp::test::CommandResult;
namespace fs = std::filesystem;

const std::string kBin = RSP_BINARY_DIR;

struct Smdp {
  rsp::test::TempDir dir;
  fs::path pki = dir.path() / "pki";
  std::unique_ptr<rsp::test::ChildProcess> process;
  std::string port;
  Smdp() {
    REQUIRE(rsp::test::run_command(kBin + "/rsp-pki make " + pki.string() + " 2>&1").status == 0);
    std::string profiles;
    for (std::string n : {"1", "2"}) {
      auto file = dir.path() / ("p" + n + ".der");
      REQUIRE(rsp::test::run_command(kBin + "/rsp-profile make --iccid 894450000000000001" + n + " --imsi 00101000000000" + n +
                                     " --ki " + std::string(32, '3') + " --opc " + std::string(32, '4') + " " + file.string())
                  .status == 0);
      profiles += " " + file.string();
    }
    auto imported = rsp::test::run_command(kBin + "/smdp import --pki " + pki.string() + " --db " + db() + " --operator " +
                                           operator_flag() + " --profile-type demo" + profiles + " 2>&1");
    INFO(imported.out);
    REQUIRE(imported.status == 0);
    process = std::make_unique<rsp::test::ChildProcess>(
        "smdp", dir.path(),
        std::vector<std::string>{"serve", "--pki", pki.string(), "--db", db(),
                                 "--operator", operator_flag(), "--es9-listen", "127.0.0.1:0", "--es2-on-es9-listener"});
    port = process->wait_for("ES9\\+ of localhost on https://127\\.0\\.0\\.1:(\\d+)");
  }
  std::string db() const { return "sqlite:" + (dir.path() / "smdp.db").string(); }
  // The operator's client certificate: the PKI's dp-tls one serves (the SM-DP+ pins it).
  std::string operator_flag() const { return "operator-a=" + (pki / "nist" / "dp-tls.pem").string(); }
  std::string operator_args() const {
    return " --operator-id operator-a --operator-cert " + (pki / "nist" / "dp-tls.pem").string() + " --operator-key " +
           (pki / "nist" / "dp-tls.key.pem").string();
  }
};

Run conformance(const std::string& args) {
  return rsp::test::run_command("timeout 20 " + kBin + "/rsp-conformance run --role smdp " + args + " 2>&1");
}

size_t count(const std::string& text, const std::string& pattern) {
  std::regex re(pattern);
  return static_cast<size_t>(std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

}  // namespace

TEST_CASE("rsp-conformance --role smdp: every ES9+ case passes against smdp serve in both bindings") {
  Smdp smdp;
  for (std::string binding : {"json", "asn1"}) {
    auto run = conformance("--smdp https://localhost:" + smdp.port + " --pki " + smdp.pki.string() + " --binding " + binding +
                           smdp.operator_args());
    INFO(run.out);
    CHECK(run.status == 0);
    CHECK(count(run.out, "(?:^|\\n)pass  ES9p\\.") == 7);
    CHECK(run.out.find("7 cases, 7 passed, 0 failed, 0 not applicable") != std::string::npos);
    CHECK(std::regex_search(run.out, std::regex("pass  ES9p\\.ProfileDownload\\.Nominal: installed 894450000000000001[12]")));
    CHECK(run.out.find("pass  ES9p.InitiateAuthentication.Nominal") != std::string::npos);
    CHECK(run.out.find("ES9p.AuthenticateClient.UnknownMatchingId: 8.2.6/3.8") != std::string::npos);
  }
  // Without operator credentials the download has no order: not applicable, with the reason.
  auto no_order = conformance("--smdp https://localhost:" + smdp.port + " --pki " + smdp.pki.string());
  INFO(no_order.out);
  CHECK(no_order.status == 0);
  CHECK(no_order.out.find("n/a  ES9p.ProfileDownload.Nominal: needs an order") != std::string::npos);
  CHECK(no_order.out.find("7 cases, 6 passed, 0 failed, 1 not applicable") != std::string::npos);
  // --case filters; --json gives one line per case.
  auto one = conformance("--smdp https://localhost:" + smdp.port + " --pki " + smdp.pki.string() +
                         " --case 'ES9p.InitiateAuthentication.*' --json");
  INFO(one.out);
  CHECK(one.status == 0);
  CHECK(count(one.out, "\\{\"binding\":\"json\",\"case\":\"ES9p\\.InitiateAuthentication\\.") == 3);
}

TEST_CASE("rsp-conformance --role smdp: unreachable SM-DP+ exits 1, usage errors exit 2") {
  Smdp smdp;
  auto gone = conformance("--smdp https://localhost:1 --pki " + smdp.pki.string());
  INFO(gone.out);
  CHECK(gone.status == 1);
  CHECK(gone.out.find("cannot reach the SM-DP+") != std::string::npos);
  CHECK(conformance("--smdp http://localhost:" + smdp.port + " --pki " + smdp.pki.string()).status == 2);
  CHECK(conformance("--smdp https://localhost:" + smdp.port).status == 2);
  CHECK(conformance("--smdp https://localhost:" + smdp.port + " --pki " + smdp.pki.string() + " --binding xml").status == 2);
}

TEST_CASE("rsp-conformance --role smdp: a wrong reason code fails exactly the case that checks it") {
  Smdp smdp;
  rsp::http::ClientOptions options;
  options.trusted_ca_files.push_back(smdp.pki / "nist" / "ci.pem");
  auto client = rsp::http::Client::create(options).value();
  // Forwards to the SM-DP+ and answers 8.10.1/3.8 where it said 8.10.1/3.9.
  auto relay = rsp::test::start_tls_server(
      rsp::http::TlsIdentity::from_pki(smdp.pki, rsp::crypto::Curve::nist_p256).value(), [&](const rsp::http::Request& r) {
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
  auto run = conformance("--smdp https://localhost:" + std::to_string(relay->port(0)) + " --pki " + smdp.pki.string());
  INFO(run.out);
  CHECK(run.status == 1);
  CHECK(count(run.out, "(?:^|\\n)fail  ") == 1);
  CHECK(run.out.find("fail  ES9p.AuthenticateClient.UnknownTransactionId: expected Failed 8.10.1/3.9, got Failed 8.10.1/3.8") !=
        std::string::npos);
  CHECK(count(run.out, "(?:^|\\n)pass  ES9p\\.") == 5);
}
