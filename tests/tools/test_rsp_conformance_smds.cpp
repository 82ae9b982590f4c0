// rsp-conformance run --role smds against `smds serve` (a fresh rsp-pki PKI, the PKI's dp-tls pinned
// with --smdp, and its nist eim-tls as a second SM-DP+): all 15 ES11 and ES12 cases pass in both
// bindings; an SM-DS that does not pin the harness's dp-tls makes the 7 cases that register or delete
// events not applicable; an unreachable SM-DS exits 1. That cases bite: behind a relay that rewrites
// the SM-DS's subject code 8.9.2 to 8.8.2, exactly ES11.InitiateAuthentication.UnsupportedCiPKId
// fails; with each of smds serve's --conformance-harness --fault modes exactly the cases that check
// that behaviour fail (skip-signature-check: AlteredEuiccSignature1; accept-any-challenge: the two
// replay cases; return-other-eid-events: OtherEidEvent; accept-duplicate-event: DuplicateEventId;
// delete-other-smdp-event: OtherSmdp; accept-any-address: WrongSmdsAddress), and --fault without
// --conformance-harness is refused. On a brainpool-only PKI all 15 pass, ES12 over mutual TLS included.
#include <catch2/catch.hpp>

#include <regex>
#include <string>

#include "rsp/http/client.hpp"
#include "support/child_process.hpp"
#include "support/command.hpp"
#include "support/kit.hpp"
#include "support/tls_server.hpp"
#include "tools/conformance_output.hpp"

