#include "smdp_es2_order.hpp"

#include <atomic>
#include <nlohmann/json.hpp>

#include "rsp/http/tls_identity.hpp"

namespace conformance {
namespace {

using nlohmann::json;

// One ES2+ function; its answer when functionExecutionStatus is Executed-Success.
rsp::Expected<json> es2_call(const Es2Operator& op, const std::string& function, json body) {
  auto answer = es2_request(op, function, std::move(body));
  if (!answer) return rsp::fail(answer.error().message);
  if (!answer->ok()) return rsp::fail("ES2+ " + function + " refused: " + answer->describe());
  return std::move(answer->body);
}

}  // namespace

rsp::Expected<std::optional<Es2Operator>> es2_operator(const Es2OperatorFlags& flags, const std::string& es2_url,
                                                       const std::string& profile_type,
                                                       const rsp::http::ClientOptions& http,
                                                       const std::string& flag_prefix) {
  if (flags.cert.empty() && flags.key.empty() && flags.id.empty()) return std::optional<Es2Operator>();
  if (flags.cert.empty() || flags.key.empty() || flags.id.empty())
    return rsp::fail(flag_prefix + "-cert, " + flag_prefix + "-key and " + flag_prefix + "-id go together");
  auto identity = rsp::http::TlsIdentity::from_pem_files(flags.cert, flags.key);
  if (!identity) return rsp::fail("the credentials of " + flag_prefix + "-cert/-key: " + identity.error().message);
  Es2Operator op;
  op.es2_url = es2_url;
  op.operator_id = flags.id;
  op.profile_type = profile_type;
  op.http = http;
  op.http.client_identity = std::move(*identity);
  return std::optional<Es2Operator>(std::move(op));
}

std::string Es2Answer::describe() const {
  if (http_status != 200) return "HTTP " + std::to_string(http_status);
  return status + (subject_code.empty() ? "" : " " + subject_code + "/" + reason_code);
}

rsp::Expected<Es2Answer> es2_request(const Es2Operator& op, const std::string& function, json body) {
  static std::atomic<int> calls{0};
  auto client = rsp::http::Client::create(op.http);
  if (!client) return rsp::fail(client.error().message);
  body["header"] = {{"functionRequesterIdentifier", op.operator_id},
                    {"functionCallIdentifier", "conformance-" + std::to_string(++calls)}};
  auto answer = client->post(op.es2_url + "/gsma/rsp2/es2plus/" + function, body.dump(),
                             {{"Content-Type", "application/json"}, {"X-Admin-Protocol", "gsma/rsp/v2.5.0"}});
  if (!answer) return rsp::fail("ES2+ " + function + ": " + answer.error().message);
  Es2Answer out;
  out.http_status = answer->status;
  if (answer->status != 200) return out;
  out.body = json::parse(answer->body, nullptr, false);
  if (out.body.is_discarded() || !out.body.is_object())
    return rsp::fail("ES2+ " + function + ": the answer is not a JSON object");
  auto status = out.body.value("/header/functionExecutionStatus"_json_pointer, json::object());
  out.status = status.value("status", "");
  out.subject_code = status.value("/statusCodeData/subjectCode"_json_pointer, "");
  out.reason_code = status.value("/statusCodeData/reasonCode"_json_pointer, "");
  return out;
}

// SGP.22 v2.5 §5.3.1 ES2+.DownloadOrder
rsp::Expected<std::string> download_order(const Es2Operator& op, const std::string& eid) {
  auto ordered = es2_call(op, "downloadOrder", {{"eid", eid}, {"profileType", op.profile_type}});
  if (!ordered) return rsp::fail(ordered.error().message);
  if (!ordered->contains("iccid") || !(*ordered)["iccid"].is_string())
    return rsp::fail("ES2+ downloadOrder: no iccid in the answer");
  return (*ordered)["iccid"].get<std::string>();
}

// SGP.22 v2.5 §5.3.1 ES2+.DownloadOrder, §5.3.2 ES2+.ConfirmOrder
rsp::Expected<std::string> place_order(const Es2Operator& op, const std::string& eid) {
  auto iccid = download_order(op, eid);
  if (!iccid) return rsp::fail(iccid.error().message);
  auto confirmed = es2_call(op, "confirmOrder", {{"iccid", *iccid}, {"eid", eid}, {"releaseFlag", true}});
  if (!confirmed) return rsp::fail(confirmed.error().message);
  if (!confirmed->contains("matchingId") || !(*confirmed)["matchingId"].is_string())
    return rsp::fail("ES2+ confirmOrder: no matchingId in the answer");
  return (*confirmed)["matchingId"].get<std::string>();
}

}  // namespace conformance
