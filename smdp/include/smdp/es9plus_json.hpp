#pragma once
// The JSON binding of ES9+ (SGP.22 v2.5 §6.5.2): the request body of
// POST /gsma/rsp2/es9plus/<function> in, the answer out. Base64 fields carry DER, transactionId
// is hex; every answer but handleNotification's is HTTP 200 with header.functionExecutionStatus.
#include <optional>
#include <string>
#include <string_view>

#include "smdp/es9plus.hpp"

namespace smdp {

struct Es9JsonReply {
  int http_status = 200;       // 204 for handleNotification
  std::string body;            // JSON, empty with 204
  FunctionStatus status;       // for logs and metrics
  std::string transaction_id;  // when the request or answer names one, for logs
};

// nullopt for a function name ES9+ does not have (the HTTP layer answers 404).
std::optional<Es9JsonReply> es9plus_json(Es9Plus& es9, std::string_view function, std::string_view body);

}  // namespace smdp
