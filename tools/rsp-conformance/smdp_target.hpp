#pragma once
// What an SM-DP+-role case talks to: the SM-DP+'s ES9+ over HTTPS (the IPA library's client), with
// the harness playing the eUICC (the software eUICC in-process, holding the PKI's eUICC credentials).
#include <filesystem>
#include <memory>
#include <string>

#include "ipa/es10_channel.hpp"
#include "ipa/es9plus_client.hpp"
#include "smdp_es2_order.hpp"

namespace conformance {

// A fresh software eUICC for one case, reached through the IPA's ES10 channel.
class HarnessEuicc {
 public:
  virtual ~HarnessEuicc() = default;
  virtual ipa::Es10Channel& channel() = 0;
  virtual const std::string& eid() const = 0;
};

struct SmdpTarget {
  std::string address;  // the SM-DP+ address as the eUICC names it (no port)
  ipa::Es9ClientOptions options;
  std::filesystem::path pki;
  std::filesystem::path work_dir;  // the harness eUICCs' state directories
  // The next eUICCs' credentials instead of pki's (a case's made-to-order certificates).
  std::optional<std::filesystem::path> euicc_credentials;
  // With operator credentials: cases that need an order place their own; without, they are n/a.
  std::optional<Es2Operator> operator_es2;
  // --operator2-*: a second operator on the same ES2+, for the operator isolation cases.
  std::optional<Es2Operator> operator2_es2;
  // An eUICC with the PKI's credentials, or the reason there is none.
  rsp::Expected<std::unique_ptr<HarnessEuicc>> new_euicc() const;
  rsp::Expected<ipa::Es9PlusClient> client() const { return ipa::Es9PlusClient::create(address, options); }
};

}  // namespace conformance
