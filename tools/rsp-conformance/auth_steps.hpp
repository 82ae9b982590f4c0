#pragma once
// The common mutual authentication steps (SGP.22 v2.5 §3.1.2) that the SM-DP+ (ES9+) and SM-DS
// (ES11) cases share: the harness eUICC's first answers, the server's answer handed to the card,
// the altered inputs, and the check of a Failed answer's codes.
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "case.hpp"
#include "ipa/es10b.hpp"
#include "ipa/es9plus_client.hpp"
#include "smdp_target.hpp"

namespace conformance {

// A fresh harness eUICC and the initiateAuthentication request from its EUICCInfo1 and challenge.
struct FirstSteps {
  std::unique_ptr<HarnessEuicc> euicc;
  ipa::InitiateAuthenticationRequest request;
};
rsp::Expected<FirstSteps> first_steps(const SmdpTarget& target);

// What the eUICC's AuthenticateServer takes from the server's initiateAuthentication answer.
ipa::es10b::AuthenticateServerInput server_input(const ipa::InitiateAuthenticationResponse& answer,
                                                 std::optional<std::string> matching_id);

// EUICCInfo1 naming only a CI no server has a certificate under.
ipa::Bytes info1_with_unknown_ci();

// AuthenticateServerResponse with euiccSignature1's last byte flipped; empty when it has none.
ipa::Bytes with_altered_euicc_signature1(ipa::ByteView response);

// A case passes when the call failed with one of the (subject, reason) pairs the spec allows.
template <class T>
Outcome expect_codes(const ipa::Es9Result<T>& result, const std::vector<std::pair<std::string, std::string>>& allowed) {
  std::string wanted;
  for (const auto& [subject, reason] : allowed) wanted += (wanted.empty() ? "" : " or ") + subject + "/" + reason;
  if (result) return fail("expected Failed " + wanted + ", got success");
  const auto& e = result.error();
  if (!e.is_function()) return fail("expected Failed " + wanted + ", got " + e.describe());
  for (const auto& [subject, reason] : allowed)
    if (e.status == "Failed" && e.subject_code == subject && e.reason_code == reason)
      return pass(e.subject_code + "/" + e.reason_code);
  return fail("expected Failed " + wanted + ", got " + e.status + " " + e.subject_code + "/" + e.reason_code);
}

}  // namespace conformance
