#include "https_es9.hpp"

#include <nlohmann/json.hpp>

namespace smdp_bench {

namespace {

using nlohmann::json;
using rsp::Bytes;
using smdp::FunctionStatus;

// An exchange that did not give an ES9+ answer, as a refusal of this bench (subject/reason empty).
FunctionStatus transport_failure(const std::string& message) { return FunctionStatus::failure("", "", message); }

// header.functionExecutionStatus of an answer.
FunctionStatus status_of(const json& answer) {
  const json* status = nullptr;
  if (answer.contains("header") && answer["header"].contains("functionExecutionStatus"))
    status = &answer["header"]["functionExecutionStatus"];
  if (!status || !status->is_object()) return transport_failure("the answer has no functionExecutionStatus");
  std::string text = status->value("status", "");
  if (text == "Executed-Success" || text == "Executed-WithWarning") return FunctionStatus::success();
  json codes = status->value("statusCodeData", json::object());
  return FunctionStatus::failure(codes.value("subjectCode", ""), codes.value("reasonCode", ""),
                                 text + " " + codes.value("message", ""));
}

// A base64 field of a successful answer (empty when absent: the relay's next step then fails).
Bytes field(const json& answer, const char* name) {
  return answer.contains(name) && answer[name].is_string()
             ? rsp::from_base64(answer[name].get<std::string>()).value_or(Bytes{})
             : Bytes{};
}

std::string b64(rsp::ByteView bytes) { return rsp::to_base64(bytes); }

}  // namespace

// One ES9+ function: the answer's JSON, or why there is none.
rsp::Expected<json, FunctionStatus> HttpsEs9::call(const std::string& function, const json& body,
                                                   int expected_http_status) {
  rsp::http::Headers headers{{"Content-Type", "application/json"}, {"X-Admin-Protocol", "gsma/rsp/v2.2.2"}};
  std::string url = base_url_ + function;
  auto response = client_.post(url, body.dump(), headers);
  if (!response) return rsp::Unexpected{transport_failure(response.error().message)};
  if (response->new_connection) ++*connections_opened_;
  if (response->status != expected_http_status)
    return rsp::Unexpected{transport_failure("HTTP " + std::to_string(response->status) + " from " + url)};
  if (expected_http_status == 204) return json::object();
  json answer = json::parse(response->body, nullptr, false);
  if (answer.is_discarded()) return rsp::Unexpected{transport_failure("the answer is not JSON")};
  if (auto status = status_of(answer); !status.ok()) return rsp::Unexpected{status};
  return answer;
}

rsp::Expected<HttpsEs9> HttpsEs9::create(const std::string& base_url, const rsp::crypto::Certificate& ci) {
  rsp::http::ClientOptions options;
  options.trusted_cas.push_back(ci);
  auto client = rsp::http::Client::create(options);
  if (!client) return rsp::Unexpected{client.error()};
  return HttpsEs9(std::move(*client), base_url + "/gsma/rsp2/es9plus/");
}

smdp::Es9Result<smdp::InitiateAuthenticationResponse> HttpsEs9::initiate_authentication(
    const smdp::InitiateAuthenticationRequest& request) {
  auto answer = call("initiateAuthentication", {{"smdpAddress", request.smdp_address},
                                                {"euiccChallenge", b64(request.euicc_challenge)},
                                                {"euiccInfo1", b64(request.euicc_info1)}});
  if (!answer) return rsp::Unexpected{answer.error()};
  return smdp::InitiateAuthenticationResponse{answer->value("transactionId", ""), field(*answer, "serverSigned1"),
                                              field(*answer, "serverSignature1"), field(*answer, "euiccCiPKIdToBeUsed"),
                                              field(*answer, "serverCertificate")};
}

smdp::Es9Result<smdp::AuthenticateClientResponse> HttpsEs9::authenticate_client(
    const smdp::AuthenticateClientRequest& request) {
  auto answer = call("authenticateClient", {{"transactionId", request.transaction_id},
                                            {"authenticateServerResponse", b64(request.authenticate_server_response)}});
  if (!answer) return rsp::Unexpected{answer.error()};
  return smdp::AuthenticateClientResponse{answer->value("transactionId", ""), field(*answer, "profileMetadata"),
                                          field(*answer, "smdpSigned2"), field(*answer, "smdpSignature2"),
                                          field(*answer, "smdpCertificate")};
}

smdp::Es9Result<smdp::GetBoundProfilePackageResponse> HttpsEs9::get_bound_profile_package(
    const smdp::GetBoundProfilePackageRequest& request) {
  auto answer = call("getBoundProfilePackage", {{"transactionId", request.transaction_id},
                                                {"prepareDownloadResponse", b64(request.prepare_download_response)}});
  if (!answer) return rsp::Unexpected{answer.error()};
  return smdp::GetBoundProfilePackageResponse{answer->value("transactionId", ""),
                                              field(*answer, "boundProfilePackage")};
}

// The device gets 204 whatever the SM-DP+ made of the notification; only the transport can fail.
FunctionStatus HttpsEs9::handle_notification(rsp::ByteView pending_notification) {
  auto answer = call("handleNotification", {{"pendingNotification", b64(pending_notification)}}, 204);
  return answer ? FunctionStatus::success() : answer.error();
}

}  // namespace smdp_bench
