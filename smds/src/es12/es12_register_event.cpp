#include "es12/es12_request.hpp"
#include "rsp/server/server_address.hpp"
#include "smds/es12.hpp"

namespace smds {

using namespace es12;
using rsp::server::refuse;

// SGP.22 v2.5 §5.9.1 ES12.RegisterEvent
FunctionStatus Es12::register_event(std::string_view smdp, const nlohmann::json& request) {
  auto key = event_key(request);
  if (!key) return key.error();
  auto address = rsp::server::mandatory_string(request, "rspServerAddress", subject::smdp_address);
  if (!address) return address.error();
  if (!rsp::server::valid_server_address(*address))
    return refuse(subject::smdp_address, reason::invalid, "rspServerAddress must be an FQDN of at most 255 characters")
        .error;
  auto forwarding = rsp::server::mandatory_bool(request, "forwardingIndicator", subject::event);
  if (!forwarding) return forwarding.error();

  auto count = store_.count_events_for_eid(key->eid);
  if (!count) return store_failure().error;
  if (*count >= settings_.max_events_per_eid)
    return refuse(subject::event, reason::insufficient_memory, "too many Event Records for this EID").error;
  const bool cascade = *forwarding && !settings_.root_smds.empty();
  EventRecord record{key->eid,
                     key->event_id,
                     std::move(*address),
                     std::string(smdp),
                     settings_.now(),
                     cascade ? std::optional(settings_.root_smds) : std::nullopt,
                     0};
  auto added = store_.add_event(record);
  if (!added) return store_failure().error;
  if (!*added && settings_.fault("accept-duplicate-event"))
    return FunctionStatus::success();  // conformance harness fault
  if (!*added)
    return refuse(subject::event, reason::already_in_use, "Event Record already exists (EventID duplicated)").error;
  if (!cascade) return FunctionStatus::success();
  // Held here first, so that a concurrent duplicate is refused; dropped again if the root does not take it.
  FunctionStatus at_root =
      settings_.forward_register
          ? settings_.forward_register({settings_.root_smds, record.eid, record.event_id})
          : FunctionStatus::failure(subject::smds, reason::inaccessible, "no client for the root SM-DS");
  if (at_root.ok()) return FunctionStatus::success();
  if (auto removed = store_.remove_event(record.eid, record.event_id, record.smdp); !removed)
    return store_failure().error;
  if (at_root.subject_code == subject::smds && at_root.reason_code == reason::inaccessible) return at_root;
  return refuse(subject::smds, reason::execution_error,
                "the root SM-DS refused the event (" + at_root.subject_code + "/" + at_root.reason_code + ")")
      .error;
}

}  // namespace smds
