// SGP.32 v1.2 §6.4.1 the JSON requests of ESipa (IPA -> eIM) as the EsipaMessageFromIpaToEim
// alternatives of the ASN.1 binding, both ways.
#include <EUICCInfo1.h>
#include <EimPackageResult.h>
#include <EsipaMessageFromIpaToEim.h>
#include <ProvideEimPackageResult.h>
#include <SGP32-AuthenticateServerResponse.h>
#include <SGP32-CancelSessionResponse.h>
#include <SGP32-PendingNotification.h>
#include <SGP32-PrepareDownloadResponse.h>

#include <algorithm>

#include "json_body.hpp"
#include "json_members.hpp"
#include "rsp/esipa/esipa_json.hpp"

namespace rsp::esipa {

namespace {

using detail::Form;
using detail::Member;
using nlohmann::json;

// ESipa.InitiateAuthentication
const Member kInitiateAuthentication[] = {
    {.name = "euiccChallenge", .tag = 0x81, .form = Form::contents_base64, .mandatory = true, .size = 16},
    {.name = "smdpAddress", .tag = 0x83, .form = Form::text},
    {.name = "euiccInfo1", .tag = 0xBF20, .form = Form::whole, .type = &asn_DEF_EUICCInfo1},
    {.name = "eimTransactionId", .tag = 0x82, .form = Form::hex},
};
// ESipa.AuthenticateClient
const Member kAuthenticateClient[] = {
    {.name = "transactionId", .tag = 0x80, .form = Form::hex, .mandatory = true},
    {.name = "authenticateServerResponse",
     .tag = 0xBF38,
     .form = Form::whole,
     .mandatory = true,
     .type = &asn_DEF_SGP32_AuthenticateServerResponse},
};
// ESipa.GetBoundProfilePackage
const Member kGetBoundProfilePackage[] = {
    {.name = "transactionId", .tag = 0x80, .form = Form::hex, .mandatory = true},
    {.name = "prepareDownloadResponse",
     .tag = 0xBF21,
     .form = Form::whole,
     .mandatory = true,
     .type = &asn_DEF_SGP32_PrepareDownloadResponse},
};
// ESipa.CancelSession: the eUICC's BF41 is an untagged member, so automatic tagging makes it A1.
const Member kCancelSession[] = {
    {.name = "transactionId", .tag = 0x80, .form = Form::hex, .mandatory = true},
    {.name = "cancelSessionResponse",
     .tag = 0xA1,
     .form = Form::retagged,
     .mandatory = true,
     .type = &asn_DEF_SGP32_CancelSessionResponse,
     .json_tag = 0xBF41},
};
// ESipa.HandleNotification: one of the two.
const Member kHandleNotification[] = {
    {.name = "pendingNotification", .tag = 0xA0, .form = Form::unwrapped, .type = &asn_DEF_SGP32_PendingNotification},
    {.name = "provideEimPackageResult", .tag = 0xBF50, .form = Form::whole, .type = &asn_DEF_ProvideEimPackageResult},
};
// ESipa.GetEimPackage
const Member kGetEimPackageRequest[] = {
    {.name = "eidValue", .tag = 0x5A, .form = Form::eid, .mandatory = true},
    {.name = "notifyStateChange", .tag = 0x80, .form = Form::flag},
    {.name = "stateChangeCause", .tag = 0x81, .form = Form::integer},
    {.name = "rPlmn", .tag = 0x82, .form = Form::contents_base64, .size = 3},
};
// ESipa.ProvideEimPackageResult: the EimPackageResult CHOICE, not the BF50 around it.
const Member kProvideEimPackageResultRequest[] = {
    {.name = "eidValue", .tag = 0x5A, .form = Form::eid},
    {.name = "eimPackageResult", .tag = 0, .form = Form::whole, .mandatory = true, .type = &asn_DEF_EimPackageResult},
};

struct RequestShape {
  tlv::Tag tag;
  detail::Members members;
  bool choice = false;  // the members are exclusive alternatives
};

RequestShape request_shape(Function f) {
  switch (f) {
    case Function::initiate_authentication: return {0xBF39, kInitiateAuthentication};
    case Function::authenticate_client: return {0xBF3B, kAuthenticateClient};
    case Function::get_bound_profile_package: return {0xBF3A, kGetBoundProfilePackage};
    case Function::cancel_session: return {0xBF41, kCancelSession};
    case Function::handle_notification: return {0xBF3D, kHandleNotification, true};
    case Function::get_eim_package: return {0xBF4F, kGetEimPackageRequest};
    case Function::provide_eim_package_result: return {0xBF50, kProvideEimPackageResultRequest};
  }
  return {};
}

constexpr tlv::Tag kProvideEimPackageResultTag = 0xBF50;

// A whole BF50 given as eimPackageResult (as some IPAs send it): taken as the message, with the
// request's eidValue added when the BF50 has none.
std::optional<Expected<Bytes>> whole_provide_eim_package_result(const json& request) {
  auto member = request.find("eimPackageResult");
  if (member == request.end() || !member->is_string()) return std::nullopt;
  auto bytes = from_base64(member->get_ref<const std::string&>());
  auto outer = bytes ? tlv::read(*bytes) : Expected<tlv::Tlv>(fail(""));
  if (!outer || outer->tag != kProvideEimPackageResultTag) return std::nullopt;
  auto checked = detail::check_message(*bytes, asn_DEF_ProvideEimPackageResult, "member eimPackageResult");
  if (!checked) return Expected<Bytes>(Unexpected{checked.error()});
  if (!detail::has_member(request, "eidValue")) return Expected<Bytes>(std::move(*bytes));
  auto eid = detail::members_from_json(request, std::span(kProvideEimPackageResultRequest, 1));
  if (!eid) return eid;
  auto inner = tlv::find(checked->value, 0x5A);
  if (!inner) return Expected<Bytes>(tlv::encode(kProvideEimPackageResultTag, rsp::concat({*eid, checked->value})));
  if (!std::equal(inner->whole.begin(), inner->whole.end(), eid->begin(), eid->end()))
    return Expected<Bytes>(fail("member eidValue differs from the EID inside eimPackageResult"));
  return Expected<Bytes>(std::move(*bytes));
}

}  // namespace

Expected<std::string> request_to_json(ByteView der) {
  return detail::guarded("ESipa request", [&]() -> Expected<std::string> {
    auto f = request_function(der);
    if (!f)
      return fail(
          "not an ESipa request of a function this binding has (InitiateAuthentication ... ProvideEimPackageResult)");
    std::string what = std::string(function_name(*f)) + " request";
    auto outer = detail::check_message(der, asn_DEF_EsipaMessageFromIpaToEim, what);
    if (!outer) return Unexpected{outer.error()};
    json body = json::object();
    if (auto ok = detail::members_to_json(outer->value, request_shape(*f).members, body); !ok)
      return fail(what + ": " + ok.error().message);
    return detail::dump(body);
  });
}

Expected<Bytes> request_from_json(Function f, std::string_view body) {
  std::string what = std::string(function_name(f)) + " request";
  return detail::guarded(what, [&]() -> Expected<Bytes> {
    auto request = detail::parse_object(body, what, /*from_peer=*/true);  // the eIM's side
    if (!request) return Unexpected{request.error()};
    // A getEimPackage without eidValue is the eIM's to answer (missingEid, FACTS §8.3: Failed
    // 8.1.1/2.2), not a body to refuse: it becomes the empty BF4F an ASN.1 IPA would send the same way.
    if (f == Function::get_eim_package && !request->contains("eidValue")) return tlv::encode(0xBF4F, Bytes{});
    RequestShape shape = request_shape(f);
    Expected<Bytes> der = fail("");
    if (auto whole =
            f == Function::provide_eim_package_result ? whole_provide_eim_package_result(*request) : std::nullopt)
      der = std::move(*whole);
    else if (auto contents = shape.choice ? detail::choice_from_json(*request, shape.members, false)
                                          : detail::members_from_json(*request, shape.members))
      der = tlv::encode(shape.tag, *contents);
    else
      der = Unexpected{contents.error()};
    if (!der) return fail(what + ": " + der.error().message);
    if (auto checked = detail::check_message(*der, asn_DEF_EsipaMessageFromIpaToEim, what); !checked)
      return Unexpected{checked.error()};
    return der;
  });
}

}  // namespace rsp::esipa
