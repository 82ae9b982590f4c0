#pragma once
// run --role eim: the harness as the IPA on the eIM's ESipa (both bindings), with the eIM's answers
// to GetEimPackage requests it cannot serve (SGP.32 v1.2 ESipa.GetEimPackage; FACTS §5.1, §8).
#include <optional>
#include <string>
#include <vector>

#include "case.hpp"
#include "rsp/http/client.hpp"

namespace conformance {

struct EimRunOptions {
  std::string url;               // https://HOST[:PORT] of the eIM's ESipa
  std::string pki;               // rsp-pki directory: the CIs the eIM's TLS certificate chains to
  std::string binding = "asn1";  // or json
};

// What an eIM-role case talks to: the eIM's ESipa over HTTPS in one binding.
struct EimTarget {
  std::string base_url;  // https://HOST[:PORT]
  bool json = false;
  rsp::http::Client http;
  // GetEimPackage with eidValue `eid` (any bytes; none: left out) in the target's binding. The answer
  // as DER (a JSON Failed status mapped to its eimPackageError), or why there is none.
  rsp::Expected<rsp::Bytes> get_eim_package(const std::optional<rsp::Bytes>& eid) const;
};

// The eIM role's ESipa cases (eim_esipa_cases.cpp).
std::vector<Case> eim_esipa_cases();

// Exit status as the runner's: 0 nothing failed, 1 a case failed or the eIM is unreachable, 2 usage.
int run_eim(const EimRunOptions& options, const std::vector<const Case*>& chosen, bool json);

}  // namespace conformance