namespace {

using Run = rsp::test::CommandResult;
namespace fs = std::filesystem;

const std::string kBin = RSP_BINARY_DIR;

struct Smds {
  rsp::test::TempDir dir;
  fs::path pki = dir.path() / "pki";
  std::unique_ptr<rsp::test::ChildProcess> process;
  std::string port;
  std::string curve = "nist";  // the PKI folder whose dp-tls and eim-tls the SM-DS pins
  // `only_curve`: a PKI of that curve alone (rsp-pki make --curve), else of both.
  explicit Smds(bool pin_dp_tls = true, const std::string& only_curve = "") {
    REQUIRE(rsp::test::run_command(kBin + "/rsp-pki make " + (only_curve.empty() ? "" : "--curve " + only_curve + " ") +
                                   pki.string() + " 2>&1")
                .status == 0);
    if (!only_curve.empty()) curve = only_curve;
    start(pin_dp_tls, {});
  }
  // (Re)starts the SM-DS on a fresh database, with the conformance harness's `faults` when given.
  void start(bool pin_dp_tls, const std::vector<std::string>& faults) {
    process.reset();
    static int serial = 0;
    std::vector<std::string> args{"serve",
                                  "--pki",
                                  pki.string(),
                                  "--db",
                                  "sqlite:" + (dir.path() / ("smds" + std::to_string(++serial) + ".db")).string(),
                                  "--listen",
                                  "127.0.0.1:0"};
    if (pin_dp_tls)
      args.insert(args.end(), {"--smdp", "smdp-a=" + (pki / curve / "dp-tls.pem").string(), "--smdp",
                               "smdp-b=" + (pki / curve / "eim-tls.pem").string()});
    if (!faults.empty()) args.push_back("--conformance-harness");
    for (const auto& f : faults) args.insert(args.end(), {"--fault", f});
    process = std::make_unique<rsp::test::ChildProcess>("smds", dir.path(), args);
    port = process->wait_for("ES11 and ES12 of localhost on https://127\\.0\\.0\\.1:(\\d+)/");
  }
};

Run conformance(const std::string& args) {
  return rsp::test::run_command("timeout 20 " + kBin + "/rsp-conformance run --role smds " + args + " 2>&1");
}

size_t count(const std::string& text, const std::string& pattern) {
  std::regex re(pattern);
  return static_cast<size_t>(std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

}  // namespace

TEST_CASE("rsp-conformance --role smds: every ES11 and ES12 case passes against smds serve in both bindings") {
  Smds smds;
  for (std::string binding : {"json", "asn1"}) {
    auto run =
        conformance("--smds https://localhost:" + smds.port + " --pki " + smds.pki.string() + " --binding " + binding);
    INFO(run.out);
    CHECK(run.status == 0);
    CHECK(count(run.out, "(?:^|\\n)pass  ES11\\.") == 9);
    CHECK(count(run.out, "(?:^|\\n)pass  ES12\\.") == 6);
    CHECK(run.out.find("role smds (" + binding + "): 15 cases, 15 passed, 0 failed, 0 not applicable") !=
          std::string::npos);
    CHECK(run.out.find("pass  ES11.InitiateAuthentication.WrongSmdsAddress: 8.9.1/3.8") != std::string::npos);
    CHECK(run.out.find("pass  ES11.InitiateAuthentication.UnsupportedSvn: 8.9.3/3.1") != std::string::npos);
    CHECK(run.out.find("pass  ES11.AuthenticateClient.ReplayedServerChallenge: 8.1/6.1") != std::string::npos);
    CHECK(run.out.find("pass  ES11.AuthenticateClient.ReplayedEuiccSignature1: 8.10.1/3.9") != std::string::npos);
    CHECK(run.out.find("pass  ES12.RegisterEvent.MalformedEid: 8.1.1/2.1") != std::string::npos);
    CHECK(run.out.find("pass  ES12.RegisterEvent.DuplicateEventId: 8.9.5/3.3, listed once") != std::string::npos);
    CHECK(run.out.find("pass  ES12.DeleteEvent.OtherSmdp: 8.9.5/3.9, the event kept") != std::string::npos);
    CHECK(run.out.find("pass  ES11.InitiateAuthentication.UnsupportedCiPKId: 8.9.2/3.1") != std::string::npos);
    CHECK(run.out.find("pass  ES12.DeleteEvent.UnknownEventId: 8.9.5/3.9") != std::string::npos);
    CHECK(std::regex_search(
        run.out,
        std::regex(
            "pass  ES12\\.RegisterEvent\\.Nominal: CONFORMANCE-\\d+-\\d+ at smdp\\.conformance\\.example\\.org")));
  }
}

TEST_CASE("rsp-conformance --role smds: every case passes on a brainpool PKI") {
  // ES12 too: the SM-DS takes the harness's brainpool dp-tls as a client certificate over TLS 1.2 since every
  // server's ECDHE groups include brainpoolP256r1 (rsp/src/http/tls_policy.cpp); OpenSSL's default groups,
  // without it, had refused the certificate's curve.
  Smds smds(true, "brainpool");
  auto run = conformance("--smds https://localhost:" + smds.port + " --pki " + smds.pki.string() + " --binding asn1");
  INFO(run.out);
  CHECK(run.status == 0);
  CHECK(count(run.out, "(?:^|\\n)pass  ES11\\.") == 9);
  CHECK(count(run.out, "(?:^|\\n)pass  ES12\\.") == 6);
  CHECK(run.out.find("15 cases, 15 passed, 0 failed, 0 not applicable") != std::string::npos);
}

TEST_CASE("rsp-conformance --role smds: ES12 is not applicable without the pin, an unreachable SM-DS exits 1") {
  Smds smds(false);
  auto run = conformance("--smds https://localhost:" + smds.port + " --pki " + smds.pki.string());
  INFO(run.out);
  CHECK(run.status == 0);
  CHECK(count(run.out, "(?:^|\\n)n/a  ES1[12]\\.[A-Za-z.0-9]+: the SM-DS did not accept the harness's dp-tls") == 7);
  CHECK(run.out.find("15 cases, 8 passed, 0 failed, 7 not applicable") != std::string::npos);
  auto gone = conformance("--smds https://localhost:1 --pki " + smds.pki.string());
  INFO(gone.out);
  CHECK(gone.status == 1);
  CHECK(gone.out.find("cannot reach") != std::string::npos);
  CHECK(conformance("--smds https://localhost:" + smds.port).status == 2);  // no --pki
}

TEST_CASE("rsp-conformance --role smds: a wrong subject code fails exactly the case that checks it") {
  Smds smds;
  rsp::http::ClientOptions options;
  options.trusted_ca_files.push_back(smds.pki / "nist" / "ci.pem");
  // The relay forwards ES12 as the harness's SM-DP+ would, so those cases still reach the SM-DS.
  options.client_identity = rsp::http::TlsIdentity::from_pki(smds.pki, rsp::crypto::Curve::nist_p256).value();
  auto client = rsp::http::Client::create(options).value();
  auto relay = rsp::test::start_tls_server(
      rsp::http::TlsIdentity::from_pki(smds.pki, rsp::crypto::Curve::nist_p256).value(),
      [&](const rsp::http::Request& r) {
        rsp::http::Headers headers;
        for (const char* name : {"Content-Type", "X-Admin-Protocol", "User-Agent"})
          if (auto value = r.headers.get(name)) headers.set(name, std::string(*value));
        auto upstream = client.post("https://localhost:" + smds.port + r.target, r.body, headers);
        rsp::http::Response out;
        out.status = upstream ? upstream->status : 502;
        if (!upstream) return out;
        out.body = std::regex_replace(upstream->body, std::regex("\"subjectCode\":\"8\\.9\\.2\""),
                                      "\"subjectCode\":\"8.8.2\"");
        if (auto type = upstream->headers.get("Content-Type")) out.headers.set("Content-Type", std::string(*type));
        return out;
      });
  // The ES11 cases only: behind the relay every ES12 caller is the relay's dp-tls, so DeleteEvent.OtherSmdp cannot tell
  // two SM-DP+s.
  auto run = conformance("--smds https://localhost:" + std::to_string(relay->port(0)) + " --pki " + smds.pki.string() +
                         " --case 'ES11.*'");
  INFO(run.out);
  CHECK(run.status == 1);
  CHECK(count(run.out, "(?:^|\\n)fail  ") == 1);
  CHECK(run.out.find(
            "fail  ES11.InitiateAuthentication.UnsupportedCiPKId: expected Failed 8.9.2/3.1, got Failed 8.8.2/3.1") !=
        std::string::npos);
  CHECK(count(run.out, "(?:^|\\n)pass  ") == 8);
}

TEST_CASE("rsp-conformance --role smds: each smds serve fault fails exactly the cases that check it") {
  Smds smds;
  rsp::test::check_fault_runs(
      {{"skip-signature-check", {"ES11.AuthenticateClient.AlteredEuiccSignature1"}},
       {"accept-any-challenge",
        {"ES11.AuthenticateClient.ReplayedEuiccSignature1", "ES11.AuthenticateClient.ReplayedServerChallenge"}},
       {"return-other-eid-events", {"ES11.EventRetrieval.OtherEidEvent"}},
       {"accept-duplicate-event", {"ES12.RegisterEvent.DuplicateEventId"}},
       {"delete-other-smdp-event", {"ES12.DeleteEvent.OtherSmdp"}},
       {"accept-any-address", {"ES11.InitiateAuthentication.WrongSmdsAddress"}}},
      15, [&](const std::string& fault) {
        smds.start(true, {fault});
        return conformance("--smds https://localhost:" + smds.port + " --pki " + smds.pki.string() + " --binding asn1");
      });
  rsp::test::check_fault_refusals(kBin + "/smds serve --pki " + smds.pki.string() + " --listen 127.0.0.1:0",
                                  "accept-any-challenge");
}
