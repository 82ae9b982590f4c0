#pragma once
// Numbers as the bench writes them: zero-padded identifiers (EIDs, ICCIDs, IMSIs of the fleet and
// the inventory) and figures rounded for the report.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

namespace smdp_bench {

// `n` in decimal, zero-padded to `width` digits.
inline std::string digits(uint64_t n, int width) {
  char text[32];
  std::snprintf(text, sizeof text, "%0*llu", width, static_cast<unsigned long long>(n));
  return text;
}

// A figure to three decimals, so that the JSON report does not carry binary noise.
inline double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

}  // namespace smdp_bench
