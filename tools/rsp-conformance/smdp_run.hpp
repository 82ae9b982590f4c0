#pragma once
// run --role smdp: builds the SM-DP+ target (URL, PKI, binding) and runs the chosen cases on it.
#include <string>
#include <vector>

#include "case.hpp"
#include "reports.hpp"

namespace conformance {

struct SmdpRunOptions {
  std::string url;               // https://HOST[:PORT] of the SM-DP+'s ES9+
  std::string pki;               // rsp-pki directory: the CIs trusted for TLS and the eUICC/EUM credentials
  std::string binding = "json";  // or asn1
  // The operator placing the orders (all three, or none), its ES2+ (default: the --smdp URL) and
  // the profile type it orders.
  std::string operator_cert, operator_key, operator_id, es2_url, profile_type = "demo";
  // A second operator on the same ES2+ (all three, or none), for the operator isolation cases.
  std::string operator2_cert, operator2_key, operator2_id;
};

// Exit status as the runner's: 0 nothing failed, 1 a case failed or the SM-DP+ is unreachable, 2 usage.
int run_smdp(const SmdpRunOptions& options, const std::vector<const Case*>& chosen, RunSettings reports);

}  // namespace conformance
