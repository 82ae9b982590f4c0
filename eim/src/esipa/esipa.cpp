// The eIM's ESipa entry (SGP.32 v1.2): one EsipaMessageFromIpaToEim, checked against the
// schema, to its function (the indirect profile download in indirect_download.cpp).
#include <EsipaMessageFromEimToIpa.h>
#include <EsipaMessageFromIpaToEim.h>

#include <ctime>

#include "esipa/esipa_internal.hpp"
#include "esipa/indirect_download.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/der_integer.hpp"
#include "rsp/eid.hpp"

namespace eim {

namespace esipa {

EsipaReply answer(EsipaReply reply, Bytes der) {
  if (auto checked = rsp::asn1::decode(asn_DEF_EsipaMessageFromEimToIpa, der); !checked) {
    reply.http_status = 500;
    reply.outcome = "internal-error";
    reply.message = "answer fails the schema: " + checked.error().message();
    return reply;
  }
  reply.der_response = std::move(der);
  return reply;
}

EsipaReply error_answer(EsipaReply reply, rsp::tlv::Tag response_tag, long code) {
  switch (code) {
    case 1: reply.outcome = "noEimPackageAvailable"; break;
    case 2: reply.outcome = "eidNotFound"; break;
    case 3: reply.outcome = "invalidEid"; break;
    case 4: reply.outcome = "missingEid"; break;
    default: reply.outcome = "undefinedError";
  }
  return answer(std::move(reply), rsp::tlv::encode(response_tag, rsp::der::integer(0x02, code)));
}

EsipaReply refusal(std::string function, std::string message) {
  EsipaReply r;
  r.function = std::move(function);
  r.outcome = "malformed";
  r.message = std::move(message);
  r.http_status = 400;
  return r;
}

EsipaReply store_failure(EsipaReply reply, const std::string& what) {
  reply.der_response.clear();
  reply.http_status = 500;
  reply.outcome = "store-error";
  reply.message = what;
  return reply;
}

std::optional<int64_t> integer_value(ByteView v) {
  if (v.empty() || v.size() > 8) return std::nullopt;
  int64_t x = (v[0] & 0x80) ? -1 : 0;
  for (uint8_t b : v) x = static_cast<int64_t>((static_cast<uint64_t>(x) << 8) | b);
  return x;
}

EidOrError eid_of(const std::vector<rsp::tlv::Tlv>& members) {
  constexpr long kInvalidEid = 3, kMissingEid = 4;
  for (const auto& m : members) {
    if (m.tag != 0x5A) continue;
    if (m.value.size() != 16) return {"", kInvalidEid};
    auto digits = rsp::eid::from_bytes(m.value);
    if (!digits || !rsp::eid::valid(*digits)) return {"", kInvalidEid};
    return {*digits, 0};
  }
  return {"", kMissingEid};
}

}  // namespace esipa

namespace {

using esipa::answer;
using esipa::refusal;

// The ESipa functions by the tag of their request.
const char* function_of(rsp::tlv::Tag tag) {
  switch (tag) {
    case 0xBF39: return "InitiateAuthentication";
    case 0xBF3B: return "AuthenticateClient";
    case 0xBF3A: return "GetBoundProfilePackage";
    case 0xBF41: return "CancelSession";
    case 0xBF3D: return "HandleNotification";
    case 0xBF4E: return "TransferEimPackage";
    case 0xBF4F: return "GetEimPackage";
    case 0xBF50: return "ProvideEimPackageResult";
  }
  return "unknown";
}

// SGP.32 v1.2 ESipa.HandleNotification: a result (as ProvideEimPackageResult, no answer
// body) or a profile notification for an SM-DP+.
EsipaReply handle_notification(const esipa::Context& c, const rsp::tlv::Tlv& request) {
  auto inner = rsp::tlv::read(request.value);
  if (!inner) return refusal("HandleNotification", "unreadable HandleNotificationEsipa");
  EsipaReply r;
  if (inner->tag == 0xBF50) {
    r = esipa::provide_eim_package_result(c, *inner);
  } else {
    r = esipa::relay_profile_notification(c, *inner);
  }
  r.function = "HandleNotification";
  r.der_response.clear();
  if (r.http_status == 200) r.http_status = 204;
  return r;
}

}  // namespace

Esipa::Esipa(EimStore& store, EsipaSettings settings) : store_(store), settings_(std::move(settings)) {}

int64_t Esipa::now() const { return settings_.clock ? settings_.clock() : static_cast<int64_t>(std::time(nullptr)); }

EsipaReply Esipa::handle(ByteView der_request) {
  auto outer = rsp::tlv::read(der_request);
  if (!outer || outer->whole.size() != der_request.size()) return refusal("unknown", "not one DER value");
  std::string function = function_of(outer->tag);
  esipa::Context c{store_, settings_, now()};
  auto decoded = rsp::asn1::decode(asn_DEF_EsipaMessageFromIpaToEim, der_request);
  if (!decoded) {
    // A GetEimPackageRequest without a (well-formed) EID fails the schema but has its own answers.
    if (outer->tag == 0xBF4F)
      if (auto r = esipa::get_eim_package(c, *outer, false)) return std::move(*r);
    return refusal(function, decoded.error().message());
  }
  switch (outer->tag) {
    case 0xBF4F:
      // The schema's decoder takes BER; members that are not DER TLVs (an indefinite length) get
      // no answer from get_eim_package.
      if (auto r = esipa::get_eim_package(c, *outer, true)) return std::move(*r);
      return refusal(function, "GetEimPackageRequest members are not DER");
    case 0xBF50: return esipa::provide_eim_package_result(c, *outer);
    case 0xBF3D: return handle_notification(c, *outer);
    case 0xBF39:
    case 0xBF3B:
    case 0xBF3A:
    case 0xBF41: return esipa::indirect_download(c, *outer, function);
  }
  // TransferEimPackageResponse answers a push, and this eIM does not push.
  return refusal(function, "no TransferEimPackageRequest was sent (packages are fetched with GetEimPackage)");
}

}  // namespace eim
