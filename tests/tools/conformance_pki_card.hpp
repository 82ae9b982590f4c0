#pragma once
// A euicc-sim --listen made from a fresh rsp-pki of one curve (its credentials and CI in `pki`), optionally with
// --fault modes, for rsp-conformance's eUICC-role tests that pass --pki; run() gives the --json lines.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "rsp/pki/test_pki.hpp"
#include "support/child_process.hpp"
#include "support/command.hpp"
#include "support/kit.hpp"

namespace rsp::test {

struct ConformancePkiCard {
  TempDir dir;
  std::filesystem::path pki = dir.path() / "pki";
  std::unique_ptr<ChildProcess> process;
  std::string euicc;
  explicit ConformancePkiCard(std::vector<std::string> faults = {},
                              rsp::crypto::Curve curve = rsp::crypto::Curve::nist_p256) {
    rsp::pki::MakeOptions options;
    options.curve = curve;
    REQUIRE(rsp::pki::make(pki, options));
    std::vector<std::string> args{"--state",    (dir.path() / "card").string(), "--pki", pki.string(), "--listen",
                                  "127.0.0.1:0"};
    if (!faults.empty()) args.push_back("--conformance-harness");
    for (auto& f : faults) args.insert(args.end(), {"--fault", f});
    process = std::make_unique<ChildProcess>("euicc-sim", dir.path(), args);
    euicc = "tcp:127.0.0.1:" + process->wait_for("listening on 127\\.0\\.0\\.1:(\\d+)");
  }
  CommandResult run(const std::string& flags) const {
    return run_command("timeout 20 " + std::string(RSP_BINARY_DIR) +
                       "/rsp-conformance run --role euicc --json --euicc " + euicc + " " + flags + " 2>/dev/null");
  }
};

}  // namespace rsp::test
