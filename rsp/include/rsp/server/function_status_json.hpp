#pragma once
// SGP.22 v2.5 §6.5.1.4: the JSON form of a FunctionStatus, as header.functionExecutionStatus of an
// ES9+/ES2+ response and as notificationPointStatus of ES2+.HandleDownloadProgressInfo.
#include <nlohmann/json.hpp>

#include "rsp/server/function_status.hpp"

namespace rsp::server {

// {"status": "...", "statusCodeData": {"subjectCode", "reasonCode", "message"}?}; statusCodeData
// only when the status is not Executed-Success.
nlohmann::json function_status_json(const FunctionStatus& status);

// {"header": {"functionExecutionStatus": ...}} merged with `payload` (an object) on success; the
// payload is dropped on failure, as a failed function returns no data.
nlohmann::json response_json(const FunctionStatus& status, nlohmann::json payload = nlohmann::json::object());

}  // namespace rsp::server
