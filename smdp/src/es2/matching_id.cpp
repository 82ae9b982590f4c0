// The matchingId (AC token of SGP.22 v2.5 §4.1) the SM-DP+ makes when the operator gives none.
#include "rsp/bytes.hpp"
#include "smdp/es2plus.hpp"

namespace smdp {

std::string random_matching_id() {
  // Upper-case letters and digits only: QR alphanumeric mode, no case or '$' trouble in the code.
  constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  constexpr size_t kGroups = 4, kGroupSize = 5;
  std::string id;
  while (id.size() < kGroups * (kGroupSize + 1) - 1) {
    for (uint8_t r : rsp::random_bytes(32)) {
      if (r >= 252) continue;  // 252 = 7 * 36: keeps every character equally likely
      if (id.size() % (kGroupSize + 1) == kGroupSize) id += '-';
      id += kAlphabet[r % kAlphabet.size()];
      if (id.size() == kGroups * (kGroupSize + 1) - 1) break;
    }
  }
  return id;
}

bool valid_matching_id(std::string_view matching_id) {
  if (matching_id.empty() || matching_id.size() > 255) return false;
  for (char c : matching_id)
    if (c <= ' ' || c > '~' || c == '$') return false;
  return true;
}

}  // namespace smdp
