#include "smdp_es2_order.hpp"

#include <atomic>
#include <nlohmann/json.hpp>

namespace conformance {
namespace {

using nlohmann::json;

// One ES2+ function; its answer when functionExecutionStatus is Executed-Success.
rsp::Expected<json> es2_call(const rsp::http::Client& client, const Es2Operator& op, const std::string& function, json body) {
  static std::atomic<int> calls{0};
  body["header"] = {{"functionRequesterIdentifier", op.operator_id}, {"functionCallIdentifier", "conformance-" + std::to_string(++calls)}};
  auto answer = client.post(op.es2_url + "/gsma/rsp2/es2plus/" + function, body.dump(),
                            {{"Content-Type", "application/json"}, {"X-Admin-Protocol", "gsma/rsp/v2.5.0"}});
  if (!answer) return rsp::fail("ES2+ " + function + ": " + answer.error().message);
  if (answer->status != 200) return rsp::fail("ES2+ " + function + ": HTTP " + std::to_string(answer->status));
  auto parsed = json::parse(answer->body, nullptr, false);
  if (parsed.is_discarded()) return rsp::fail("ES2+ " + function + ": not JSON");
  auto status = parsed["header"]["functionExecutionStatus"];
  if (status.value("status", "") != "Executed-Success") return rsp::fail("ES2+ " + function + " refused: " + status.dump());
  return parsed;
}

}  // namespace

// SGP.22 v2.5 §5.3.1 ES2+.DownloadOrder, §5.3.2 ES2+.ConfirmOrder
rsp::Expected<std::string> place_order(const Es2Operator& op, const std::string& eid) {
  auto client = rsp::http::Client::create(op.http);
  if (!client) return rsp::fail(client.error().message);
  auto ordered = es2_call(*client, op, "downloadOrder", {{"eid", eid}, {"profileType", op.profile_type}});
  if (!ordered) return rsp::fail(ordered.error().message);
  auto confirmed = es2_call(*client, op, "confirmOrder", {{"iccid", (*ordered)["iccid"]}, {"eid", eid}, {"releaseFlag", true}});
  if (!confirmed) return rsp::fail(confirmed.error().message);
  if (!confirmed->contains("matchingId") || !(*confirmed)["matchingId"].is_string())
    return rsp::fail("ES2+ confirmOrder: no matchingId in the answer");
  return (*confirmed)["matchingId"].get<std::string>();
}

}  // namespace conformance
