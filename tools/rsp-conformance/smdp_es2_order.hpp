#pragma once
// The order side of the SM-DP+ role: as the operator (its ES2+ client certificate), a case places
// its own ES2+ DownloadOrder and ConfirmOrder for the harness's eUICC.
#include <filesystem>
#include <optional>
#include <string>

#include "rsp/expected.hpp"
#include "rsp/http/client.hpp"

namespace conformance {

struct Es2Operator {
  std::string es2_url;  // https://HOST:PORT, the SM-DP+'s ES2+ (POST /gsma/rsp2/es2plus/<function>)
  std::string operator_id;
  std::string profile_type = "demo";
  rsp::http::ClientOptions http;  // the CIs trusted and the operator's client identity
};

// SGP.22 v2.5 §5.3.1 ES2+.DownloadOrder then §5.3.2 ES2+.ConfirmOrder (releaseFlag true, the
// SM-DP+ choosing the matchingId) for `eid`: the matchingId to download with.
rsp::Expected<std::string> place_order(const Es2Operator& op, const std::string& eid);

}  // namespace conformance
