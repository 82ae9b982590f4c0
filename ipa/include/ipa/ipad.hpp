#pragma once
// The IPAd's poll round (SGP.32 v1.2 §3.1.1, §6.3): the IPA asks its eIM over ESipa for eIM
// Packages, runs them on the eUICC and returns the results, with no user interface.
//   1. the eIM's configuration from the card (ES10b.GetEimConfigurationData): where to poll (eimFqdn)
//      and whom to trust (trustedPublicKeyDataTls when it holds a certificate, else the given CAs);
//   2. results the card still keeps (a report lost when the IPA stopped after executing) go first,
//      with ProvideEimPackageResult; each seqNumber the eIM acknowledges is removed from the card;
//   3. GetEimPackage until noEimPackageAvailable (at most max_packages): an EuiccPackageRequest runs
//      on the card (ES10b.LoadEuiccPackage), an IpaEuiccDataRequest is answered from ES10 calls, a
//      ProfileDownloadTriggerRequest runs an ES9+ download (direct, or relayed by the eIM); each
//      result is provided to the eIM;
//   4. the card's pending profile notifications (ES10b.RetrieveNotificationsList: the enable,
//      disable and delete notifications PSMOs leave, an install result a failed send left) go to
//      their SM-DP+ with ES9+.HandleNotification, or through the eIM (ESipa HandleNotification)
//      when the round downloads through it; each is removed from the card once delivered, a
//      failed one stays for the next round.
// A card that goes away (a REFRESH after an enable or disable PSMO) ends the round with
// card_unreachable; the result it kept is reported by the round after the reconnect.
// One logfmt line per step on stderr (event=esipa ...); identifiers and codes only.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ipa/download.hpp"
#include "ipa/es10_channel.hpp"
#include "ipa/esipa_client.hpp"

namespace ipa {

struct IpadOptions {
  std::optional<std::string> eim_id;       // the eIM to poll; absent: the card's first
  std::optional<std::string> eim_address;  // host[:port] instead of the eimFqdn (lab set-ups)
  // Timeouts, retries, binding, and the CAs used when the eIM's configuration has no certificate.
  EsipaClientOptions esipa;
  DownloadOptions download;  // ES9+ for ProfileDownloadTriggerRequests (the SM-DP+'s CAs)
  // ProfileDownloadTriggerRequests through the eIM (the indirect profile download: the ES9+ steps
  // as ESipa messages in this round's binding, TLS as for ESipa) when the eIM's configuration
  // announces indirectProfileDownload; otherwise, and by default, ES9+ straight to the SM-DP+.
  bool indirect_download = false;
  // With indirect_download: the compact ESipa forms (minimizeEsipaBytes), the eIM rebuilding the
  // full ES9+ messages.
  bool minimize_esipa_bytes = false;
  std::optional<uint16_t> smds_port;  // where the SM-DS listens for contactSmds (lab set-ups)
  int max_packages = 16;              // GetEimPackage calls per round
  int max_notifications = 16;         // profile notifications tried per round; the rest wait
  // Asked between steps: true ends the round after the current step (SIGTERM).
  std::function<bool()> stop_requested;
  bool log = true;  // the logfmt lines on stderr
};

struct PollSummary {
  bool success = false;  // the round ended with noEimPackageAvailable (or stopped) and nothing failed
  std::string eid;
  std::string eim_id;
  std::string eim_address;
  int packages = 0;                       // eIM Packages received and executed
  int euicc_packages = 0;                 // of which EuiccPackageRequests
  int ipa_euicc_data = 0;                 // IpaEuiccDataRequests
  int download_triggers = 0;              // ProfileDownloadTriggerRequests
  int indirect_downloads = 0;             // of which run through the eIM
  int results_reported = 0;               // ProvideEimPackageResult calls the eIM accepted
  int results_removed = 0;                // acknowledged results removed from the card
  int notifications_sent = 0;             // profile notifications delivered and removed from the card
  int notifications_kept = 0;             // left on the card for a later round (failed, or over the bound)
  std::optional<long> eim_package_error;  // the eIM's last eimPackageError (1: nothing to do)
  EsipaBinding binding = EsipaBinding::asn1;
  EsipaTraffic esipa;
  Es9Traffic es9;  // the downloads' ES9+ (and ES11) traffic
  std::vector<std::string> errors;
  bool card_unreachable = false;  // an ES10 transport failure: reconnect the eUICC before the next round

  // "2 packages from eim.example.org (2 results reported; ESipa asn1 1234 bytes out / 2345 in)" or the first error.
  std::string line() const;
};

// One poll round against one eIM. Never throws for protocol failures: they are in the summary.
PollSummary poll_eim(Es10Channel& channel, const IpadOptions& options);

// One pending notification delivered (ipad_notifications.cpp), shared by the round and
// `ipa notification process`.
struct NotificationDelivery {
  bool sent = false;                    // the receiver took it (HTTP 204)
  bool removed = false;                 // and the card dropped it
  std::optional<Es10Error> card_error;  // the removal failed on the card
  std::string error;                    // why it was not sent or not removed; empty when both were
  Es9Traffic es9;
};
// SGP.22 v2.5 §5.6.4 ES9+.HandleNotification to the notification's notificationAddress (or through
// the eIM when `es9` has an ESipa binding and its relay), then §5.7.11 ES10b.RemoveNotificationFromList.
NotificationDelivery deliver_notification(Es10Channel& channel, const es10b::PendingNotification& notification,
                                          const Es9ClientOptions& es9);
// lpac's words for a notification's profileManagementOperation: install, enable, disable, delete.
const char* notification_operation_name(const std::optional<es10b::NotificationEvent>& event);

}  // namespace ipa
