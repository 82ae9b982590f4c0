#include "smdp_session.hpp"

#include "auth_steps.hpp"
#include "rsp/tlv.hpp"

namespace conformance {

Case smdp_case(std::string id, std::string section, std::string sends, std::string expects,
               Outcome (*run)(SmdpTarget&)) {
  Case c{std::move(id), "smdp", std::move(section), std::move(sends), std::move(expects), {}};
  c.run_smdp = run;
  return c;
}

rsp::Expected<Es9Session> open_session(SmdpTarget& target) {
  auto first = first_steps(target);
  if (!first) return rsp::fail(first.error().message);
  auto client = target.client();
  if (!client) return rsp::fail(client.error().message);
  return Es9Session{std::move(first->euicc), std::move(*client), std::move(first->request)};
}

rsp::Expected<Authenticated> authenticate(SmdpTarget& target, std::optional<std::string> matching_id) {
  auto s = open_session(target);
  if (!s) return rsp::fail(s.error().message);
  return authenticate(target, std::move(*s), std::move(matching_id));
}

rsp::Expected<Authenticated> authenticate(SmdpTarget& target, Es9Session s, std::optional<std::string> matching_id) {
  auto challenge = ipa::es10b::get_euicc_challenge(s.euicc->channel());
  if (!challenge) return rsp::fail("the harness eUICC did not answer GetEUICCChallenge");
  s.request.euicc_challenge = *challenge;
  s.request.smdp_address = target.address;
  auto answer = s.client->initiate_authentication(s.request);
  if (!answer) return rsp::fail("initiateAuthentication: " + answer.error().describe());
  auto response = ipa::es10b::authenticate_server(s.euicc->channel(), server_input(*answer, std::move(matching_id)));
  if (!response || !response->ok())
    return rsp::fail("the harness eUICC refused the SM-DP+'s initiateAuthentication answer");
  return Authenticated{std::move(s), answer->transaction_id, response->tlv};
}

rsp::Expected<Prepared> prepare(Authenticated a) {
  auto answer = a.session.client->authenticate_client(a.transaction_id, a.response);
  if (!answer) return rsp::fail("authenticateClient: " + answer.error().describe());
  auto prepared = ipa::es10b::prepare_download(
      a.session.euicc->channel(),
      {answer->smdp_signed2, answer->smdp_signature2, answer->smdp_certificate, std::nullopt});
  if (!prepared || !prepared->ok())
    return rsp::fail("the harness eUICC refused the SM-DP+'s authenticateClient answer (PrepareDownload)");
  return Prepared{std::move(a), std::move(*answer), prepared->tlv};
}

ipa::Es9Result<ipa::GetBoundProfilePackageResponse> get_package(Prepared& p) {
  return p.authenticated.session.client->get_bound_profile_package(p.authenticated.transaction_id,
                                                                   p.prepare_download_response);
}

rsp::Expected<Prepared> prepare_ordered(SmdpTarget& target, std::string* matching_id_out) {
  if (!target.operator_es2) return rsp::fail(kNeedsOrder);
  auto s = open_session(target);
  if (!s) return rsp::fail(s.error().message);
  auto matching_id = place_order(*target.operator_es2, s->euicc->eid());
  if (!matching_id) return rsp::fail("could not place the order: " + matching_id.error().message);
  if (matching_id_out) *matching_id_out = *matching_id;
  auto a = authenticate(target, std::move(*s), *matching_id);
  if (!a) return rsp::fail(a.error().message);
  return prepare(std::move(*a));
}

rsp::Expected<ipa::es10b::ProfileInstallationResult> install(HarnessEuicc& euicc, ipa::ByteView bpp) {
  auto result = ipa::es10b::load_bound_profile_package(euicc.channel(), bpp);
  if (!result) return rsp::fail("LoadBoundProfilePackage: " + result.error().message);
  if (!result->success)
    return rsp::fail("the eUICC could not install the BPP (bppCommandId " +
                     std::to_string(result->bpp_command_id.value_or(-1)) + ", reason " +
                     std::to_string(result->error_reason.value_or(-1)) + ")");
  return std::move(*result);
}

ipa::Bytes smdp_otpk_of(ipa::ByteView bpp) {
  auto outer = rsp::tlv::read(bpp);
  auto init = outer ? rsp::tlv::find(outer->value, 0xBF23) : std::nullopt;
  auto otpk = init ? rsp::tlv::find(init->value, 0x5F49) : std::nullopt;
  return otpk ? ipa::Bytes(otpk->value.begin(), otpk->value.end()) : ipa::Bytes{};
}

}  // namespace conformance
