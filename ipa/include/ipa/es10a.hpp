#pragma once
// SGP.22 v2.5 §5.7.3-§5.7.4 ES10a: the addresses the eUICC keeps for the IPA.
#include <optional>
#include <string>

#include "ipa/es10_channel.hpp"

namespace ipa::es10a {

struct EuiccConfiguredAddresses {
  std::optional<std::string> default_dp_address;  // absent when none is set
  std::string root_ds_address;
};

// SGP.22 v2.5 §5.7.3 ES10a.GetEuiccConfiguredAddresses
Es10Expected<EuiccConfiguredAddresses> get_euicc_configured_addresses(Es10Channel& channel);
// SGP.22 v2.5 §5.7.4 ES10a.SetDefaultDpAddress: an empty address removes it. Result codes:
// undefinedError (127).
Es10Status set_default_dp_address(Es10Channel& channel, std::string_view address);

}  // namespace ipa::es10a
