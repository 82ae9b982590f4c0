// SGP.22 v2.5 §6.5 the JSON binding of ES11 (FACTS §7.1): the ES9+ request members (the address as
// smdpAddress, or smdsAddress as one vendor's client sends it), and eventEntries in the answer.
#include <nlohmann/json.hpp>

#include "es11/es11_status_codes.hpp"
#include "rsp/server/function_status_json.hpp"
#include "rsp/server/request_members.hpp"
#include "rsp/untrusted_json.hpp"
#include "smds/es11_bindings.hpp"

namespace smds {

namespace {

using nlohmann::json;

std::string b64(const rsp::Bytes& b) { return rsp::to_base64(b); }

Es11Reply reply(std::string function, const FunctionStatus& status, json payload, std::string transaction_id) {
  Es11Reply r;
  r.function = std::move(function);
  r.status = status;
  r.transaction_id = std::move(transaction_id);
  r.body = rsp::server::response_json(status, std::move(payload)).dump();
  return r;
}

}  // namespace

std::optional<Es11Reply> es11_json(Es11& es11, std::string_view function_name, std::string_view body) {
  if (function_name != "initiateAuthentication" && function_name != "authenticateClient") return std::nullopt;
  const std::string function(function_name);
  auto parsed = rsp::parse_untrusted_json(body);
  if (!parsed || !parsed->is_object())
    return reply(function,
                 es11_status::malformed("the request body is not a JSON object" +
                                        (parsed ? std::string() : ": " + parsed.error().message)),
                 json::object(), "");
  const json& request = *parsed;
  rsp::server::JsonMembers f{request, es11_status::malformed, std::nullopt};

  if (function == "initiateAuthentication") {
    Es11InitiateAuthenticationRequest in{f.base64("euiccChallenge"), f.base64("euiccInfo1"),
                                         f.text(request.contains("smdsAddress") ? "smdsAddress" : "smdpAddress")};
    if (f.missing) return reply(function, *f.missing, json::object(), "");
    auto r = es11.initiate_authentication(in);
    if (!r) return reply(function, r.error(), json::object(), "");
    return reply(function, FunctionStatus::success(),
                 json{{"transactionId", r->transaction_id},
                      {"serverSigned1", b64(r->server_signed1)},
                      {"serverSignature1", b64(r->server_signature1)},
                      {"euiccCiPKIdToBeUsed", b64(r->euicc_ci_pkid_to_be_used)},
                      {"serverCertificate", b64(r->server_certificate)}},
                 r->transaction_id);
  }
  Es11AuthenticateClientRequest in{f.text("transactionId"), f.base64("authenticateServerResponse")};
  if (f.missing) return reply(function, *f.missing, json::object(), in.transaction_id);
  auto r = es11.authenticate_client(in);
  if (!r) return reply(function, r.error(), json::object(), in.transaction_id);
  json entries = json::array();  // always an array, empty when there is no event (FACTS §7.1)
  for (const auto& e : r->event_entries)
    entries.push_back({{"eventId", e.event_id}, {"rspServerAddress", e.rsp_server_address}});
  return reply(function, FunctionStatus::success(),
               json{{"transactionId", r->transaction_id}, {"eventEntries", std::move(entries)}}, r->transaction_id);
}

}  // namespace smds
