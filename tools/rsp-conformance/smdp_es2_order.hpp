#pragma once
// The order side of the SM-DP+ role: as the operator (its ES2+ client certificate), a case places
// its own ES2+ DownloadOrder and ConfirmOrder for the harness's eUICC.
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "rsp/expected.hpp"
#include "rsp/http/client.hpp"

namespace conformance {

struct Es2Operator {
  std::string es2_url;  // https://HOST:PORT, the SM-DP+'s ES2+ (POST /gsma/rsp2/es2plus/<function>)
  std::string operator_id;
  std::string profile_type = "demo";
  rsp::http::ClientOptions http;  // the CIs trusted and the operator's client identity
};

// An operator from its three flags (--operator-cert/-key/-id or --operator2-*: all or none): none
// without them; an error for a partial set (`flags` names them) or unreadable credentials.
struct Es2OperatorFlags {
  std::string cert, key, id;
};
rsp::Expected<std::optional<Es2Operator>> es2_operator(const Es2OperatorFlags& flags, const std::string& es2_url,
                                                       const std::string& profile_type,
                                                       const rsp::http::ClientOptions& http,
                                                       const std::string& flag_prefix);

// One ES2+ function (SGP.22 v2.5 §6.5.2) as `op`, its functionRequesterIdentifier op.operator_id:
// the HTTP status, the body and its functionExecutionStatus; an error only when no answer came.
struct Es2Answer {
  int http_status = 0;
  nlohmann::json body;
  std::string status, subject_code, reason_code;  // functionExecutionStatus
  bool ok() const { return http_status == 200 && status == "Executed-Success"; }
  // "Executed-Success", "Failed 8.2.1/3.5" or "HTTP 403".
  std::string describe() const;
};
rsp::Expected<Es2Answer> es2_request(const Es2Operator& op, const std::string& function, nlohmann::json body);

// SGP.22 v2.5 §5.3.1 ES2+.DownloadOrder of op.profile_type for `eid`: the ICCID reserved.
rsp::Expected<std::string> download_order(const Es2Operator& op, const std::string& eid);

// SGP.22 v2.5 §5.3.1 ES2+.DownloadOrder then §5.3.2 ES2+.ConfirmOrder (releaseFlag true, the
// SM-DP+ choosing the matchingId) for `eid`: the matchingId to download with.
rsp::Expected<std::string> place_order(const Es2Operator& op, const std::string& eid);

}  // namespace conformance
