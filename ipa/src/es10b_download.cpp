// SGP.22 v2.5 §5.7.5-§5.7.8, §5.7.13-§5.7.14 ES10b: the eUICC's half of a profile download.
#include <AuthenticateServerResponse.h>
#include <CancelSessionResponse.h>
#include <EUICCInfo1.h>
#include <EUICCInfo2.h>
#include <GetEuiccChallengeResponse.h>
#include <PrepareDownloadResponse.h>
#include <ProfileInstallationResult.h>
#include <SGP32-AuthenticateServerResponse.h>
#include <SGP32-CancelSessionResponse.h>
#include <SGP32-EUICCInfo2.h>
#include <SGP32-PrepareDownloadResponse.h>
#include <SGP32-ProfileInstallationResult.h>

#include "es10_call.hpp"
#include "ipa/es10b.hpp"
#include "rsp/bound_profile_package.hpp"
#include "rsp/iccid.hpp"

namespace ipa::es10b {
namespace {

using rsp::tlv::encode;

// A relayed CHOICE answer: `ok_tag` is the success alternative; the error alternative holds its
// code either directly (an INTEGER, tag 81) or as member 02 of a SEQUENCE (tag A1).
Es10Expected<RelayedResponse> relayed(std::string_view function, Bytes answer, rsp::tlv::Tag ok_tag) {
  auto top = detail::outer(function, answer);
  if (!top) return rsp::Unexpected{top.error()};
  RelayedResponse out;
  auto choice = rsp::tlv::read(top->value);
  if (!choice) return rsp::Unexpected{detail::malformed(function, choice.error().message)};
  if (choice->tag != ok_tag) {
    std::optional<long> code;
    if (choice->tag == 0x81)
      code = detail::integer(choice->value);
    else if (auto c = rsp::tlv::find(choice->value, 0x02))
      code = detail::integer(c->value);
    out.error_code = code.value_or(127);
  }
  out.tlv = std::move(answer);
  return out;
}

Es10Expected<Bytes> checked(Es10Channel& channel, std::string_view function, ByteView request,
                            std::initializer_list<const rsp::asn1::Type*> types) {
  return detail::call(channel, function, request, types);
}

}  // namespace

// SGP.22 v2.5 §5.7.8 ES10b.GetEUICCInfo (EUICCInfo1)
Es10Expected<Bytes> get_euicc_info1(Es10Channel& channel) {
  return checked(channel, "GetEUICCInfo1", encode(0xBF20, {}), {&asn_DEF_EUICCInfo1});
}

// SGP.22 v2.5 §5.7.8 ES10b.GetEUICCInfo (EUICCInfo2)
Es10Expected<Bytes> get_euicc_info2(Es10Channel& channel) {
  return checked(channel, "GetEUICCInfo2", encode(0xBF22, {}), {&asn_DEF_EUICCInfo2, &asn_DEF_SGP32_EUICCInfo2});
}

// SGP.22 v2.5 §5.7.7 ES10b.GetEUICCChallenge
Es10Expected<Bytes> get_euicc_challenge(Es10Channel& channel) {
  constexpr std::string_view kFunction = "GetEUICCChallenge";
  auto answer = checked(channel, kFunction, encode(0xBF2E, {}), {&asn_DEF_GetEuiccChallengeResponse});
  if (!answer) return rsp::Unexpected{answer.error()};
  auto top = detail::outer(kFunction, *answer);
  if (!top) return rsp::Unexpected{top.error()};
  auto challenge = rsp::tlv::find(top->value, 0x80);
  if (!challenge) return rsp::Unexpected{detail::malformed(kFunction, "no euiccChallenge")};
  return Bytes(challenge->value.begin(), challenge->value.end());
}

// SGP.22 v2.5 §5.7.13 ES10b.AuthenticateServer
Es10Expected<RelayedResponse> authenticate_server(Es10Channel& channel, const AuthenticateServerInput& input) {
  Bytes device_info = rsp::concat({encode(0x80, input.tac), encode(0xA1, input.device_capabilities),
                                   input.imei ? encode(0x82, *input.imei) : Bytes{}});
  Bytes ctx_params1 =
      encode(0xA0, rsp::concat({input.matching_id ? encode(0x80, rsp::to_bytes(*input.matching_id)) : Bytes{},
                                encode(0xA1, device_info)}));
  return authenticate_server(
      channel, encode(0xBF38, rsp::concat({input.server_signed1, input.server_signature1,
                                           input.euicc_ci_pkid_to_be_used, input.server_certificate, ctx_params1})));
}

Es10Expected<RelayedResponse> authenticate_server(Es10Channel& channel, ByteView request) {
  constexpr std::string_view kFunction = "AuthenticateServer";
  auto answer = checked(channel, kFunction, request,
                        {&asn_DEF_AuthenticateServerResponse, &asn_DEF_SGP32_AuthenticateServerResponse});
  if (!answer) return rsp::Unexpected{answer.error()};
  return relayed(kFunction, std::move(*answer), 0xA0);
}

// SGP.22 v2.5 §5.7.5 ES10b.PrepareDownload
Es10Expected<RelayedResponse> prepare_download(Es10Channel& channel, const PrepareDownloadInput& input) {
  return prepare_download(channel, encode(0xBF21, rsp::concat({input.smdp_signed2, input.smdp_signature2,
                                                               input.hash_cc ? encode(0x04, *input.hash_cc) : Bytes{},
                                                               input.smdp_certificate})));
}

Es10Expected<RelayedResponse> prepare_download(Es10Channel& channel, ByteView request) {
  constexpr std::string_view kFunction = "PrepareDownload";
  auto answer =
      checked(channel, kFunction, request, {&asn_DEF_PrepareDownloadResponse, &asn_DEF_SGP32_PrepareDownloadResponse});
  if (!answer) return rsp::Unexpected{answer.error()};
  return relayed(kFunction, std::move(*answer), 0xA0);
}

// SGP.22 v2.5 §5.7.6 ES10b.LoadBoundProfilePackage
Es10Expected<ProfileInstallationResult> load_bound_profile_package(Es10Channel& channel, ByteView bpp) {
  constexpr std::string_view kFunction = "LoadBoundProfilePackage";
  auto commands = rsp::bpp::split_for_loading(bpp);
  if (!commands)
    return rsp::Unexpected{detail::malformed(kFunction, "the BPP cannot be cut: " + commands.error().message)};
  // The conformance harness's fault oversize-segment: after the first, two parts per command,
  // which SGP.22 v2.5 §2.5.5 does not allow (a card that reads the stream still installs it).
  if (channel.options().oversize_segment_fault)
    for (size_t i = 1; i + 1 < commands->size(); ++i) {
      (*commands)[i].insert((*commands)[i].end(), (*commands)[i + 1].begin(), (*commands)[i + 1].end());
      commands->erase(commands->begin() + static_cast<long>(i) + 1);
    }
  for (size_t i = 0; i < commands->size(); ++i) {
    auto answer = channel.call((*commands)[i]);
    if (!answer) {
      Es10Error error = answer.error();
      error.message = std::string(kFunction) + ": command " + std::to_string(i + 1) + " of " +
                      std::to_string(commands->size()) + ": " + error.message;
      return rsp::Unexpected{std::move(error)};
    }
    if (answer->empty()) continue;  // the card took this part and waits for the next
    // The first answer with data is the ProfileInstallationResult: success at the end, or the error.
    bool valid = rsp::asn1::decode(asn_DEF_ProfileInstallationResult, *answer) ||
                 rsp::asn1::decode(asn_DEF_SGP32_ProfileInstallationResult, *answer);
    if (!valid)
      return rsp::Unexpected{detail::malformed(kFunction, "the card's answer is not a ProfileInstallationResult")};
    ProfileInstallationResult out;
    auto top = detail::outer(kFunction, *answer);
    if (!top) return rsp::Unexpected{top.error()};
    auto data = rsp::tlv::find(top->value, 0xBF27);
    if (!data) return rsp::Unexpected{detail::malformed(kFunction, "no profileInstallationResultData")};
    if (auto metadata = rsp::tlv::find(data->value, 0xBF2F))
      if (auto iccid = rsp::tlv::find(metadata->value, 0x5A))
        out.iccid = rsp::iccid::from_bytes(iccid->value).value_or("");
    auto final_result = rsp::tlv::find(data->value, 0xA2);
    auto success = final_result ? rsp::tlv::find(final_result->value, 0xA0) : std::nullopt;
    auto failure = final_result ? rsp::tlv::find(final_result->value, 0xA1) : std::nullopt;
    if (success) {
      out.success = true;
      if (auto aid = rsp::tlv::find(success->value, 0x4F)) out.isdp_aid.assign(aid->value.begin(), aid->value.end());
    } else if (failure) {
      if (auto id = rsp::tlv::find(failure->value, 0x80)) out.bpp_command_id = detail::integer(id->value);
      if (auto reason = rsp::tlv::find(failure->value, 0x81)) out.error_reason = detail::integer(reason->value);
    } else {
      return rsp::Unexpected{detail::malformed(kFunction, "no finalResult")};
    }
    out.tlv = std::move(*answer);
    return out;
  }
  return rsp::Unexpected{
      detail::malformed(kFunction, "the card took the whole package without a ProfileInstallationResult")};
}

// SGP.22 v2.5 §5.7.14 ES10b.CancelSession
Es10Expected<RelayedResponse> cancel_session(Es10Channel& channel, ByteView transaction_id,
                                             CancelSessionReason reason) {
  constexpr std::string_view kFunction = "CancelSession";
  Bytes request = encode(0xBF41, rsp::concat({encode(0x80, transaction_id),
                                              encode(0x81, detail::integer_contents(static_cast<long>(reason)))}));
  auto answer =
      checked(channel, kFunction, request, {&asn_DEF_CancelSessionResponse, &asn_DEF_SGP32_CancelSessionResponse});
  if (!answer) return rsp::Unexpected{answer.error()};
  return relayed(kFunction, std::move(*answer), 0xA0);
}

}  // namespace ipa::es10b
