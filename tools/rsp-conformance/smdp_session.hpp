#pragma once
// The ES9+ steps the SM-DP+ role's cases take one at a time (SGP.22 v2.5 §3.1.2, §3.1.3), the
// harness as IPA (the IPA library's ES9+ client) and, in-process, as the eUICC: so that a case can
// stop, repeat or alter any step.
#include <memory>
#include <optional>
#include <string>

#include "auth_steps.hpp"
#include "case.hpp"
#include "ipa/es10b.hpp"
#include "ipa/es9plus_client.hpp"
#include "smdp_target.hpp"

namespace conformance {

// A harness eUICC and an ES9+ client for the SM-DP+ under test.
struct Es9Session {
  std::unique_ptr<HarnessEuicc> euicc;
  std::optional<ipa::Es9PlusClient> client;
  ipa::InitiateAuthenticationRequest request;  // from the eUICC's EUICCInfo1 and challenge
};
rsp::Expected<Es9Session> open_session(SmdpTarget& target);

// After initiateAuthentication and the eUICC's AuthenticateServer: the transactionId and the
// AuthenticateServerResponse ('BF38') for authenticateClient.
struct Authenticated {
  Es9Session session;
  ipa::Bytes transaction_id;
  ipa::Bytes response;
};
rsp::Expected<Authenticated> authenticate(SmdpTarget& target, std::optional<std::string> matching_id);
// The same on an eUICC the case already has (a second session of one device).
rsp::Expected<Authenticated> authenticate(SmdpTarget& target, Es9Session session,
                                          std::optional<std::string> matching_id);

// After authenticateClient and the eUICC's PrepareDownload: the PrepareDownloadResponse ('BF21')
// for getBoundProfilePackage.
struct Prepared {
  Authenticated authenticated;
  ipa::AuthenticateClientResponse answer;
  ipa::Bytes prepare_download_response;
};
rsp::Expected<Prepared> prepare(Authenticated authenticated);

// getBoundProfilePackage with the session's transactionId and PrepareDownloadResponse.
ipa::Es9Result<ipa::GetBoundProfilePackageResponse> get_package(Prepared& p);

// A fresh eUICC for which the case, as the operator, placed an order (DownloadOrder and
// ConfirmOrder), authenticated and prepared; n/a without operator credentials (the error says so).
rsp::Expected<Prepared> prepare_ordered(SmdpTarget& target, std::string* matching_id_out = nullptr);

// The eUICC loads a BPP; the result when it installed the profile, else why not.
rsp::Expected<ipa::es10b::ProfileInstallationResult> install(HarnessEuicc& euicc, ipa::ByteView bpp);

// The otPK.DP a BPP is bound with (BF36 / BF23 InitialiseSecureChannelRequest / '5F49'); empty when absent.
ipa::Bytes smdp_otpk_of(ipa::ByteView bpp);

// An SM-DP+-role case.
Case smdp_case(std::string id, std::string section, std::string sends, std::string expects,
               Outcome (*run)(SmdpTarget&));

// A refusal whose code the ASN.1 binding's error enumeration of the function lacks (SGP.22 v2.5
// §6.6; it answers undefinedError or another value): in JSON one of `allowed`, in ASN.1 any error.
template <class T>
Outcome expect_codes_json(const SmdpTarget& target, const ipa::Es9Result<T>& result,
                          const std::vector<std::pair<std::string, std::string>>& allowed) {
  if (target.options.binding == ipa::Es9Binding::json) return expect_codes(result, allowed);
  if (result) return fail("expected an error answer, got success");
  const auto& e = result.error();
  if (!e.is_function()) return fail("expected an error answer, got " + e.describe());
  return pass(e.subject_code.empty() ? e.message : e.subject_code + "/" + e.reason_code);
}

// The reason a case is not applicable without an order of its own.
inline constexpr const char* kNeedsOrder = "needs an order: give --operator-cert, --operator-key and --operator-id";

}  // namespace conformance
