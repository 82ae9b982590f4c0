// SGP.32 v1.2 §6.4.1 the eIM's JSON answers on ESipa as the EsipaMessageFromEimToIpa alternatives of
// the ASN.1 binding, both ways; error values and status codes by status_codes.hpp.
#include <BoundProfilePackage.h>
#include <Certificate.h>
#include <CtxParams1.h>
#include <EimAcknowledgements.h>
#include <EsipaMessageFromEimToIpa.h>
#include <EuiccPackageRequest.h>
#include <IpaEuiccDataRequest.h>
#include <OCTET_STRING.h>
#include <Octet32.h>
#include <ProfileDownloadTriggerRequest.h>
#include <SGP32-StoreMetadataRequest.h>
#include <ServerSigned1.h>
#include <SmdpSigned2.h>

#include "json_body.hpp"
#include "json_members.hpp"
#include "rsp/der_integer.hpp"
#include "rsp/esipa/esipa_json.hpp"
#include "rsp/server/function_status_json.hpp"
#include "status_codes.hpp"

namespace rsp::esipa {

namespace {

using detail::Form;
using detail::Member;
using nlohmann::json;
using server::FunctionStatus;

// InitiateAuthenticationOkEsipa
const Member kInitiateAuthenticationOk[] = {
    {.name = "transactionId", .tag = 0x80, .form = Form::hex},
    {.name = "serverSigned1", .tag = 0x30, .form = Form::whole, .mandatory = true, .type = &asn_DEF_ServerSigned1},
    {.name = "serverSignature1", .tag = 0x5F37, .form = Form::signature, .mandatory = true},
    {.name = "euiccCiPKIdentifierToBeUsed",
     .tag = 0x04,
     .form = Form::whole,
     .mandatory = true,
     .type = &asn_DEF_OCTET_STRING},
    {.name = "serverCertificate", .tag = 0x30, .form = Form::whole, .mandatory = true, .type = &asn_DEF_Certificate},
    {.name = "matchingId", .tag = 0x0C, .form = Form::text},
    // No source shows this member's JSON form: the explicit [2]'s whole TLV, the bare CtxParams1 accepted.
    {.name = "ctxParams1", .tag = 0xA2, .form = Form::explicit_whole, .type = &asn_DEF_CtxParams1},
};
// AuthenticateClientOkDPEsipa only (FACTS §8.2: no known JSON for the SM-DS arm)
const Member kAuthenticateClientOkDP[] = {
    {.name = "transactionId", .tag = 0x80, .form = Form::hex},
    {.name = "profileMetadata", .tag = 0xBF25, .form = Form::whole, .type = &asn_DEF_SGP32_StoreMetadataRequest},
    {.name = "smdpSigned2", .tag = 0x30, .form = Form::whole, .mandatory = true, .type = &asn_DEF_SmdpSigned2},
    {.name = "smdpSignature2", .tag = 0x5F37, .form = Form::signature, .mandatory = true},
    {.name = "smdpCertificate", .tag = 0x30, .form = Form::whole, .mandatory = true, .type = &asn_DEF_Certificate},
    {.name = "hashCc", .tag = 0x04, .form = Form::whole, .type = &asn_DEF_Octet32},
};
// GetBoundProfilePackageOkEsipa
const Member kGetBoundProfilePackageOk[] = {
    {.name = "transactionId", .tag = 0x80, .form = Form::hex},
    {.name = "boundProfilePackage",
     .tag = 0xBF36,
     .form = Form::whole,
     .mandatory = true,
     .type = &asn_DEF_BoundProfilePackage},
};
// GetEimPackageResponse: exactly one alternative; eimPackageError 1 (noEimPackageAvailable) is a member.
const Member kGetEimPackageResponse[] = {
    {.name = "euiccPackageRequest", .tag = 0xBF51, .form = Form::whole, .type = &asn_DEF_EuiccPackageRequest},
    {.name = "ipaEuiccDataRequest", .tag = 0xBF52, .form = Form::whole, .type = &asn_DEF_IpaEuiccDataRequest},
    {.name = "profileDownloadTriggerRequest",
     .tag = 0xBF54,
     .form = Form::whole,
     .type = &asn_DEF_ProfileDownloadTriggerRequest},
    {.name = "eimPackageError", .tag = 0x02, .form = Form::integer},
};
// ProvideEimPackageResultResponse: eimAcknowledgements, or nothing for emptyResponse ('30 00').
const Member kProvideEimPackageResultResponse[] = {
    {.name = "eimAcknowledgements", .tag = 0xBF53, .form = Form::whole, .type = &asn_DEF_EimAcknowledgements},
};
constexpr uint8_t kEmptyResponse[] = {0x30, 0x00};

struct ResponseShape {
  tlv::Tag tag;
  tlv::Tag ok_tag;  // the Ok SEQUENCE's tag; 0: the CHOICE's alternatives are the members
  detail::Members members;
  tlv::Tag error_tag;
};

ResponseShape response_shape(Function f) {
  switch (f) {
    case Function::initiate_authentication: return {0xBF39, 0xA0, kInitiateAuthenticationOk, 0x81};
    case Function::authenticate_client: return {0xBF3B, 0xA0, kAuthenticateClientOkDP, 0x82};
    case Function::get_bound_profile_package: return {0xBF3A, 0xA0, kGetBoundProfilePackageOk, 0x81};
    case Function::cancel_session: return {0xBF41, 0xA0, {}, 0x81};
    case Function::get_eim_package: return {0xBF4F, 0, kGetEimPackageResponse, 0x02};
    case Function::provide_eim_package_result: return {0xBF50, 0, kProvideEimPackageResultResponse, 0x02};
    case Function::handle_notification: break;
  }
  return {};
}

constexpr long kNoEimPackageAvailable = 1;

std::string failure_text(const FunctionStatus& s) {
  std::string text = "Failed " + s.subject_code + "/" + s.reason_code;
  return s.message.empty() ? text : text + " (" + s.message + ")";
}

Expected<Bytes> from_json(Function f, const json& answer) {
  auto status = detail::read_status(answer);
  if (!status) return Unexpected{status.error()};
  ResponseShape shape = response_shape(f);
  // A failed function carries no data: its members, if any, are not read.
  if (!status->ok())
    return tlv::encode(
        shape.tag, der::integer(shape.error_tag, detail::error_value(f, status->subject_code, status->reason_code)));
  if (shape.ok_tag == 0) {
    auto alternative = detail::choice_from_json(answer, shape.members, f == Function::provide_eim_package_result);
    if (!alternative) return alternative;
    return tlv::encode(
        shape.tag, alternative->empty() ? Bytes(std::begin(kEmptyResponse), std::end(kEmptyResponse)) : *alternative);
  }
  if (f == Function::authenticate_client && !detail::has_member(answer, "smdpSigned2") &&
      detail::has_member(answer, "profileDownloadTrigger"))
    return fail("the SM-DS arm of authenticateClient has no known JSON form (only the SM-DP+ arm is translated)");
  auto contents = detail::members_from_json(answer, shape.members);
  if (!contents) return contents;
  return tlv::encode(shape.tag, tlv::encode(shape.ok_tag, *contents));
}

Expected<json> to_json(Function f, const tlv::Tlv& outer) {
  ResponseShape shape = response_shape(f);
  auto alternative = tlv::read(outer.value);
  if (!alternative) return fail(alternative.error().message);
  json payload = json::object();
  if (alternative->tag == shape.error_tag) {
    long value = detail::integer_value(alternative->value).value_or(detail::kUndefinedError);
    if (!(f == Function::get_eim_package && value == kNoEimPackageAvailable))
      return server::response_json(detail::failure_for(f, value));
  }
  if (shape.ok_tag == 0) {
    if (auto ok = detail::members_to_json(outer.value, shape.members, payload); !ok) return Unexpected{ok.error()};
  } else if (alternative->tag != shape.ok_tag) {
    return fail(
        "the SM-DS arm (AuthenticateClientOkDSEsipa) has no known JSON form; only the SM-DP+ arm is translated");
  } else if (auto ok = detail::members_to_json(alternative->value, shape.members, payload); !ok) {
    return Unexpected{ok.error()};
  }
  return server::response_json(FunctionStatus::success(), std::move(payload));
}

}  // namespace

Expected<Bytes> response_from_json(Function f, std::string_view body) {
  std::string what = std::string(function_name(f)) + " answer";
  return detail::guarded(what, [&]() -> Expected<Bytes> {
    // handleNotification: 204 without a body, or a body whose header may say Failed.
    if (f == Function::handle_notification && body.find_first_not_of(" \t\r\n") == std::string_view::npos)
      return Bytes{};
    auto answer = detail::parse_object(body, what);
    if (!answer) return Unexpected{answer.error()};
    if (f == Function::handle_notification) {
      auto status = detail::read_status(*answer);
      if (!status) return fail(what + ": " + status.error().message);
      if (!status->ok()) return fail(what + ": " + failure_text(*status));
      return Bytes{};
    }
    auto der = from_json(f, *answer);
    if (!der) return fail(what + ": " + der.error().message);
    if (auto checked = detail::check_message(*der, asn_DEF_EsipaMessageFromEimToIpa, what); !checked)
      return Unexpected{checked.error()};
    return der;
  });
}

Expected<std::string> response_to_json(Function f, ByteView der) {
  std::string what = std::string(function_name(f)) + " answer";
  return detail::guarded(what, [&]() -> Expected<std::string> {
    if (f == Function::handle_notification) {
      if (!der.empty())
        return fail(what + ": handleNotification has no answer message, but " + std::to_string(der.size()) +
                    " bytes came");
      return std::string();
    }
    auto outer = detail::check_message(der, asn_DEF_EsipaMessageFromEimToIpa, what);
    if (!outer) return Unexpected{outer.error()};
    if (outer->tag != response_shape(f).tag)
      return fail(what + ": the message (tag " + to_hex(tlv::encode_tag(outer->tag)) + ") is not this function's");
    auto body = to_json(f, *outer);
    if (!body) return fail(what + ": " + body.error().message);
    return detail::dump(*body);
  });
}

}  // namespace rsp::esipa
