#pragma once
// SGP.22 v2.5 §5.7.5-§5.7.14 ES10b: what the IPA asks the eUICC during a download, and its
// notifications. Objects the IPA relays to the SM-DP+ (EUICCInfo1, AuthenticateServerResponse,
// PrepareDownloadResponse, CancelSessionResponse, ProfileInstallationResult, notifications) come
// back as their DER TLV, checked against the ASN.1, with the error code read out where there is one.
#include <optional>
#include <string>
#include <vector>

#include "ipa/es10_channel.hpp"

namespace ipa::es10b {

// An eUICC response the IPA hands on as it is. `error_code` is set when the card chose the
// function's error alternative (AuthenticateErrorCode, DownloadErrorCode, CancelSession's error):
// the IPA still relays it, and stops the procedure.
struct RelayedResponse {
  Bytes tlv;
  std::optional<long> error_code;
  bool ok() const { return !error_code; }
};

// SGP.22 v2.5 §5.7.8 ES10b.GetEUICCInfo: EUICCInfo1 (BF20), as ES9+ initiateAuthentication carries it.
Es10Expected<Bytes> get_euicc_info1(Es10Channel& channel);
// EUICCInfo2 (BF22); an SGP.32 card's form is accepted too.
Es10Expected<Bytes> get_euicc_info2(Es10Channel& channel);

// SGP.22 v2.5 §5.7.7 ES10b.GetEUICCChallenge: the 16-byte euiccChallenge.
Es10Expected<Bytes> get_euicc_challenge(Es10Channel& channel);

// What the SM-DP+ returned from initiateAuthentication, plus the IPA's own context.
struct AuthenticateServerInput {
  Bytes server_signed1;                    // 30 ServerSigned1, whole TLV
  Bytes server_signature1;                 // 5F37, whole TLV
  Bytes euicc_ci_pkid_to_be_used;          // 04 SubjectKeyIdentifier, whole TLV
  Bytes server_certificate;                // 30 CERT.DPauth, whole TLV
  std::optional<std::string> matching_id;  // from the activation code; absent for SM-DS / default SM-DP+
  Bytes tac = Bytes(4, 0);                 // DeviceInfo.tac (4 bytes)
  Bytes device_capabilities;               // contents of DeviceCapabilities (A1), empty by default
  std::optional<Bytes> imei;               // 8 bytes
};
// SGP.22 v2.5 §5.7.13 ES10b.AuthenticateServer: AuthenticateServerResponse (BF38) for
// authenticateClient. error_code: AuthenticateErrorCode (invalidCertificate 1, invalidSignature 2,
// unsupportedCurve 3, noSessionContext 4, invalidOid 5, euiccChallengeMismatch 6, ciPKUnknown 7, 127).
Es10Expected<RelayedResponse> authenticate_server(Es10Channel& channel, const AuthenticateServerInput& input);
// The same with a request (BF38) built elsewhere.
Es10Expected<RelayedResponse> authenticate_server(Es10Channel& channel, ByteView request);

// What the SM-DP+ returned from authenticateClient, and the confirmation code's hash if one is needed.
struct PrepareDownloadInput {
  Bytes smdp_signed2;            // 30 SmdpSigned2, whole TLV
  Bytes smdp_signature2;         // 5F37, whole TLV
  Bytes smdp_certificate;        // 30 CERT.DPpb, whole TLV
  std::optional<Bytes> hash_cc;  // 32 bytes (rsp/confirmation_code.hpp)
};
// SGP.22 v2.5 §5.7.5 ES10b.PrepareDownload: PrepareDownloadResponse (BF21) for
// getBoundProfilePackage. error_code: DownloadErrorCode (invalidCertificate 1, invalidSignature 2,
// unsupportedCurve 3, noSessionContext 4, invalidTransactionId 5, undefinedError 127).
Es10Expected<RelayedResponse> prepare_download(Es10Channel& channel, const PrepareDownloadInput& input);
Es10Expected<RelayedResponse> prepare_download(Es10Channel& channel, ByteView request);

// The eUICC's ProfileInstallationResult (BF37), for handleNotification, and what it says.
struct ProfileInstallationResult {
  Bytes tlv;
  bool success = false;
  std::optional<long> bpp_command_id;  // errorResult: initialiseSecureChannel 0 .. loadProfileElements 5
  std::optional<long> error_reason;    // errorResult: ErrorReason (incorrectInputValues 1 ... undefinedError 127)
  std::string iccid;                   // from its notificationMetadata, when present
  Bytes isdp_aid;                      // successResult
};
// SGP.22 v2.5 §5.7.6 ES10b.LoadBoundProfilePackage: the BPP (BF36) cut as SGP.22 §2.5.5 says
// (rsp::bpp::split_for_loading), one STORE DATA command each, stopping at the first that answers
// with data. An errorResult is not an Es10Error: the result is returned (and must be relayed); a
// status word, a malformed answer, or a BPP that ends without any result is an Es10Error.
Es10Expected<ProfileInstallationResult> load_bound_profile_package(Es10Channel& channel, ByteView bpp);

// CancelSessionReason (SGP.22 v2.5 §5.7.14).
enum class CancelSessionReason : long {
  endUserRejection = 0,
  postponed = 1,
  timeout = 2,
  pprNotAllowed = 3,
  metadataMismatch = 4,
  loadBppExecutionError = 5,
  undefinedReason = 127,
};
// SGP.22 v2.5 §5.7.14 ES10b.CancelSession: CancelSessionResponse (BF41) for ES9+ cancelSession.
// error_code: invalidTransactionId (5), undefinedError (127).
Es10Expected<RelayedResponse> cancel_session(Es10Channel& channel, ByteView transaction_id, CancelSessionReason reason);

// NotificationEvent bits (SGP.22 v2.5 §5.7.9).
enum class NotificationEvent { install = 0, enable = 1, disable = 2, remove = 3 };

struct NotificationMetadata {
  long seq_number = 0;
  std::optional<NotificationEvent> event;  // the one bit set in profileManagementOperation
  std::string address;                     // notificationAddress: the receiver's FQDN
  std::string iccid;                       // empty when absent
};
// SGP.22 v2.5 §5.7.9 ES10b.ListNotification, optionally only those of one event.
Es10Expected<std::vector<NotificationMetadata>> list_notification(Es10Channel& channel,
                                                                  std::optional<NotificationEvent> event = {});

struct PendingNotification {
  NotificationMetadata metadata;
  Bytes tlv;  // BF37 ProfileInstallationResult or 30 OtherSignedNotification, for handleNotification
};
struct NotificationFilter {
  std::optional<long> seq_number;
  std::optional<NotificationEvent> event;
};
// SGP.22 v2.5 §5.7.10 ES10b.RetrieveNotificationsList (the SGP.32 response form accepted too).
Es10Expected<std::vector<PendingNotification>> retrieve_notifications_list(Es10Channel& channel,
                                                                           const NotificationFilter& filter = {});

// SGP.22 v2.5 §5.7.11 ES10b.RemoveNotificationFromList (NotificationSent). Result codes:
// nothingToDelete (1), undefinedError (127).
Es10Status remove_notification_from_list(Es10Channel& channel, long seq_number);

// SGP.22 v2.5 §5.7.22 ES10b.GetRAT: GetRatResponse (BF43), checked; dump it with rsp::asn1::dump.
Es10Expected<Bytes> get_rat(Es10Channel& channel);

}  // namespace ipa::es10b
