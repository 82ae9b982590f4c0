#include "rsp/server/es12_client.hpp"

#include <nlohmann/json.hpp>

#include "rsp/server/http_json.hpp"

namespace rsp::server {

using nlohmann::json;

Expected<FunctionStatus, Es12CallError> post_es12(const http::Client& client, const std::string& url,
                                                  const std::string& body) {
  http::Headers headers{{"Content-Type", "application/json;charset=UTF-8"}, {"X-Admin-Protocol", kAdminProtocol}};
  auto response = client.post(url, body, std::move(headers));
  if (!response) return Unexpected{Es12CallError{false, response.error().message}};
  if (response->status != 200) return Unexpected{Es12CallError{true, "HTTP " + std::to_string(response->status)}};
  json answer = json::parse(response->body, nullptr, false);
  const json* status = nullptr;
  if (answer.is_object() && answer.contains("header") && answer["header"].is_object() &&
      answer["header"].contains("functionExecutionStatus") && answer["header"]["functionExecutionStatus"].is_object())
    status = &answer["header"]["functionExecutionStatus"];
  if (!status || !status->contains("status") || !(*status)["status"].is_string())
    return Unexpected{Es12CallError{true, "the answer is not an ES12 response"}};
  const std::string text = (*status)["status"];
  if (text == "Executed-Success") return FunctionStatus::success();
  if (text == "Executed-WithWarning") return FunctionStatus{FunctionStatus::Status::executed_with_warning, "", "", ""};
  std::string subject, reason, message;
  if (auto data = status->find("statusCodeData"); data != status->end() && data->is_object()) {
    subject = data->value("subjectCode", "");
    reason = data->value("reasonCode", "");
    message = data->value("message", "");
  }
  return FunctionStatus::failure(subject, reason, message);
}

}  // namespace rsp::server
