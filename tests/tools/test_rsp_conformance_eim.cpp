// rsp-conformance run --role eim against `eim serve` (a fresh rsp-pki PKI, an empty SQLite store):
// every case passes in both bindings: the GetEimPackage cases missingEid, invalidEid and eidNotFound;
// an unreachable eIM exits 1; a bad --eim, a missing --pki or an unknown binding is a usage error.
// With the owner API (the PKI's dp-tls as owner certificate) DeliveredOnce registers a fresh EID and
// passes, and the in-process eUICC (the eIM added as its eIM) runs a queued getRAT whose signed result
// is acknowledged and recorded executed, forged is neither, re-sent is acknowledged and recorded once;
// the package cases (counters counting up across packages queued together and later, eimSignature
// under the PKI's eIM certificate, eidValue, results of a package never sent or under another EID
// neither acknowledged nor recorded), the result in HandleNotification (recorded; forged: not) and an
// indirect-download AuthenticateClient under an unknown transactionId (invalidTransactionId 10) pass;
// through the eIM to an smdp serve of the same PKI (--relay-smdp; eim serve --smdp-port) the SM-DP+
// role's initiateAuthentication nominal, altered euiccSignature1 and unknown matchingId cases pass;
// without the owner API the 11 cases that need a device are n/a, without --relay-smdp those 3.
// On a brainpool-only PKI (the owner's certificate from a NIST one) the 15 cases that need no SM-DP+ pass. That cases
// bite: behind a relay that rewrites the eIM's ASN.1 eidNotFound (2) into noEimPackageAvailable (1),
// exactly UnknownEid fails; one that turns acknowledgements into emptyResponse, exactly Acknowledged
// and Resent; with eim serve's --conformance-harness --fault modes: reuse-counter exactly
// ReplayedCounter, skip-result-signature-check exactly the two ForgedSignature cases, deliver-twice (the last
// unanswered package again where there is none queued) exactly DeliveredOnce and ReplayedCounter,
// acknowledge-unverified (seqNumbers of refused results acknowledged) exactly ProvideEimPackageResult's
// ForgedSignature, UnknownPackage and OtherEid; other-eid-in-package exactly EidMatches and
// wrong-package-signature exactly EimSignature, each with the 7 cases whose eUICC must run the package;
// --fault without --conformance-harness is refused.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
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

struct Eim {
  rsp::test::TempDir dir;
  fs::path pki = dir.path() / "pki";
  fs::path owner = pki / "nist";  // the folder whose dp-tls is the owner's client certificate
  std::unique_ptr<rsp::test::ChildProcess> smdp, process;
  std::string smdp_port, port, owner_port;
  // With `relay_smdp`, an `smdp serve` of the same PKI (as localhost) the eIM relays the indirect download to.
  // With `only_curve`, a PKI of that curve alone; the owner's certificate then comes from a NIST PKI
  // of its own (TLS client certificates are P-256).
  explicit Eim(bool relay_smdp = false, const std::string& only_curve = "") {
    REQUIRE(rsp::test::run_command(kBin + "/rsp-pki make " + (only_curve.empty() ? "" : "--curve " + only_curve + " ") +
                                   pki.string() + " 2>&1")
                .status == 0);
    if (!only_curve.empty() && only_curve != "nist") {
      REQUIRE(rsp::test::run_command(kBin + "/rsp-pki make --curve nist " + (dir.path() / "owner").string() + " 2>&1")
                  .status == 0);
      owner = dir.path() / "owner" / "nist";
    }
    if (relay_smdp) {
      smdp = std::make_unique<rsp::test::ChildProcess>(
          "smdp", dir.path(),
          std::vector<std::string>{"serve", "--pki", pki.string(), "--db",
                                   "sqlite:" + (dir.path() / "smdp.db").string(), "--es9-listen", "127.0.0.1:0"});
      smdp_port = smdp->wait_for("ES9\\+ of localhost on https://127\\.0\\.0\\.1:(\\d+)");
    }
    start({});
  }
  // (Re)starts the eIM on a fresh database, with the conformance harness's `faults` when given.
  void start(const std::vector<std::string>& faults) {
    process.reset();
    static int serial = 0;
    std::vector<std::string> args{"serve",
                                  "--pki",
                                  pki.string(),
                                  "--db",
                                  "sqlite:" + (dir.path() / ("eim" + std::to_string(++serial) + ".db")).string(),
                                  "--listen",
                                  "127.0.0.1:0",
                                  "--owner-listen",
                                  "127.0.0.1:0",
                                  "--owner",
                                  "owner-a=" + (owner / "dp-tls.pem").string()};
    if (!faults.empty()) args.push_back("--conformance-harness");
    for (const auto& f : faults) args.insert(args.end(), {"--fault", f});
    if (smdp) args.insert(args.end(), {"--smdp-port", smdp_port});
    process = std::make_unique<rsp::test::ChildProcess>("eim", dir.path(), args);
    port = process->wait_for("eim: ESipa of localhost on https://127\\.0\\.0\\.1:(\\d+)/");
    owner_port = process->wait_for("eim: owner API on port (\\d+)");
  }
  // The owner: the PKI's dp-tls certificate serves as its client certificate (the eIM pins it).
  std::string owner_args() const {
    return " --owner-url https://localhost:" + owner_port + " --owner-cert " + (owner / "dp-tls.pem").string() +
           " --owner-key " + (owner / "dp-tls.key.pem").string();
  }
};

