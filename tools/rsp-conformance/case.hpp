#pragma once
// rsp-conformance's case registry: each case is one spec check with a stable ID
// (<interface>.<function>.<family>), the role it tests, the section it cites, what it sends and
// what the spec requires back, and a run function giving pass, fail or not applicable.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "exchange.hpp"
#include "ipa/es10_channel.hpp"

namespace conformance {

enum class Verdict { pass, fail, not_applicable };

struct Outcome {
  Verdict verdict = Verdict::pass;
  std::string detail;  // fail: expected vs. got; not applicable: the reason
};
inline Outcome pass(std::string detail = {}) { return {Verdict::pass, std::move(detail)}; }
inline Outcome fail(std::string detail) { return {Verdict::fail, std::move(detail)}; }
inline Outcome not_applicable(std::string reason) { return {Verdict::not_applicable, std::move(reason)}; }

// What an eUICC-role case talks to: the ISD-R through the IPA's ES10 channel.
struct EuiccTarget {
  ipa::Es10Channel& channel;
  // This case's exchange: the runner's transport records the APDUs here; a case may add HTTP ones.
  ExchangeLog& exchanges;
  // --pki: the SM-DP+ credentials (dp-auth, dp-pb, CI) the card trusts; --destructive: cases may
  // install a test profile (and delete it again).
  std::optional<std::filesystem::path> pki = {};
  bool destructive = false;
};

struct SmdpTarget;  // smdp_target.hpp: the SM-DP+ under test and the harness's eUICC
struct EimTarget;   // eim_run.hpp: the eIM's ESipa in one binding
class IpaTarget;    // ipa_target.hpp: the IPA under test, started per download

struct Case {
  std::string id;
  std::string role;
  std::string section;
  std::string sends;
  std::string expects;
  std::function<Outcome(EuiccTarget&)> run;
  std::function<Outcome(SmdpTarget&)> run_smdp = {};  // the smdp role's cases run this instead
  std::function<Outcome(EimTarget&)> run_eim = {};    // the eim role's cases run this instead
  std::function<Outcome(IpaTarget&)> run_ipa = {};    // the ipa role's cases run this instead
};

// Every case, in run order.
const std::vector<Case>& registry();
// The eUICC role's ES10 cases (euicc_es10_cases.cpp).
std::vector<Case> euicc_es10_cases();
// The eUICC role's download cases, the harness as the SM-DP+ (euicc_download_cases.cpp).
std::vector<Case> euicc_download_cases();
// The eUICC role's SGP.32 cases: ES10b' and eUICC Packages (euicc_sgp32_cases.cpp).
std::vector<Case> euicc_sgp32_cases();
// The SM-DP+ role's ES9+ cases (smdp_es9_cases.cpp).
std::vector<Case> smdp_es9_cases();
// Its ES9+ error cases (made-to-order certificates, signatures) and retry / session-end cases
// (smdp_es9_error_cases.cpp, smdp_es9_retry_cases.cpp), and its ES2+ cases (smdp_es2_cases.cpp).
std::vector<Case> smdp_es9_error_cases();
std::vector<Case> smdp_es9_retry_cases();
std::vector<Case> smdp_es2_cases();
std::vector<Case> smdp_es9_notification_cases();  // smdp_es9_notification_cases.cpp
// The SM-DS role's ES11 cases, run on an SmdpTarget naming the SM-DS (smds_es11_cases.cpp).
std::vector<Case> smds_es11_cases();
// Its ES12 cases, the harness as the SM-DP+ (smds_es12_cases.cpp).
std::vector<Case> smds_es12_cases();
// The cases of `role` (all roles when empty) whose ID matches the glob `pattern` (all when empty).
std::vector<const Case*> select(const std::string& role, const std::string& pattern);
// The roles the harness knows of, with or without cases yet.
const std::vector<std::string>& roles();

const char* verdict_name(Verdict v);

}  // namespace conformance
