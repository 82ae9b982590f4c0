// SGP.22 v2.5 §5.7.3-§5.7.4 ES10a.
#include "ipa/es10a.hpp"

#include <EuiccConfiguredAddressesResponse.h>
#include <SetDefaultDpAddressResponse.h>

#include "es10_call.hpp"

namespace ipa::es10a {

using rsp::tlv::encode;

// SGP.22 v2.5 §5.7.3 ES10a.GetEuiccConfiguredAddresses
Es10Expected<EuiccConfiguredAddresses> get_euicc_configured_addresses(Es10Channel& channel) {
  constexpr std::string_view kFunction = "GetEuiccConfiguredAddresses";
  auto answer = detail::call(channel, kFunction, encode(0xBF3C, {}), {&asn_DEF_EuiccConfiguredAddressesResponse});
  if (!answer) return rsp::Unexpected{answer.error()};
  auto top = detail::outer(kFunction, *answer);
  if (!top) return rsp::Unexpected{top.error()};
  EuiccConfiguredAddresses out;
  if (auto dp = rsp::tlv::find(top->value, 0x80))
    out.default_dp_address = std::string(dp->value.begin(), dp->value.end());
  if (auto ds = rsp::tlv::find(top->value, 0x81)) out.root_ds_address = std::string(ds->value.begin(), ds->value.end());
  return out;
}

// SGP.22 v2.5 §5.7.4 ES10a.SetDefaultDpAddress
Es10Status set_default_dp_address(Es10Channel& channel, std::string_view address) {
  return detail::result_function(channel, "SetDefaultDpAddress", encode(0xBF3F, encode(0x80, rsp::to_bytes(address))),
                                 asn_DEF_SetDefaultDpAddressResponse, 0x80, {{127, "undefinedError"}});
}

}  // namespace ipa::es10a
