#pragma once
// What the card says about itself in EUICCInfo1/EUICCInfo2 (SGP.22 v2.5 §5.7.8) and the SGP.32
// IoT fields; kept in DIR/config.json so testers can shape the card they need. The two addresses
// are the factory's (SGP.22 v2.5 §5.7.3): the card takes them into its state when it is created,
// and from then on ES10a.SetDefaultDpAddress and eUICCMemoryReset change the state's copy only.
#include <cstdint>
#include <string>

#include "rsp/bytes.hpp"

namespace euicc {

struct CardConfig {
  rsp::Bytes svn{2, 5, 0};              // SGP.22 version (EUICCInfo1 svn)
  rsp::Bytes profile_version{2, 3, 1};  // TCA profile package version supported
  rsp::Bytes firmware_version{1, 0, 0};
  rsp::Bytes global_platform_version{2, 3, 1};
  rsp::Bytes pp_version{0, 0, 1};   // protection profile version
  rsp::Bytes iot_version{1, 2, 0};  // SGP.32 version (iotSpecificInfo)
  uint32_t free_non_volatile_memory = 1 << 20;
  uint32_t free_volatile_memory = 32 * 1024;
  uint32_t max_profiles = 8;
  std::string sas_accreditation_number = "OPEN-RSP-TEST";
  std::string certification_data_platform = "software eUICC (test only)";
  std::string default_dp_address;                   // empty: none configured
  std::string root_ds_address = "lpa.ds.gsma.com";  // GSMA's root SM-DS
};

}  // namespace euicc
