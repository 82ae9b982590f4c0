#pragma once
// Everything a card remembers between power cycles: profiles, pending notifications, counters,
// addresses and eIM configuration. Plain values; card_store.hpp persists them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rsp/bytes.hpp"

namespace euicc {

using rsp::Bytes;

// SGP.22 v2.5 ProfileState / ProfileClass values as they are encoded.
enum class ProfileState : uint8_t { disabled = 0, enabled = 1 };
enum class ProfileClass : uint8_t { test = 0, provisioning = 1, operational = 2 };

// NotificationEvent bit numbers (SGP.22 v2.5 §2.4a / RSPDefinitions NotificationEvent).
enum class NotificationEvent : uint8_t { install = 0, enable = 1, disable = 2, delete_ = 3 };

struct NotificationTarget {
  uint8_t events = 0;   // (1 << n) set = NotificationEvent n wanted
  std::string address;  // SM-DP+ FQDN to send it to
};

struct Profile {
  std::string iccid;  // as printed, without the F padding
  Bytes isdp_aid;
  ProfileState state = ProfileState::disabled;
  ProfileClass profile_class = ProfileClass::operational;
  std::string nickname;
  std::string service_provider_name;
  std::string profile_name;
  std::optional<uint8_t> icon_type;
  Bytes icon;
  Bytes profile_policy_rules;  // pprIds BIT STRING contents, as received
  std::vector<NotificationTarget> notification_configuration;
  Bytes smdp_oid;                   // OID contents of the SM-DP+ that installed it
  Bytes ci_ski;                     // the CI whose eUICC credentials the download used:
                                    // notifications about this profile are signed with them
  Bytes store_metadata;             // the StoreMetadataRequest (BF25) as received
  bool fallback_attribute = false;  // SGP.32 fallback profile
  Bytes usim_sqn_state;             // its USIM's SEQ_MS array (3GPP TS 33.102 Annex C.2) in
                                    // rsp::crypto::SqnState::encode form; empty until the first
                                    // successful AUTHENTICATE: the package's sqnInit applies
};

struct PendingNotification {
  uint32_t seq_number = 0;
  NotificationEvent event = NotificationEvent::install;
  std::string address;
  std::string iccid;
  Bytes notification;  // BF37 ProfileInstallationResult or 30 OtherSignedNotification, signed
};

// SGP.32 v1.2 §2.5 / EimConfigurationData, with the counter the card keeps for replay protection.
struct EimConfiguration {
  std::string eim_id;
  Bytes configuration;         // EimConfigurationData (30 ...) as last set, without counterValue
                               // and associationToken: those two are the members below
  uint64_t counter_value = 0;  // last accepted counterValue
  std::optional<int64_t> association_token;
};

// SGP.32 v1.2 eUICC Package Result, kept until the IPA has delivered it to the eIM and removes it
// (RetrieveNotificationsList with euiccPackageResults, RemoveNotificationFromList).
struct PendingEuiccPackageResult {
  uint32_t seq_number = 0;  // from the notifications' counter (next_seq_number)
  std::string eim_id;
  Bytes result;  // BF51 EuiccPackageResult, signed
};

struct CardState {
  std::vector<Profile> profiles;
  std::vector<PendingNotification> notifications;
  uint32_t next_seq_number = 1;
  std::string default_dp_address;
  std::string root_ds_address = "lpa.ds.gsma.com";
  std::vector<EimConfiguration> eims;
  std::vector<PendingEuiccPackageResult> euicc_package_results;
  int64_t next_association_token = 1;  // SGP.32: tokens handed out by AddInitialEim / addEim
  bool immediate_enable = false;
  Bytes immediate_enable_smdp_oid;                   // SGP.32 ConfigureImmediateProfileEnabling: OID contents
  std::string immediate_enable_smdp_address;         // of the SM-DP+ whose profiles may be enabled at once
  uint32_t next_isdp = 0x10;                         // ISD-P AIDs end in ..89 00 00 xx 00, xx from 0x10
  std::optional<std::string> rollback_iccid;         // SGP.32 rollback target after an eIM enable
  Bytes rollback_package_result;                     // EuiccPackageResultDataSigned (30 ...) of that enable's package
  std::optional<std::string> fallback_return_iccid;  // set while the fallback mechanism is active:
                                                     // the profile to return to ("" = none)
  // The id (hex) of the profile key the profile packages are sealed with (issue 13, finding 10);
  // empty: a state written before sealing, whose packages are sealed at the next start.
  std::string profile_key_id;

  Profile* find_profile(const std::string& iccid);
  Profile* enabled_profile();
};

}  // namespace euicc
