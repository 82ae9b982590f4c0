#pragma once
// What every eUICC-role case file builds its cases with: the Case of the euicc role, and how a card
// tells that it does not implement the other spec's function.
#include <functional>
#include <string>
#include <utility>

#include "case.hpp"
#include "ipa/es10_error.hpp"

namespace conformance {

inline Case euicc(std::string id, std::string section, std::string sends, std::string expects,
                  std::function<Outcome(EuiccTarget&)> run) {
  return {std::move(id), "euicc", std::move(section), std::move(sends), std::move(expects), std::move(run)};
}

// A card refuses a function of the other spec (SGP.32's on an SGP.22 card) with one of these.
inline bool not_sgp32_or_22(const ipa::Es10Error& e) {
  return e.kind == ipa::Es10Error::Kind::status_word &&
         (e.status_word == 0x6D00 || e.status_word == 0x6A80 || e.status_word == 0x6A88);
}
inline bool not_sgp32(const ipa::Es10Error& e) { return not_sgp32_or_22(e); }

}  // namespace conformance
