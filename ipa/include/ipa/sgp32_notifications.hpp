#pragma once
// SGP.32 v1.2 ES10b.RetrieveNotificationsList with the euiccPackageResults search criterion
// (BF2B { A0 { 82 00 } }): the signed EuiccPackageResults the card keeps until their eIM has
// acknowledged them (then ES10b.RemoveNotificationFromList, es10b.hpp, removes each by seqNumber).
#include <optional>
#include <vector>

#include "ipa/es10_channel.hpp"

namespace ipa::sgp32 {

struct StoredEuiccPackageResult {
  std::optional<long> seq_number;  // from euiccPackageResultDataSigned
  Bytes tlv;                       // BF51, as the card returned it
};
Es10Expected<std::vector<StoredEuiccPackageResult>> retrieve_euicc_package_results(Es10Channel& channel);

}  // namespace ipa::sgp32
