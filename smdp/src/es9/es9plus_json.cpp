#include "smdp/es9plus_json.hpp"

#include <nlohmann/json.hpp>

#include "es9_status_codes.hpp"
#include "rsp/tlv.hpp"
#include "rsp/untrusted_json.hpp"
#include "smdp/function_status_json.hpp"

namespace smdp {

namespace {

using nlohmann::json;

// A request field: a string, or the function's refusal naming what is missing.
struct Fields {
  const json& body;
  std::optional<FunctionStatus> missing;

  std::string text(const char* name) {
    auto it = body.find(name);
    if (it != body.end() && it->is_string()) return it->get<std::string>();
    if (!missing)
      missing = es9_status::malformed("8.1", std::string("mandatory element missing or not a string: ") + name);
    return {};
  }
  Bytes base64(const char* name) {
    std::string value = text(name);
    if (missing) return {};
    auto bytes = rsp::from_base64(value);
    if (!bytes) missing = es9_status::malformed("8.1", std::string("not base64: ") + name);
    return bytes.value_or(Bytes{});
  }
};

std::string b64(const Bytes& b) { return rsp::to_base64(b); }

// For the log line: the transactionId of a ProfileInstallationResult (BF37 { BF27 { 80 ... } }).
std::string installation_result_transaction_id(ByteView notification) {
  auto result = rsp::tlv::read(notification);
  if (!result || result->tag != 0xBF37) return {};
  auto data = rsp::tlv::find(result->value, 0xBF27);
  auto id = data ? rsp::tlv::find(data->value, 0x80) : std::nullopt;
  return id ? rsp::to_hex(id->value) : std::string();
}

Es9JsonReply reply(const FunctionStatus& status, json payload, std::string transaction_id) {
  Es9JsonReply r;
  r.status = status;
  r.transaction_id = std::move(transaction_id);
  r.body = response_json(status, std::move(payload)).dump();
  return r;
}

template <class T>
Es9JsonReply answer(const Es9Result<T>& result, const std::string& transaction_id, json (*payload)(const T&)) {
  if (!result) return reply(result.error(), json::object(), transaction_id);
  return reply(FunctionStatus::success(), payload(*result), transaction_id);
}

}  // namespace

std::optional<Es9JsonReply> es9plus_json(Es9Plus& es9, std::string_view function, std::string_view body) {
  if (function != "initiateAuthentication" && function != "authenticateClient" &&
      function != "getBoundProfilePackage" && function != "handleNotification" && function != "cancelSession")
    return std::nullopt;
  auto parsed = rsp::parse_untrusted_json(body);
  if (!parsed || !parsed->is_object())
    return reply(es9_status::malformed("8.1", "the request body is not a JSON object" +
                                                  (parsed ? std::string() : ": " + parsed.error().message)),
                 json::object(), "");
  const json& request = *parsed;
  Fields f{request, std::nullopt};

  if (function == "initiateAuthentication") {
    InitiateAuthenticationRequest in{f.base64("euiccChallenge"), f.base64("euiccInfo1"), f.text("smdpAddress")};
    if (f.missing) return reply(*f.missing, json::object(), "");
    auto r = es9.initiate_authentication(in);
    return answer<InitiateAuthenticationResponse>(
        r, r ? r->transaction_id : "", [](const InitiateAuthenticationResponse& o) {
          return json{{"transactionId", o.transaction_id},
                      {"serverSigned1", b64(o.server_signed1)},
                      {"serverSignature1", b64(o.server_signature1)},
                      {"euiccCiPKIdToBeUsed", b64(o.euicc_ci_pkid_to_be_used)},
                      {"serverCertificate", b64(o.server_certificate)}};
        });
  }
  if (function == "authenticateClient") {
    AuthenticateClientRequest in{f.text("transactionId"), f.base64("authenticateServerResponse")};
    if (f.missing) return reply(*f.missing, json::object(), in.transaction_id);
    return answer<AuthenticateClientResponse>(es9.authenticate_client(in), in.transaction_id,
                                              [](const AuthenticateClientResponse& o) {
                                                return json{{"transactionId", o.transaction_id},
                                                            {"profileMetadata", b64(o.profile_metadata)},
                                                            {"smdpSigned2", b64(o.smdp_signed2)},
                                                            {"smdpSignature2", b64(o.smdp_signature2)},
                                                            {"smdpCertificate", b64(o.smdp_certificate)}};
                                              });
  }
  if (function == "getBoundProfilePackage") {
    GetBoundProfilePackageRequest in{f.text("transactionId"), f.base64("prepareDownloadResponse")};
    if (f.missing) return reply(*f.missing, json::object(), in.transaction_id);
    return answer<GetBoundProfilePackageResponse>(
        es9.get_bound_profile_package(in), in.transaction_id, [](const GetBoundProfilePackageResponse& o) {
          return json{{"transactionId", o.transaction_id}, {"boundProfilePackage", b64(o.bound_profile_package)}};
        });
  }
  if (function == "cancelSession") {
    CancelSessionRequest in{f.text("transactionId"), f.base64("cancelSessionResponse")};
    if (f.missing) return reply(*f.missing, json::object(), in.transaction_id);
    return reply(es9.cancel_session(in), json::object(), in.transaction_id);
  }
  // handleNotification: 204 whatever the outcome (SGP.22 v2.5 §6.5.2.4); the outcome is logged.
  Bytes notification = f.base64("pendingNotification");
  Es9JsonReply r;
  r.http_status = 204;
  r.status = f.missing ? *f.missing : es9.handle_notification(notification);
  r.transaction_id = installation_result_transaction_id(notification);
  return r;
}

}  // namespace smdp
