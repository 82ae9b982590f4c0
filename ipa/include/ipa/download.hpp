#pragma once
// SGP.22 v2.5 §3.1.3 the profile download, as the IPA drives it: ES10b to the eUICC (es10b.hpp),
// ES9+ to the SM-DP+ (es9plus_client.hpp), from an activation code to the installation result
// sent back and removed from the card. Every failure after the eUICC authenticated the server
// ends the session on both sides (ES10b.CancelSession, then ES9+ cancelSession with the card's
// signed answer). Progress is reported per phase; the end is one result carrying the spec's codes.
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "ipa/es10b.hpp"
#include "ipa/es9plus_client.hpp"
#include "rsp/activation_code.hpp"

namespace ipa {

// The phases, in order; names as lpac reports its progress.
enum class DownloadPhase {
  get_euicc_info,              // "es10b_get_euicc_challenge_and_info"
  initiate_authentication,     // "es9p_initiate_authentication"
  authenticate_server,         // "es10b_authenticate_server"
  authenticate_client,         // "es9p_authenticate_client"
  prepare_download,            // "es10b_prepare_download"
  get_bound_profile_package,   // "es9p_get_bound_profile_package"
  load_bound_profile_package,  // "es10b_load_bound_profile_package"
  handle_notification,         // "es9p_handle_notification" (and ES10b NotificationSent)
  cancel_session,              // "es10b_cancel_session" (and ES9+ cancelSession)
  finished,                    // "finished": the result is there
};
const char* download_phase_name(DownloadPhase phase);

// The device's part of ctxParams1 (SGP.22 v2.5 §4.2 DeviceInfo).
struct DeviceInfo {
  Bytes tac = {0x35, 0x29, 0x06, 0x11};  // 4 bytes
  Bytes device_capabilities;             // contents of DeviceCapabilities ('A1'), none by default
  std::optional<Bytes> imei;             // 8 bytes
};

// What one download did, and where it stopped.
struct DownloadResult {
  bool success = false;
  DownloadPhase failed_phase = DownloadPhase::finished;  // where it stopped, when it did
  std::string transaction_id;                            // hex, once initiateAuthentication answered
  std::string iccid;  // of the installed (or refused) profile, from the card's result
  // The codes, from whichever side refused:
  std::optional<Es9Error> es9_error;     // the SM-DP+'s status, subject and reason code
  std::optional<Es10Error> es10_error;   // the card's status word or result code
  std::optional<long> euicc_error_code;  // AuthenticateErrorCode / DownloadErrorCode the card answered
  std::optional<long> bpp_command_id;    // ProfileInstallationResult errorResult
  std::optional<long> error_reason;
  // The eUICC's signed ProfileInstallationResult (BF37) as it answered, success or error, for
  // whoever else must see it (the eIM, in a ProfileDownloadTriggerResult).
  Bytes profile_installation_result;
  // The session's end after a failure: the reason the card signed, and whether the SM-DP+ took it.
  std::optional<es10b::CancelSessionReason> cancel_reason;
  bool session_cancelled = false;
  // The installation result reached the SM-DP+ and was removed from the card.
  bool notification_sent = false;
  // The address answered initiateAuthentication as an SM-DS (CERT.DSauth): an alternative SM-DS
  // named by an Event Record, whose own events are retrieved over ES11 (SGP.22 v2.5 §3.6.3). The
  // download stopped before the eUICC saw anything.
  bool server_is_smds = false;
  // Traffic of this download.
  uint64_t apdus = 0;
  uint64_t apdu_bytes = 0;  // command and response APDUs, status words included
  // LoadBoundProfilePackage's STORE DATA APDUs, and the fewest the BPP's TLV structure allows at the
  // channel's block size (rsp::bpp::minimum_store_data_apdus); both 0 when no BPP was loaded.
  uint64_t store_data_apdus = 0;
  uint64_t store_data_minimum = 0;
  Es9Traffic es9;
  std::string message;  // the one line for people

  // "installed 8949... (transactionId ..., 123 APDUs, ES9+ 4567 bytes out / 8910 in)" or
  // "failed at es9p_get_bound_profile_package: Failed 8.2.7/3.8 (...); session cancelled (postponed)".
  std::string line() const;
};

struct DownloadEvent {
  DownloadPhase phase;
  const DownloadResult* result = nullptr;  // set for DownloadPhase::finished only
};
using DownloadProgress = std::function<void(const DownloadEvent&)>;

struct DownloadOptions {
  Es9ClientOptions es9;
  DeviceInfo device;
  DownloadProgress progress;  // optional
  // Asked with the profile's metadata ('BF25') before PrepareDownload; false ends the download
  // with CancelSession endUserRejection. Absent: accepted.
  std::function<bool(ByteView profile_metadata)> confirm;
  // The conformance harness's named misbehaviours (ipa --conformance-harness --fault), never set
  // otherwise: "alter-relay" (one bit of what goes from the eUICC to the SM-DP+ flipped where the
  // download still goes on: the eUICC's AuthenticateServer and PrepareDownload refusals and its
  // installation result), "skip-cancel-session" (no ES10b/ES9+ CancelSession after a failure),
  // "remove-notification-early" (the installation result removed from the card before the SM-DP+
  // has it). ipa poll/run (ipad.cpp) take the same set: alter-relay and remove-notification-early
  // there apply to the EuiccPackageResults provided to the eIM, and "wrong-eid" makes GetEimPackage
  // name another EID than the card's.
  std::set<std::string> faults;
};

struct DownloadRequest {
  // The SM-DP+ address and matchingId. An empty matchingId sends ctxParams1 without one
  // (A0 { A1 deviceInfo }, as lpac does): the default SM-DP+ serves the order bound to the EID.
  // After Event Retrieval (event_retrieval.hpp) the matchingId is the event's EventID.
  rsp::ActivationCode activation_code;
  std::optional<std::string> confirmation_code;  // needed when the SM-DP+ sets ccRequiredFlag
};

// Runs the whole download over `channel`. Never throws for protocol failures: they are in the result.
DownloadResult download_profile(Es10Channel& channel, const DownloadRequest& request, const DownloadOptions& options);

}  // namespace ipa
