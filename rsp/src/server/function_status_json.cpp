#include "rsp/server/function_status_json.hpp"

namespace rsp::server {

nlohmann::json function_status_json(const FunctionStatus& status) {
  nlohmann::json out = {{"status", status_text(status.status)}};
  if (status.status != FunctionStatus::Status::executed_success) {
    nlohmann::json data = {{"subjectCode", status.subject_code}, {"reasonCode", status.reason_code}};
    if (!status.message.empty()) data["message"] = status.message;
    out["statusCodeData"] = std::move(data);
  }
  return out;
}

nlohmann::json response_json(const FunctionStatus& status, nlohmann::json payload) {
  nlohmann::json out = status.ok() && payload.is_object() ? std::move(payload) : nlohmann::json::object();
  out["header"] = {{"functionExecutionStatus", function_status_json(status)}};
  return out;
}

}  // namespace rsp::server
