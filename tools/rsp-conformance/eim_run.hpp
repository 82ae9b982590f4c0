#pragma once
// run --role eim: the harness as the IPA on the eIM's ESipa (both bindings), with the eIM's answers
// to GetEimPackage requests it cannot serve (SGP.32 v1.2 ESipa.GetEimPackage; FACTS §5.1, §8).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "case.hpp"
#include "reports.hpp"
#include "rsp/http/client.hpp"

namespace conformance {

struct EimRunOptions {
  std::string url;               // https://HOST[:PORT] of the eIM's ESipa
  std::string pki;               // rsp-pki directory: the CIs the eIM's TLS certificate chains to
  std::string binding = "asn1";  // or json
  // The eIM's owner API (eim/include/eim/owner_api.hpp) and an owner's client credentials (PEM), all
  // three or none: cases that need a device registered or work queued use it, else are n/a.
  std::string owner_url, owner_cert, owner_key;
  // An SM-DP+ address (no port) the eIM relays the indirect profile download to (eim serve
  // --smdp-port for a lab port): the indirect download cases use it, else are n/a.
  std::string relay_smdp = {};
};

// What an eIM-role case talks to: the eIM's ESipa over HTTPS in one binding.
struct EimTarget {
  std::string base_url;  // https://HOST[:PORT]
  bool json = false;
  rsp::http::Client http;
  std::string owner_url;                   // empty: no owner API given
  std::optional<rsp::http::Client> owner;  // with the owner's client certificate
  std::filesystem::path pki;               // the harness eUICC's credentials and the eIM's certificate
  std::filesystem::path work_dir;          // the harness eUICCs' state directories
  std::string eim_id;                      // the eimId the harness eUICC knows the eIM by (its host)
  std::string relay_smdp = {};             // EimRunOptions::relay_smdp
  // GetEimPackage with eidValue `eid` (any bytes; none: left out) in the target's binding. The answer
  // as DER (a JSON Failed status mapped to its eimPackageError), or why there is none.
  rsp::Expected<rsp::Bytes> get_eim_package(const std::optional<rsp::Bytes>& eid) const;
  // POST `body` (JSON) to the owner API's `path`: the answer's JSON text when it is 200, else why not.
  // Any ESipa request (DER) in the target's binding: the answer as DER, or why there is none.
  rsp::Expected<rsp::Bytes> call(const rsp::Bytes& der) const;
  rsp::Expected<std::string> owner_call(const std::string& path, const std::string& body) const;
};

// The eIM role's ESipa cases (eim_esipa_cases.cpp).
std::vector<Case> eim_esipa_cases();
// The eIM role's ProvideEimPackageResult cases (eim_psmo_cases.cpp).
std::vector<Case> eim_result_cases();
// The eIM role's eUICC Package cases: counters, eimSignature, eidValue, results of packages not sent
// (eim_package_cases.cpp).
std::vector<Case> eim_package_cases();

// Exit status as the runner's: 0 nothing failed, 1 a case failed or the eIM is unreachable, 2 usage.
int run_eim(const EimRunOptions& options, const std::vector<const Case*>& chosen, RunSettings reports);

}  // namespace conformance