Run conformance(const std::string& args) {
  return rsp::test::run_command("timeout 20 " + kBin + "/rsp-conformance run --role eim " + args + " 2>&1");
}

size_t count(const std::string& text, const std::string& pattern) {
  std::regex re(pattern);
  return static_cast<size_t>(std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

}  // namespace

TEST_CASE("rsp-conformance --role eim: the GetEimPackage error cases against eim serve in both bindings") {
  Eim eim(true);
  for (std::string binding : {"asn1", "json"}) {
    auto run = conformance("--eim https://localhost:" + eim.port + " --pki " + eim.pki.string() + " --binding " +
                           binding + eim.owner_args() + " --relay-smdp localhost");
    INFO(run.out);
    CHECK(run.out.find("pass  ESipa.GetEimPackage.InvalidEid: invalidEid") != std::string::npos);
    CHECK(run.out.find("pass  ESipa.GetEimPackage.UnknownEid: eidNotFound") != std::string::npos);
    CHECK(std::regex_search(
        run.out,
        std::regex(
            "pass  ESipa\\.GetEimPackage\\.DeliveredOnce: [1-9] package\\(s\\) delivered once each, then noEimPackageAvailable")));
    CHECK(run.out.find("pass  ESipa.ProvideEimPackageResult.Acknowledged: seqNumber ") != std::string::npos);
    CHECK(run.out.find("pass  ESipa.ProvideEimPackageResult.ForgedSignature: not acknowledged, not recorded") !=
          std::string::npos);
    CHECK(run.out.find("pass  ESipa.ProvideEimPackageResult.Resent: re-sent seqNumber ") != std::string::npos);
    CHECK(run.status == 0);
    CHECK(run.out.find("pass  ESipa.GetEimPackage.MissingEid: missingEid") != std::string::npos);
    CHECK(std::regex_search(
        run.out, std::regex("pass  ESipa\\.GetEimPackage\\.ReplayedCounter: counterValues \\d+ < \\d+ < \\d+\\n")));
    CHECK(run.out.find("pass  ESipa.GetEimPackage.EimSignature: verifies with the PKI's eIM certificate") !=
          std::string::npos);
    CHECK(std::regex_search(run.out, std::regex("pass  ESipa\\.GetEimPackage\\.EidMatches: \\d{32}")));
    CHECK(run.out.find("pass  ESipa.ProvideEimPackageResult.UnknownPackage: not acknowledged, nothing recorded") !=
          std::string::npos);
    CHECK(run.out.find("pass  ESipa.ProvideEimPackageResult.OtherEid: ") != std::string::npos);
    CHECK(run.out.find("pass  ESipa.HandleNotification.EuiccPackageResult: recorded executed") != std::string::npos);
    CHECK(run.out.find("pass  ESipa.HandleNotification.ForgedSignature: not recorded") != std::string::npos);
    CHECK(run.out.find("pass  ESipa.AuthenticateClient.UnknownTransactionId: invalidTransactionId") !=
          std::string::npos);
    CHECK(run.out.find("pass  ESipa.InitiateAuthentication.Relayed") != std::string::npos);
    CHECK(run.out.find("pass  ESipa.AuthenticateClient.RelayedAlteredEuiccSignature1: 8.1/6.1") != std::string::npos);
    CHECK(run.out.find("pass  ESipa.AuthenticateClient.RelayedUnknownMatchingId: 8.2.6/3.8") != std::string::npos);
    CHECK(run.out.find("role eim (" + binding + "): 18 cases, 18 passed, 0 failed, 0 not applicable") !=
          std::string::npos);
  }
  auto one = conformance("--eim https://localhost:" + eim.port + " --pki " + eim.pki.string() +
                         " --case '*.UnknownEid' --json");
  CHECK(one.status == 0);
  CHECK(one.out.find(R"("case":"ESipa.GetEimPackage.UnknownEid")") != std::string::npos);
  CHECK(count(one.out, "\"case\":") == 1);
  // Without the owner API the case that needs a device is not applicable, with the reason.
  auto alone = conformance("--eim https://localhost:" + eim.port + " --pki " + eim.pki.string() + " --binding asn1");
  CHECK(alone.status == 0);
  CHECK(alone.out.find("n/a  ESipa.GetEimPackage.DeliveredOnce: needs --owner-url") != std::string::npos);
  CHECK(alone.out.find("n/a  ESipa.InitiateAuthentication.Relayed: needs --relay-smdp") != std::string::npos);
  CHECK(alone.out.find("role eim (asn1): 18 cases, 4 passed, 0 failed, 14 not applicable") != std::string::npos);
  CHECK(conformance("--eim https://localhost:" + eim.port + " --pki " + eim.pki.string() +
                    " --owner-url https://localhost:" + eim.owner_port)
            .status == 2);

  CHECK(conformance("--eim http://localhost:" + eim.port + " --pki " + eim.pki.string()).status == 2);
  CHECK(conformance("--eim https://localhost:" + eim.port).status == 2);
  CHECK(conformance("--eim https://localhost:" + eim.port + " --pki " + eim.pki.string() + " --binding xml").status ==
        2);
  CHECK(eim.process->stop(SIGTERM) == 0);
  auto gone = conformance("--eim https://localhost:" + eim.port + " --pki " + eim.pki.string());
  CHECK(gone.status == 1);
  CHECK(gone.out.find("cannot reach the eIM") != std::string::npos);
}

TEST_CASE("rsp-conformance --role eim: every case that needs no SM-DP+ passes on a brainpool PKI") {
  // eim serve signs with the brainpool eIM key and presents a brainpool eim-tls; the harness eUICC and
  // its results are brainpool too (the owner's client certificate is a NIST one of its own PKI).
  Eim eim(false, "brainpool");
  auto run = conformance("--eim https://localhost:" + eim.port + " --pki " + eim.pki.string() + " --binding asn1" +
                         eim.owner_args());
  INFO(run.out);
  CHECK(run.status == 0);
  CHECK(run.out.find("pass  ESipa.GetEimPackage.EimSignature: verifies with the PKI's eIM certificate") !=
        std::string::npos);
  CHECK(run.out.find("role eim (asn1): 18 cases, 15 passed, 0 failed, 3 not applicable") != std::string::npos);
}

TEST_CASE("rsp-conformance --role eim: a relay's wrong answer fails exactly the case that checks it") {
  Eim eim;
  rsp::http::ClientOptions options;
  options.trusted_ca_files.push_back(eim.pki / "nist" / "ci.pem");
  auto client = rsp::http::Client::create(options).value();
  const std::string eid_not_found{"\xBF\x4F\x03\x02\x01\x02", 6}, no_package{"\xBF\x4F\x03\x02\x01\x01", 6};
  // Forwards to the eIM, the ASN.1 answer changed by `rewrite`.
  std::function<std::string(const std::string&)> rewrite;
  auto relay = rsp::test::start_tls_server(
      rsp::http::TlsIdentity::from_pki(eim.pki, rsp::crypto::Curve::nist_p256, rsp::crypto::Role::eim_tls).value(),
      [&](const rsp::http::Request& r) {
        rsp::http::Headers headers;
        for (const char* name : {"Content-Type", "X-Admin-Protocol", "User-Agent"})
          if (auto value = r.headers.get(name)) headers.set(name, std::string(*value));
        auto upstream = client.post("https://localhost:" + eim.port + r.target, r.body, headers);
        rsp::http::Response out;
        out.status = upstream ? upstream->status : 502;
        if (!upstream) return out;
        out.body = rewrite(upstream->body);
        if (auto type = upstream->headers.get("Content-Type")) out.headers.set("Content-Type", std::string(*type));
        return out;
      });
  auto run_through_relay = [&] {
    return conformance("--eim https://localhost:" + std::to_string(relay->port(0)) + " --pki " + eim.pki.string() +
                       " --binding asn1" + eim.owner_args());
  };
  SECTION("noEimPackageAvailable where the eIM said eidNotFound") {
    rewrite = [&](const std::string& body) { return body == eid_not_found ? no_package : body; };
    auto run = run_through_relay();
    INFO(run.out);
    CHECK(run.status == 1);
    CHECK(count(run.out, "(?:^|\\n)fail  ") == 1);
    CHECK(
        run.out.find(
            "fail  ESipa.GetEimPackage.UnknownEid: expected eimPackageError eidNotFound, got noEimPackageAvailable") !=
        std::string::npos);
    CHECK(count(run.out, "(?:^|\\n)pass  ESipa\\.") == 14);
  }
  SECTION("emptyResponse where the eIM acknowledged a result") {
    rewrite = [&](const std::string& body) {
      return body.rfind("\xBF\x50", 0) == 0 && body.find("\xBF\x53") != std::string::npos
                 ? std::string{"\xBF\x50\x02\x30\x00", 5}
                 : body;
    };
    auto run = run_through_relay();
    INFO(run.out);
    CHECK(run.status == 1);
    CHECK(count(run.out, "(?:^|\\n)fail  ") == 2);
    CHECK(run.out.find("fail  ESipa.ProvideEimPackageResult.Acknowledged: expected seqNumber ") != std::string::npos);
    CHECK(run.out.find("fail  ESipa.ProvideEimPackageResult.Resent: expected seqNumber ") != std::string::npos);
    CHECK(count(run.out, "(?:^|\\n)pass  ESipa\\.") == 13);
  }
}

// The cases in which the harness eUICC runs a package of the eIM's, and `checking`, sorted.
std::vector<std::string> with_packages_run(const std::string& checking) {
  std::vector<std::string> cases{
      "ESipa.GetEimPackage.ReplayedCounter",           "ESipa.HandleNotification.EuiccPackageResult",
      "ESipa.HandleNotification.ForgedSignature",      "ESipa.ProvideEimPackageResult.Acknowledged",
      "ESipa.ProvideEimPackageResult.ForgedSignature", "ESipa.ProvideEimPackageResult.OtherEid",
      "ESipa.ProvideEimPackageResult.Resent",          checking};
  std::sort(cases.begin(), cases.end());
  return cases;
}

TEST_CASE("rsp-conformance --role eim: each eim serve fault fails exactly the cases that check it") {
  Eim eim;
  rsp::test::check_fault_runs(
      {{"reuse-counter", {"ESipa.GetEimPackage.ReplayedCounter"}},
       {"skip-result-signature-check",
        {"ESipa.HandleNotification.ForgedSignature", "ESipa.ProvideEimPackageResult.ForgedSignature"}},
       {"deliver-twice", {"ESipa.GetEimPackage.DeliveredOnce", "ESipa.GetEimPackage.ReplayedCounter"}},
       {"acknowledge-unverified",
        {"ESipa.ProvideEimPackageResult.ForgedSignature", "ESipa.ProvideEimPackageResult.OtherEid",
         "ESipa.ProvideEimPackageResult.UnknownPackage"}},
       // A package the eUICC refuses also fails the 7 cases that need the eUICC to run one.
       {"other-eid-in-package", with_packages_run("ESipa.GetEimPackage.EidMatches")},
       {"wrong-package-signature", with_packages_run("ESipa.GetEimPackage.EimSignature")}},
      15, [&](const std::string& fault) {
        eim.start({fault});
        return conformance("--eim https://localhost:" + eim.port + " --pki " + eim.pki.string() + " --binding asn1" +
                           eim.owner_args());
      });
  rsp::test::check_fault_refusals(kBin + "/eim serve --pki " + eim.pki.string() + " --listen 127.0.0.1:0",
                                  "deliver-twice");
}
