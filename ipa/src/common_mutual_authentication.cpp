// SGP.22 v2.5 §3.1.2 Common Mutual Authentication (common_mutual_authentication.hpp).
#include "common_mutual_authentication.hpp"

#include "rsp/tlv.hpp"

namespace ipa {

es10b::AuthenticateServerInput authenticate_server_input(const InitiateAuthenticationResponse& initiated,
                                                         const DeviceInfo& device,
                                                         std::optional<std::string> matching_id) {
  es10b::AuthenticateServerInput input;
  input.server_signed1 = initiated.server_signed1;
  input.server_signature1 = initiated.server_signature1;
  input.euicc_ci_pkid_to_be_used = initiated.euicc_ci_pkid_to_be_used;
  input.server_certificate = initiated.server_certificate;
  input.matching_id = std::move(matching_id);
  input.tac = device.tac;
  input.device_capabilities = device.device_capabilities;
  input.imei = device.imei;
  return input;
}

std::optional<std::string> signed_server_address(ByteView server_signed1) {
  auto outer = rsp::tlv::read(server_signed1);
  auto found = outer ? rsp::tlv::find(outer->value, 0x83) : std::nullopt;
  if (!found) return std::nullopt;
  return std::string(found->value.begin(), found->value.end());
}

}  // namespace ipa
