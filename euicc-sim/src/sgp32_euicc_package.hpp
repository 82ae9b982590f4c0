#pragma once
// eUICC Packages (SGP.32 v1.2 §2.11, §5.9.x ES10b.LoadEuiccPackage): a list of PSMOs or eCOs signed
// by an eIM the card is associated with, executed in order and answered with a result the card
// signs, kept until the IPA has delivered it.
#include <optional>

#include "es10_function.hpp"

namespace euicc {

Es10Result load_euicc_package(CardContext& card, const Tlv& request);  // BF51

// The association token as it enters the eIM's and the card's signatures: `84 L value`, the value
// being a DER INTEGER's content bytes (so a token of 128 or more gains a leading 00); no token
// counts as 0 (FACTS §5.3).
Bytes association_token_tlv(std::optional<int64_t> token);

// EuiccPackageResult (BF51) holding EuiccPackageResultSigned: `result_data` (the
// EuiccPackageResultDataSigned, 30 ...) and euiccSignEPR over it and the association token.
Bytes signed_package_result(const CardContext& card, const Credentials& credentials, std::optional<int64_t> token,
                            ByteView result_data);

}  // namespace euicc
