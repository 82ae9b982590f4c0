#include <fnmatch.h>

#include "case.hpp"
#include "eim_run.hpp"
#include "euicc_more_cases.hpp"
#include "ipa_target.hpp"

namespace conformance {

const std::vector<Case>& registry() {
  static const std::vector<Case> all = [] {
    auto cases = euicc_es10_cases();
    for (auto& c : euicc_download_cases()) cases.push_back(std::move(c));
    for (auto& c : euicc_sgp32_cases()) cases.push_back(std::move(c));
    for (auto& c : euicc_es10_error_cases()) cases.push_back(std::move(c));
    for (auto& c : euicc_bpp_corruption_cases()) cases.push_back(std::move(c));
    for (auto& c : euicc_transport_cases()) cases.push_back(std::move(c));
    for (auto& c : smdp_es9_cases()) cases.push_back(std::move(c));
    for (auto& c : smdp_es9_error_cases()) cases.push_back(std::move(c));
    for (auto& c : smdp_es9_retry_cases()) cases.push_back(std::move(c));
    for (auto& c : smdp_es9_notification_cases()) cases.push_back(std::move(c));
    for (auto& c : smdp_es2_cases()) cases.push_back(std::move(c));
    for (auto& c : smds_es11_cases()) cases.push_back(std::move(c));
    for (auto& c : smds_es12_cases()) cases.push_back(std::move(c));
    for (auto& c : eim_esipa_cases()) cases.push_back(std::move(c));
    for (auto& c : eim_result_cases()) cases.push_back(std::move(c));
    for (auto& c : ipa_download_cases()) cases.push_back(std::move(c));
    for (auto& c : ipa_esipa_cases()) cases.push_back(std::move(c));
    for (auto& c : eim_package_cases()) cases.push_back(std::move(c));
    return cases;
  }();
  return all;
}

std::vector<const Case*> select(const std::string& role, const std::string& pattern) {
  std::vector<const Case*> chosen;
  for (const auto& c : registry())
    if ((role.empty() || c.role == role) && (pattern.empty() || fnmatch(pattern.c_str(), c.id.c_str(), 0) == 0))
      chosen.push_back(&c);
  return chosen;
}

const std::vector<std::string>& roles() {
  static const std::vector<std::string> known = {"euicc", "smdp", "smds", "ipa", "eim"};
  return known;
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::pass: return "pass";
    case Verdict::fail: return "fail";
    case Verdict::not_applicable: return "n/a";
  }
  return "?";
}

}  // namespace conformance
