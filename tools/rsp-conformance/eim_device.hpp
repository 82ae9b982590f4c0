#pragma once
// The eIM role's device: the harness's in-process eUICC (the PKI's credentials) with the eIM under
// test added as its eIM (AddInitialEim, eimId = the --eim host, the PKI's nist eIM certificate),
// registered with the eIM through the owner API, and the owner API and ESipa calls the eIM role's
// package and result cases share (SGP.32 v1.2 §2.11, §6.3.2.1 GetEimPackage, §6.3.2.2
// ProvideEimPackageResult).
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "eim_run.hpp"
#include "ipa/esipa_messages.hpp"
#include "smdp_target.hpp"

namespace conformance {

struct RegisteredEuicc {
  std::unique_ptr<HarnessEuicc> euicc;
  std::string eid;
  std::optional<long> association_token;  // as the eUICC issued it at AddInitialEim
};

// The eIM under test's certificate: --pki's eim of its first curve (the one eim serve signs with).
rsp::Expected<rsp::crypto::Certificate> eim_certificate(const EimTarget& t);

// A well-formed EID in the harness's own range that no eIM has seen before (time-based).
std::string fresh_eid();

// A fresh harness eUICC whose eIM is the eIM under test (with the PKI's eIM certificate, or with
// `eim_key`'s public key when given), registered with the eIM with its CERT.EUICC and CERT.EUM (409
// from an earlier run is accepted); n/a without the owner API.
std::variant<RegisteredEuicc, Outcome> register_harness_euicc(const EimTarget& t,
                                                              const rsp::crypto::PrivateKey* eim_key = nullptr);
// Queues a getRAT PSMO for `eid` through the owner API: nullopt when queued, else the outcome (n/a).
std::optional<Outcome> queue_get_rat(const EimTarget& t, const std::string& eid);
// GetEimPackage for `eid` until an euiccPackageRequest: its BF51, or the outcome that ends the case.
std::variant<rsp::Bytes, Outcome> fetch_euicc_package(const EimTarget& t, const std::string& eid);
// ProvideEimPackageResult with `result` (BF51) for `eid`: the eIM's acknowledgements, or why there are none.
rsp::Expected<ipa::esipa::ProvideEimPackageResultAnswer> provide_result(const EimTarget& t, const std::string& eid,
                                                                        const rsp::Bytes& result);
// How many of the device's packages the owner API lists as executed.
rsp::Expected<int> executed_packages(const EimTarget& t, const std::string& eid);

// The indirect profile download cases: the SM-DP+ role's ES9+ cases through the eIM (eim_indirect_cases.cpp),
// listed with eim_package_cases().
std::vector<Case> eim_indirect_cases();

}  // namespace conformance
