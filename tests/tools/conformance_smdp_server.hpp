#pragma once
// `smdp serve` for the rsp-conformance SM-DP+ role tests: a fresh rsp-pki PKI of one curve,
// `profiles` "demo" profiles of operator-a (a NIST PKI's dp-tls certificate as its ES2+ client
// certificate: the PKI's own, or for brainpool another one's, as TLS client certificates are P-256)
// and operator-b (that PKI's ds-tls certificate) pinned, ES2+ on the ES9+ port; start() starts it
// again on the same database with other flags (a fault mode).
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/command.hpp"
#include "support/kit.hpp"

namespace rsp::test {

struct ConformanceSmdp {
  TempDir dir;
  std::filesystem::path pki = dir.path() / "pki";
  std::filesystem::path operators;  // the NIST folder whose dp-tls and ds-tls are the operators' certificates
  std::unique_ptr<ChildProcess> process;
  std::string port;

  explicit ConformanceSmdp(int profiles, std::vector<std::string> flags = {}, const std::string& curve = "nist") {
    const std::string bin = RSP_BINARY_DIR;
    REQUIRE(run_command(bin + "/rsp-pki make --curve " + curve + " " + pki.string() + " 2>&1").status == 0);
    operators = pki / "nist";
    if (curve != "nist") {
      REQUIRE(run_command(bin + "/rsp-pki make " + (dir.path() / "operators").string() + " 2>&1").status == 0);
      operators = dir.path() / "operators" / "nist";
    }
    // One shell for all the profile packages: ICCIDs 8944500000000001001.., IMSIs 001010000001001..
    if (profiles > 0) import_profiles(profiles);
    start(std::move(flags));
  }
  void import_profiles(int profiles) {
    const std::string bin = RSP_BINARY_DIR;
    auto made = run_command("cd " + dir.path().string() + " && for n in $(seq 1001 " + std::to_string(1000 + profiles) +
                            "); do " + bin + "/rsp-profile make --iccid 894450000000000$n --imsi 00101000000$n --ki " +
                            std::string(32, '3') + " --opc " + std::string(32, '4') + " p$n.der || exit 1; done 2>&1");
    INFO(made.out);
    REQUIRE(made.status == 0);
    auto imported =
        run_command(bin + "/smdp import --pki " + pki.string() + " --db " + db() + " --operator " + operator_flag() +
                    " --operator-id operator-a --profile-type demo " + dir.path().string() + "/p*.der 2>&1");
    INFO(imported.out);
    REQUIRE(imported.status == 0);
  }
  // Stops the SM-DP+ and starts it again on the same database with `flags` added.
  void start(std::vector<std::string> flags) {
    process.reset();
    std::vector<std::string> args{
        "serve",         "--pki",      pki.string(),     "--db",         db(),          "--operator",
        operator_flag(), "--operator", operator2_flag(), "--es9-listen", "127.0.0.1:0", "--es2-on-es9-listener"};
    args.insert(args.end(), flags.begin(), flags.end());
    process = std::make_unique<ChildProcess>("smdp", dir.path(), std::move(args));
    port = process->wait_for("ES9\\+ of localhost on https://127\\.0\\.0\\.1:(\\d+)");
  }
  std::string db() const { return "sqlite:" + (dir.path() / "smdp.db").string(); }
  std::string operator_flag() const { return "operator-a=" + (operators / "dp-tls.pem").string(); }
  std::string operator2_flag() const { return "operator-b=" + (operators / "ds-tls.pem").string(); }
  // rsp-conformance's flags for the SM-DP+, its PKI and the binding.
  std::string target(const std::string& binding = "json") const {
    return "--smdp https://localhost:" + port + " --pki " + pki.string() + " --binding " + binding;
  }
  std::string operator_args() const {
    return " --operator-id operator-a --operator-cert " + (operators / "dp-tls.pem").string() + " --operator-key " +
           (operators / "dp-tls.key.pem").string();
  }
  std::string operator2_args() const {
    return " --operator2-id operator-b --operator2-cert " + (operators / "ds-tls.pem").string() + " --operator2-key " +
           (operators / "ds-tls.key.pem").string();
  }
};

inline CommandResult run_smdp_conformance(const std::string& args) {
  return run_command("timeout 60 " + std::string(RSP_BINARY_DIR) + "/rsp-conformance run --role smdp " + args +
                     " 2>&1");
}

}  // namespace rsp::test
