#pragma once
// SGP.32 v1.2 §5.9 ES10b' (IPA -> eUICC): the functions the IoT eUICC adds, over the same STORE
// DATA channel (FACTS §5.2). eUICC Packages and their results are relayed between eIM and eUICC
// as DER TLVs.
#include <optional>
#include <string>
#include <vector>

#include "ipa/es10_channel.hpp"

namespace ipa::sgp32 {

struct Certs {
  Bytes eum_certificate;    // X.509 DER (tag 30 restored from the response's implicit A5)
  Bytes euicc_certificate;  // X.509 DER (from A6)
};
// SGP.32 v1.2 ES10b.GetCerts, for the CI `euicc_ci_pkid` (20-byte SKI) or the card's default.
// Result codes: invalidCiPKId (1), undefinedError (127).
Es10Expected<Certs> get_certs(Es10Channel& channel, std::optional<Bytes> euicc_ci_pkid = {});

struct EimConfiguration {
  std::string eim_id;
  std::string eim_fqdn;  // empty when absent
  std::optional<long> counter_value;
  std::optional<long> association_token;
  bool indirect_profile_download = false;  // [9]: the eIM relays ES9+ for this eUICC's downloads
  Bytes tlv;                               // the whole EimConfigurationData (30)
};
// SGP.32 v1.2 ES10b.GetEimConfigurationData, all of them or the one with `eim_id`.
Es10Expected<std::vector<EimConfiguration>> get_eim_configuration_data(Es10Channel& channel,
                                                                       std::optional<std::string> eim_id = {});

// SGP.32 v1.2 ES10b.AddInitialEim: each element a whole EimConfigurationData TLV (30). Per eIM, in
// order: its associationToken, or nullopt for addOk. Result codes: insufficientMemory (1),
// associatedEimAlreadyExists (2), ciPKUnknown (3), invalidAssociationToken (5),
// counterValueOutOfRange (6), commandError (7), undefinedError (127).
Es10Expected<std::vector<std::optional<long>>> add_initial_eim(Es10Channel& channel,
                                                               const std::vector<Bytes>& eim_configuration_data);

// SGP.32 v1.2 ES10b.LoadEuiccPackage: the eIM's EuiccPackageRequest (BF51) in, the card's
// EuiccPackageResult (BF51, signed or an error) out, checked, for the eIM.
Es10Expected<Bytes> load_euicc_package(Es10Channel& channel, ByteView euicc_package_request);

struct RollbackResult {
  Bytes euicc_package_result;  // BF51, empty when the card sent none
};
// SGP.32 v1.2 ES10b.ProfileRollback. Result codes (cmdResult): rollbackNotAllowed (1), catBusy (5),
// commandError (7), undefinedError (127).
Es10Expected<RollbackResult> profile_rollback(Es10Channel& channel, bool refresh = false);

struct ImmediateProfileEnabling {
  bool immediate_enable = false;
  std::optional<Bytes> default_smdp_oid;  // OBJECT IDENTIFIER contents
  std::optional<std::string> default_smdp_address;
};
// SGP.32 v1.2 ES10b.ConfigureImmediateProfileEnabling. Result codes: insufficientMemory (1),
// associatedEimAlreadyExists (2), undefinedError (127).
Es10Status configure_immediate_profile_enabling(Es10Channel& channel, const ImmediateProfileEnabling& config);

// SGP.32 v1.2 ES10b.ImmediateEnable. Result codes: immediateEnableNotAvailable (1),
// noSessionContext (4), catBusy (5), undefinedError (127).
Es10Status immediate_enable(Es10Channel& channel, bool refresh = false);

// SGP.32 v1.2 resetOptions bits (BF64; different from SGP.22's BF34 beyond bit 2).
struct MemoryResetOptions {
  bool delete_operational_profiles = false;        // 0
  bool delete_field_loaded_test_profiles = false;  // 1
  bool reset_default_smdp_address = false;         // 2
  bool delete_pre_loaded_test_profiles = false;    // 3
  bool delete_provisioning_profiles = false;       // 4
  bool reset_eim_config_data = false;              // 5
  bool reset_immediate_enable_config = false;      // 6
};
// SGP.32 v1.2 ES10b.eUICCMemoryReset (BF64). Result codes (resetResult): nothingToDelete (1),
// catBusy (5), ecallActive (104), undefinedError (127). The optional per-part results are not read.
Es10Status euicc_memory_reset(Es10Channel& channel, const MemoryResetOptions& options);

}  // namespace ipa::sgp32
