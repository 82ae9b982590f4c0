// ES12 calls of the SM-DP+ to SM-DSs over HTTPS (SGP.22 v2.5 §5.9, JSON binding).
#include "smdp/es12_https.hpp"

#include <atomic>
#include <ctime>
#include <nlohmann/json.hpp>

#include "rsp/server/http_json.hpp"

namespace smdp {

namespace {

using nlohmann::json;

rsp::http::Headers es12_headers() {
  return {{"Content-Type", "application/json;charset=UTF-8"}, {"X-Admin-Protocol", rsp::server::kAdminProtocol}};
}

// The functionExecutionStatus of an ES12 answer: its status text, subject and reason ("" if absent);
// nullopt when the answer is not an ES12 response at all.
struct Es12Answer {
  std::string status, subject, reason;
};
std::optional<Es12Answer> answer_of(const rsp::http::ClientResponse& response) {
  if (response.status != 200) return std::nullopt;
  json body = json::parse(response.body, nullptr, false);
  if (!body.is_object() || !body.contains("header") || !body["header"].is_object()) return std::nullopt;
  const json& status = body["header"].value("functionExecutionStatus", json::object());
  if (!status.is_object() || !status.contains("status") || !status["status"].is_string()) return std::nullopt;
  Es12Answer a{status["status"], "", ""};
  if (auto data = status.find("statusCodeData"); data != status.end() && data->is_object()) {
    a.subject = data->value("subjectCode", "");
    a.reason = data->value("reasonCode", "");
  }
  return a;
}

bool executed(const Es12Answer& a) { return a.status == "Executed-Success" || a.status == "Executed-WithWarning"; }

std::string call_id() {
  static std::atomic<uint64_t> count{0};
  return "register-" + std::to_string(std::time(nullptr)) + "-" + std::to_string(++count);
}

}  // namespace

RegisterEvent https_register_event(rsp::http::Client client, std::string smdp_address, std::function<void(const std::string&)> log) {
  return [client = std::move(client), smdp_address = std::move(smdp_address), log = std::move(log)](const SmdsEvent& event) {
    const std::string url = es12_url(event.smds_address, "registerEvent");
    auto response = client.post(url, register_event_body(event, smdp_address, call_id()), es12_headers());
    if (!response) {
      if (log) log("ES12 registerEvent to " + url + ": " + response.error().message);
      return FunctionStatus::failure("8.9", "5.1", "the SM-DS " + event.smds_address + " cannot be reached");
    }
    auto answer = answer_of(*response);
    if (!answer) {
      if (log) log("ES12 registerEvent to " + url + ": HTTP " + std::to_string(response->status));
      return FunctionStatus::failure("8.9", "4.2", "the SM-DS answered HTTP " + std::to_string(response->status));
    }
    if (executed(*answer)) return FunctionStatus::success();
    if (answer->subject == "8.9.5" && answer->reason == "3.3")
      return FunctionStatus::failure("8.9.5", "3.3", "the SM-DS has an Event Record with this event id already");
    return FunctionStatus::failure("8.9", "4.2", "the SM-DS refused the event (" + answer->subject + "/" + answer->reason + ")");
  };
}

CallbackSender::Send https_delete_event_transport(rsp::http::Client client, std::function<void(const std::string&)> log) {
  return [client = std::move(client), log = std::move(log)](const std::string& url, const std::string& body) {
    auto response = client.post(url, body, es12_headers());
    if (!response) {
      if (log) log("ES12 deleteEvent to " + url + ": " + response.error().message);
      return false;
    }
    auto answer = answer_of(*response);
    if (answer && (executed(*answer) || (answer->subject == "8.9.5" && answer->reason == "3.9"))) return true;
    if (log)
      log("ES12 deleteEvent to " + url + ": " +
          (answer ? answer->status + " " + answer->subject + "/" + answer->reason : "HTTP " + std::to_string(response->status)));
    return false;
  };
}

CallbackSender::Send route_outbox(CallbackSender::Send es2, CallbackSender::Send es12) {
  return [es2 = std::move(es2), es12 = std::move(es12)](const std::string& url, const std::string& body) {
    return is_es12_url(url) ? es12(url, body) : es2(url, body);
  };
}

}  // namespace smdp
