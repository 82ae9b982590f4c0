#pragma once
// Makes the unprotected profile package (TCA eUICC Profile Package v3.3.1, a stream of ProfileElement TLVs) of
// a subscription with one USIM running MILENAGE, and the StoreMetadataRequest (SGP.22 v2.5 §5.5.3) that goes
// with it, for the SM-DP+ inventory, tests and demos. Every input is checked; the package parses with
// rsp::asn1::parse_profile_package. Building odd packages on purpose is profile_elements.hpp's job.
#include <cstdint>
#include <optional>
#include <string>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"

namespace rsp {

// ETSI TS 101 220 Annex E: RID A000000087, application code 1002 (USIM), country code FF49, provider code
// FF0589. The USIM AID of many test cards (sysmoUSIM among them) and the one our card's tests select, so
// terminals and scripts that know those cards find this USIM without being told.
inline const Bytes kDefaultUsimAid = {0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02, 0xFF, 0x49, 0xFF, 0x05, 0x89};

struct ProfileSpec {
  std::string iccid;                 // 18 to 20 digits (a trailing 'F' is dropped)
  std::string imsi;                  // 6 to 15 digits
  Bytes ki;                          // K, 16 bytes
  Bytes opc;                         // OPc, 16 bytes; leave empty when op is given
  std::optional<Bytes> op;           // OP, 16 bytes: then OPc = compute_opc(Ki, OP) (TS 35.206 §4.1)
  Bytes usim_aid = kDefaultUsimAid;  // 7 to 16 bytes, beginning A0000000871002
  unsigned mnc_length = 2;           // EF.AD byte 4: digits of the MNC in the IMSI, 2 or 3
  // EF.UST: services 27 (GSM access) and 38 (GSM security context), so 2G terminals get SRES and Kc too.
  Bytes ef_ust = {0x00, 0x00, 0x00, 0x04, 0x20};
  // sqnDelta; absent: the SAIP default (2^28). Larger lets a network whose SQN is far ahead in at once.
  std::optional<uint64_t> sqn_delta;
  std::string profile_type;  // ProfileHeader profileType, up to 100 bytes; empty: none

  // StoreMetadata only.
  std::string service_provider_name;  // up to 32 bytes
  std::string profile_name;           // up to 64 bytes; empty: the ICCID
  std::string notification_address;   // empty: no notificationConfigurationInfo
  enum class ProfileClass : uint8_t { test = 0, provisioning = 1, operational = 2 };
  ProfileClass profile_class = ProfileClass::operational;
  // An icon the device may show: PNG or JPEG bytes, at most 1024 (iconType is read from the bytes).
  Bytes icon;
  // Profile policy rules (PprIds bits): ppr1 disabling not allowed, ppr2 deletion not allowed.
  bool ppr1_no_disable = false;
  bool ppr2_no_delete = false;
};

// The profile package: ProfileHeader, PE-MF (EF.DIR naming the USIM), PE-USIM, its PE-AKAParameter
// (MILENAGE), PE-End. Errors name the input at fault and never show a key.
Expected<Bytes> make_profile_package(const ProfileSpec& spec);

// SGP.22 v2.5 §5.5.3 StoreMetadataRequest (BF25): iccid (swapped BCD), serviceProviderName, profileName,
// iconType and icon when given, profileClass, with a notification address notificationConfigurationInfo
// for install and delete, and profilePolicyRules when any is set.
Expected<Bytes> make_store_metadata(const ProfileSpec& spec);

// `package` (a ProfileElement stream ending in PE-End) grown to `size` bytes by a PE-NonStandard
// element before PE-End (issuerID 2.999, the example arc): a card keeps it and runs nothing of it.
// For benchmarks of a profile of a given size; smaller sizes leave the package as it is.
Expected<Bytes> pad_profile_package(const Bytes& package, size_t size);

}  // namespace rsp
