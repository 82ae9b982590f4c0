#pragma once
// The eUICC role's download steps, the harness as IPA and as the SM-DP+ of --pki: shared by the
// download cases (euicc_download_cases.cpp), the BPP corruption cases and the profile-state cases.
// Everything here leaves a card as it found it: the test profile (kTestIccid) only is installed and
// deleted, and the notifications the harness's sessions cause are removed again.
#include <ctime>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "case.hpp"
#include "ipa/es10b.hpp"
#include "rsp/crypto/certificate.hpp"
#include "rsp/crypto/keys.hpp"
#include "rsp/tlv.hpp"

namespace conformance::download {

using rsp::Bytes;
using rsp::ByteView;

// The test profile's ICCID: a case runs only when the card holds no profile with it.
constexpr const char* kTestIccid = "8999990000000000018";
constexpr const char* kServerAddress = "conformance.smdp.example";

// AuthenticateErrorCode, DownloadErrorCode (RSPDefinitions).
constexpr long kInvalidCertificate = 1, kInvalidSignature = 2, kNoSessionContext = 4, kEuiccChallengeMismatch = 6,
               kCiPkUnknown = 7;
// BppCommandId and ErrorReason (RSPDefinitions).
constexpr long kInitialiseSecureChannel = 0, kConfigureIsdp = 1, kStoreMetadata = 2, kLoadProfileElements = 5;
constexpr long kIncorrectInputValues = 1, kReasonInvalidSignature = 2, kReasonInvalidTransactionId = 3,
               kScp03tStructureError = 7, kScp03tSecurityError = 8;

std::string got(const ipa::Es10Error& e);

// The SM-DP+ credentials of a PKI directory, for one curve.
struct SmdpCredentials {
  rsp::crypto::PrivateKey auth_key, pb_key;
  rsp::crypto::Certificate auth, pb, ci;
  Bytes ci_ski;
  std::filesystem::path pki;
};
rsp::Expected<SmdpCredentials> load_credentials(const std::filesystem::path& pki, rsp::crypto::Curve curve);
// A certificate of `role` for `key`, subject O=rsp-conformance CN=`common_name`, valid from
// `not_before` to `not_after`, issued by `issuer` (null: self-signed) with `issuer_key`.
rsp::Expected<rsp::crypto::Certificate> issue(rsp::crypto::Role role, const std::string& common_name,
                                              const rsp::crypto::PrivateKey& key,
                                              const rsp::crypto::Certificate* issuer,
                                              const rsp::crypto::PrivateKey& issuer_key, time_t not_before,
                                              time_t not_after, std::optional<std::string> registered_id = {});
// The PKI's credentials under a CI the card lists for verification (EUICCInfo1).
rsp::Expected<SmdpCredentials> trusted_credentials(EuiccTarget& t);

// What the card answered to AuthenticateServer and PrepareDownload.
struct Session {
  Bytes transaction_id = Bytes{0xC0, 0x4F, 0x0A, 0x11, 0x00, 0x00, 0x00, 0x01};
  Bytes server_challenge = Bytes(16, 0x5C);
  Bytes euicc_signature1;  // 5F37 TLV
  Bytes euicc_otpk;        // 04||X||Y
  std::string eid;
};

// How a case alters the SM-DP+'s messages.
struct Tamper {
  bool server_signature1 = false;
  bool euicc_challenge = false;
  const SmdpCredentials* foreign_auth = nullptr;  // CERT.DPauth (and its CI) from another PKI
  bool smdp_signature2 = false;
  std::optional<Bytes> dp_auth_der;                      // sent as CERT.DPauth instead of the PKI's
  std::optional<Bytes> dp_pb_der;                        // sent as CERT.DPpb instead of the PKI's
  const rsp::crypto::PrivateKey* pb_signer = nullptr;    // signs smdpSigned2 instead of the dp-pb key
  const rsp::crypto::PrivateKey* auth_signer = nullptr;  // signs serverSigned1 instead of the dp-auth key
  std::optional<Bytes> smdp_signed2_transaction_id;      // smdpSigned2 names this transactionId
  bool replayed = false;  // AuthenticateServerRequest sent twice: the second answer counts
};

void flip_last(Bytes& tlv);
std::optional<rsp::tlv::Tlv> child(ByteView tlv, std::initializer_list<rsp::tlv::Tag> path);

// SGP.22 v2.5 §5.7.13 ES10b.AuthenticateServer with the SM-DP+'s serverSigned1 (§3.1.2), after a
// GetEUICCChallenge on the same channel.
ipa::Es10Expected<ipa::es10b::RelayedResponse> authenticate(ipa::Es10Channel& channel, const SmdpCredentials& dp,
                                                            Session& s, const Tamper& tamper);
ipa::Es10Expected<ipa::es10b::RelayedResponse> authenticate(EuiccTarget& t, const SmdpCredentials& dp, Session& s,
                                                            const Tamper& tamper);
// The card's AuthenticateServerResponse checked as the SM-DP+ checks it (§3.1.2): its chain under
// the CI of `dp`, euiccSignature1 and the session's values; the EID on success.
rsp::Expected<std::string> verify_euicc(const SmdpCredentials& dp, const Session& s,
                                        ByteView authenticate_server_response);
// SGP.22 v2.5 §5.7.5 ES10b.PrepareDownload: smdpSignature2 covers smdpSigned2 and euiccSignature1.
ipa::Es10Expected<ipa::es10b::RelayedResponse> prepare(EuiccTarget& t, const SmdpCredentials& dp, Session& s,
                                                       const Tamper& tamper);

// The test profile: its unprotected profile package and StoreMetadataRequest (BF25).
struct TestProfile {
  Bytes profile_package, store_metadata;
};
rsp::Expected<TestProfile> test_profile();

bool test_profile_present(EuiccTarget& t);
// The notifications this harness caused: installation results (to its SM-DP+ address, with or
// without an ICCID) and those of the test profile.
void remove_test_notifications(EuiccTarget& t);
// Deletes the test profile a case installed; a failure to delete is the message.
std::optional<std::string> delete_test_profile(EuiccTarget& t);
// Not applicable without --pki, or (for `destructive` cases) without --destructive or when the card
// already holds the test ICCID.
std::optional<Outcome> preconditions(EuiccTarget& t, bool destructive);

// --pki's trusted credentials and the card's authenticateResponseOk to a valid AuthenticateServer
// for `s`; or the outcome that ends the case (n/a without --pki or a CI the card trusts).
struct Authenticated {
  SmdpCredentials dp;
  ipa::es10b::RelayedResponse answer;
};
std::variant<Authenticated, Outcome> authenticated(EuiccTarget& t, Session& s);

// An altered AuthenticateServerRequest: authenticateResponseError with one of `codes`.
Outcome authenticate_error(EuiccTarget& t, const Tamper& tamper, std::vector<long> codes, const std::string& expected);
// A valid AuthenticateServer, then an altered PrepareDownloadRequest: downloadResponseError with
// one of `codes`; the session is cancelled after.
Outcome prepare_error(EuiccTarget& t, const Tamper& tamper, std::vector<long> codes, const std::string& expected);

// Builds the BPP the card is sent, from the session (its otPK, EID, transactionId).
using BppMaker = std::function<rsp::Expected<Bytes>(const SmdpCredentials&, const Session&)>;

// A download up to the BPP, then its load: the installation result, or the outcome that ends the case.
struct Loaded {
  std::optional<Outcome> ended;
  ipa::es10b::ProfileInstallationResult result;
  Session session;
};
Loaded download(EuiccTarget& t, const SmdpCredentials& dp, const BppMaker& make);

// SGP.22 v2.5 §5.7.6 ES10b.LoadBoundProfilePackage with the BPP `make` builds: an errorResult whose
// bppCommandId is one of `commands` and errorReason one of `reasons`, no profile left, the session
// ended. `expected` says it in words.
Outcome load_error(EuiccTarget& t, const BppMaker& make, const std::set<long>& commands, const std::set<long>& reasons,
                   const std::string& expected);

// The whole test download with the test profile installed (--destructive): `body` runs with it on
// the card, then the profile is deleted (disabled first if needed) and every notification the case
// caused is removed. Cleanup failures fail the case.
Outcome with_test_profile(EuiccTarget& t, const std::function<Outcome()>& body);

}  // namespace conformance::download
