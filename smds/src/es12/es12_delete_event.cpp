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
  auto found = store_.event(key->eid, key->event_id);
  if (!found) return store_failure().error;
  if (*found && (*found)->smdp == smdp && (*found)->forwarded_to) {
    // Cascaded: gone at the root first (already gone there is as good), else kept here for a retry.
    FunctionStatus at_root =
        settings_.forward_delete
            ? settings_.forward_delete({*(*found)->forwarded_to, key->eid, key->event_id})
            : FunctionStatus::failure(subject::smds, reason::inaccessible, "no client for the root SM-DS");
    if (!at_root.ok() && !(at_root.subject_code == subject::event && at_root.reason_code == reason::unknown)) {
      if (at_root.subject_code == subject::smds && at_root.reason_code == reason::inaccessible) return at_root;
      return rsp::server::refuse(
                 subject::smds, reason::execution_error,
                 "the root SM-DS refused the deletion (" + at_root.subject_code + "/" + at_root.reason_code + ")")
          .error;
    }
  }
  // The conformance harness's delete-other-smdp-event fault deletes the event whoever registered it.
  if (*found && settings_.fault("delete-other-smdp-event")) smdp = (*found)->smdp;
  auto removed = store_.remove_event(key->eid, key->event_id, smdp);
  if (!removed) return store_failure().error;
  if (!*removed)
    return rsp::server::refuse(subject::event, reason::unknown,
                               "No Event identified by the Event ID for the EID exists")
        .error;
  return FunctionStatus::success();
}

}  // namespace smds
