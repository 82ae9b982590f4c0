#pragma once
// The outcome of an ES9+, ES2+, ES11 or ES12 function as SGP.22 v2.5 §6.5.1.4 reports it in
// header.functionExecutionStatus: a status and, on failure, a subject code and a reason code
// (dotted-number strings such as "8.1.1" / "3.8"). The ASN.1 binding of ES9+ maps the same pairs
// to its error enumerations. Shared by the SM-DP+ and the SM-DS.
#include <string>

namespace rsp::server {

struct FunctionStatus {
  enum class Status { executed_success, executed_with_warning, failed, expired };
  Status status = Status::executed_success;
  std::string subject_code;
  std::string reason_code;
  std::string message;  // for people; never secrets or record contents

  bool ok() const { return status == Status::executed_success || status == Status::executed_with_warning; }
  static FunctionStatus success() { return {}; }
  static FunctionStatus failure(std::string subject, std::string reason, std::string message) {
    return {Status::failed, std::move(subject), std::move(reason), std::move(message)};
  }
};

// "Executed-Success", "Executed-WithWarning", "Failed", "Expired".
inline const char* status_text(FunctionStatus::Status s) {
  switch (s) {
    case FunctionStatus::Status::executed_success: return "Executed-Success";
    case FunctionStatus::Status::executed_with_warning: return "Executed-WithWarning";
    case FunctionStatus::Status::failed: return "Failed";
    case FunctionStatus::Status::expired: return "Expired";
  }
  return "Failed";
}

}  // namespace rsp::server
