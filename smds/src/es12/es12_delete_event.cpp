#include "es12/es12_request.hpp"
#include "smds/es12.hpp"

namespace smds {

using namespace es12;

// SGP.22 v2.5 §5.9.2 ES12.DeleteEvent
FunctionStatus Es12::delete_event(std::string_view smdp, const nlohmann::json& request) {
  auto key = event_key(request);
  if (!key) return key.error();
  // Another SM-DP+'s event reads as unknown: an SM-DP+ deletes its own Event Records only, and
  // learns nothing of the others'.
  auto removed = store_.remove_event(key->eid, key->event_id, smdp);
  if (!removed) return store_failure().error;
  if (!*removed)
    return rsp::server::refuse(subject::event, reason::unknown, "No Event identified by the Event ID for the EID exists").error;
  return FunctionStatus::success();
}

}  // namespace smds
