#pragma once
// run --role smdp: builds the SM-DP+ target (URL, PKI, binding) and runs the chosen cases on it.
#include <string>
#include <vector>

#include "case.hpp"

namespace conformance {

struct SmdpRunOptions {
  std::string url;      // https://HOST[:PORT] of the SM-DP+'s ES9+
  std::string pki;      // rsp-pki directory: the CIs trusted for TLS and the eUICC/EUM credentials
  std::string binding;  // json | asn1
};

// Exit status as the runner's: 0 nothing failed, 1 a case failed or the SM-DP+ is unreachable, 2 usage.
int run_smdp(const SmdpRunOptions& options, const std::vector<const Case*>& chosen, bool json);

}  // namespace conformance
