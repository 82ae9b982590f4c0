#pragma once
// The eUICC role's cases beyond the first three files (case.hpp declares those).
#include <vector>

#include "case.hpp"

namespace conformance {

// ES10a/b/c and ES10b' error cases and the profile-state cases (euicc_es10_error_cases.cpp).
std::vector<Case> euicc_es10_error_cases();
// Corrupted BPPs and refused certificates, the harness as the SM-DP+ (euicc_bpp_corruption_cases.cpp).
std::vector<Case> euicc_bpp_corruption_cases();
// T=0 GET RESPONSE, logical channels, STORE DATA segment sizes (euicc_transport_cases.cpp).
std::vector<Case> euicc_transport_cases();

}  // namespace conformance
