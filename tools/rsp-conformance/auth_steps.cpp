#include "auth_steps.hpp"

#include "rsp/tlv.hpp"

namespace conformance {

rsp::Expected<FirstSteps> first_steps(const SmdpTarget& target) {
  FirstSteps s;
  auto euicc = target.new_euicc();
  if (!euicc) return rsp::fail(euicc.error().message);
  s.euicc = std::move(*euicc);
  auto info1 = ipa::es10b::get_euicc_info1(s.euicc->channel());
  auto challenge = ipa::es10b::get_euicc_challenge(s.euicc->channel());
  if (!info1 || !challenge) return rsp::fail("the harness eUICC did not answer GetEUICCInfo1 / GetEUICCChallenge");
  s.request.euicc_challenge = *challenge;
  s.request.euicc_info1 = *info1;
  s.request.smdp_address = target.address;
  return s;
}

ipa::es10b::AuthenticateServerInput server_input(const ipa::InitiateAuthenticationResponse& answer,
                                                 std::optional<std::string> matching_id) {
  return {.server_signed1 = answer.server_signed1,
          .server_signature1 = answer.server_signature1,
          .euicc_ci_pkid_to_be_used = answer.euicc_ci_pkid_to_be_used,
          .server_certificate = answer.server_certificate,
          .matching_id = std::move(matching_id),
          .tac = ipa::Bytes(4, 0),
          .device_capabilities = {},
          .imei = std::nullopt};
}

ipa::Bytes info1_with_unknown_ci() {
  ipa::Bytes ski = rsp::tlv::encode(0x04, ipa::Bytes(20, 0x5A));
  ipa::Bytes body = rsp::tlv::encode(0x82, ipa::Bytes{2, 5, 0});
  for (rsp::tlv::Tag list : {0xA9u, 0xAAu}) {
    ipa::Bytes l = rsp::tlv::encode(list, ski);
    body.insert(body.end(), l.begin(), l.end());
  }
  return rsp::tlv::encode(0xBF20, body);
}

ipa::Bytes with_altered_euicc_signature1(ipa::ByteView response) {
  // euiccSignature1 ('5F37') follows euiccSigned1 in authenticateResponseOk ('A0').
  auto outer = rsp::tlv::read(response);
  auto ok = outer ? rsp::tlv::find(outer->value, 0xA0) : std::nullopt;
  auto signature = ok ? rsp::tlv::find(ok->value, 0x5F37) : std::nullopt;
  if (!signature || signature->value.empty()) return {};
  ipa::Bytes altered(response.begin(), response.end());
  altered[static_cast<size_t>(signature->value.data() - response.data()) + signature->value.size() - 1] ^= 0x01;
  return altered;
}

}  // namespace conformance
