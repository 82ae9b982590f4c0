// The SM-DP+'s fault modes prove that rsp-conformance's SM-DP+ cases bite: `smdp serve
// --conformance-harness --fault MODE` (on one database, restarted per mode) fails exactly the cases
// that check that behaviour, and no other. --fault without --conformance-harness, and an unknown
// mode, are refused.
#include <catch2/catch.hpp>

#include <algorithm>

#include "conformance_output.hpp"
#include "conformance_smdp_server.hpp"

TEST_CASE("smdp serve --conformance-harness --fault: each mode fails exactly the rsp-conformance cases that check it") {
  rsp::test::ConformanceSmdp smdp(96);
  rsp::test::FaultExpectations expected = {
      {"skip-signature-check",
       {"ES9p.AuthenticateClient.AlteredEuiccSignature1", "ES9p.GetBoundProfilePackage.AlteredEuiccSignature2",
        "ES9p.HandleNotification.ForgedResult", "ES9p.HandleNotification.OtherSessionResult",
        "ES9p.CancelSession.AlteredSignature"}},
      {"accept-any-challenge",
       {"ES9p.AuthenticateClient.OtherServerChallenge", "ES9p.AuthenticateClient.OtherSignedTransactionId"}},
      {"skip-address-check",
       {"ES9p.InitiateAuthentication.WrongSmdpAddress", "ES9p.AuthenticateClient.OtherSignedServerAddress"}},
      {"skip-eid-range-check", {"ES9p.AuthenticateClient.EidOutsideEumRange"}},
      {"skip-certificate-check",
       {"ES9p.AuthenticateClient.ExpiredEuiccCertificate", "ES9p.AuthenticateClient.EidOutsideEumRange",
        "ES9p.AuthenticateClient.EumUnderUnknownCi", "ES9p.AuthenticateClient.EuiccCertificateNotSignedByEum",
        "ES9p.AuthenticateClient.ExpiredEumCertificate"}},
      {"reuse-otpk", {"ES9p.GetBoundProfilePackage.RetryNewOtpk"}},
      {"skip-operator-check",
       {"ES2p.ConfirmOrder.OtherOperator", "ES2p.CancelOrder.OtherOperator", "ES2p.ReleaseProfile.OtherOperator",
        "ES2p.DownloadOrder.OtherRequesterIdentifier"}},
      {"skip-order-state-check",
       {"ES2p.ConfirmOrder.AlreadyConfirmed", "ES2p.ReleaseProfile.Nominal", "ES2p.CancelOrder.Nominal"}},
  };
  for (auto& [fault, cases] : expected) std::ranges::sort(cases);
  rsp::test::check_fault_runs(expected, 33, [&](const std::string& fault) {
    smdp.start({"--conformance-harness", "--fault", fault});
    CHECK(smdp.process->output().find("WARNING: fault '" + fault + "' is active") != std::string::npos);
    return rsp::test::run_smdp_conformance(smdp.target() + smdp.operator_args() + smdp.operator2_args());
  });
}

TEST_CASE("smdp serve: --fault only with --conformance-harness, and only a known mode") {
  rsp::test::TempDir dir;
  const std::string bin = RSP_BINARY_DIR;
  REQUIRE(rsp::test::run_command(bin + "/rsp-pki make " + (dir.path() / "pki").string() + " 2>&1").status == 0);
  rsp::test::check_fault_refusals("timeout 10 " + bin + "/smdp serve --pki " + (dir.path() / "pki").string() +
                                      " --db sqlite:" + (dir.path() / "db").string() + " --es9-listen 127.0.0.1:0",
                                  "reuse-otpk");
}
