#include "download_relay.hpp"

#include <cstdio>

#include "rsp/bound_profile_package.hpp"
#include "rsp/tlv.hpp"

namespace smdp_bench {

namespace {

using rsp::Bytes;
using rsp::tlv::encode;

std::string refused(const char* step, const smdp::FunctionStatus& s) {
  return std::string(step) + " refused: " + s.subject_code + "/" + s.reason_code + " " + s.message;
}

// One ES10 command (STORE DATA, before chaining) to the card's ISD-R, timed as card work.
rsp::Expected<Bytes> es10(euicc::Euicc& card, rsp::ByteView command, Tally& tally) {
  Stopwatch watch;
  auto answer = card.isdr().store_data(command);
  tally.card.add(watch);
  if (!answer) {
    char sw[8];
    std::snprintf(sw, sizeof sw, "%04X", answer.error());
    return rsp::fail("the card answered status word " + std::string(sw));
  }
  return std::move(*answer);
}

// Times one ES9+ call into the tally of `function`.
template <class Call>
auto at_smdp(Tally& tally, Es9Function function, Call&& call) {
  Stopwatch watch;
  auto result = call();
  tally[function].add(watch);
  return result;
}

// SGP.22 v2.5 §5.7.13 ES10b.AuthenticateServer, with CtxParams1 for a download of `matching_id`
// (deviceInfo: a TAC and no capabilities).
Bytes authenticate_server_command(const smdp::InitiateAuthenticationResponse& initiated,
                                  const std::string& matching_id) {
  Bytes device_info = encode(0xA1, rsp::concat({encode(0x80, Bytes{0x35, 0x29, 0x06, 0x11}), encode(0xA1, Bytes{})}));
  Bytes ctx_params1 = encode(0xA0, rsp::concat({encode(0x80, rsp::to_bytes(matching_id)), device_info}));
  return encode(0xBF38, rsp::concat({initiated.server_signed1, initiated.server_signature1,
                                     initiated.euicc_ci_pkid_to_be_used, initiated.server_certificate, ctx_params1}));
}

// SGP.22 v2.5 §5.7.5 ES10b.PrepareDownload (no confirmation code).
Bytes prepare_download_command(const smdp::AuthenticateClientResponse& authenticated) {
  return encode(
      0xBF21, rsp::concat({authenticated.smdp_signed2, authenticated.smdp_signature2, authenticated.smdp_certificate}));
}

}  // namespace

rsp::Status<> relay_download(Es9Endpoint& smdp, euicc::Euicc& card, const std::string& smdp_address,
                             const std::string& matching_id, Tally& tally) {
  // ES10b.GetEUICCInfo1 and GetEUICCChallenge.
  auto info1 = es10(card, Bytes{0xBF, 0x20, 0x00}, tally);
  if (!info1) return rsp::Unexpected{info1.error()};
  auto challenge_response = es10(card, Bytes{0xBF, 0x2E, 0x00}, tally);
  if (!challenge_response) return rsp::Unexpected{challenge_response.error()};
  auto challenge_tlv = rsp::tlv::read(*challenge_response);
  auto challenge = challenge_tlv ? rsp::tlv::find(challenge_tlv->value, 0x80) : std::nullopt;
  if (!challenge) return rsp::fail("GetEUICCChallenge: no euiccChallenge in the answer");

  auto initiated = at_smdp(tally, Es9Function::initiate_authentication, [&] {
    return smdp.initiate_authentication(
        {Bytes(challenge->value.begin(), challenge->value.end()), *info1, smdp_address});
  });
  if (!initiated) return rsp::fail(refused("initiateAuthentication", initiated.error()));

  auto server_authenticated = es10(card, authenticate_server_command(*initiated, matching_id), tally);
  if (!server_authenticated) return rsp::Unexpected{server_authenticated.error()};
  auto authenticated = at_smdp(tally, Es9Function::authenticate_client, [&] {
    return smdp.authenticate_client({initiated->transaction_id, *server_authenticated});
  });
  if (!authenticated) return rsp::fail(refused("authenticateClient", authenticated.error()));

  auto prepared = es10(card, prepare_download_command(*authenticated), tally);
  if (!prepared) return rsp::Unexpected{prepared.error()};
  auto package = at_smdp(tally, Es9Function::get_bound_profile_package, [&] {
    return smdp.get_bound_profile_package({initiated->transaction_id, *prepared});
  });
  if (!package) return rsp::fail(refused("getBoundProfilePackage", package.error()));
  tally.bpp_bytes = package->bound_profile_package.size();

  auto commands = rsp::bpp::split_for_loading(package->bound_profile_package);
  if (!commands) return rsp::fail("the bound profile package does not split: " + commands.error().message);
  Bytes result;
  for (const auto& command : *commands) {
    auto answer = es10(card, command, tally);
    if (!answer) return rsp::fail("LoadBoundProfilePackage: " + answer.error().message);
    result = std::move(*answer);
  }
  auto result_tlv = rsp::tlv::read(result);
  if (!result_tlv || result_tlv->tag != 0xBF37)
    return rsp::fail("LoadBoundProfilePackage ended without a ProfileInstallationResult");

  auto handled = at_smdp(tally, Es9Function::handle_notification, [&] { return smdp.handle_notification(result); });
  if (!handled.ok()) return rsp::fail(refused("handleNotification", handled));
  return rsp::Ok{};
}

}  // namespace smdp_bench
