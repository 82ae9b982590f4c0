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
    return refuse(subject::smdp_address, reason::invalid, "rspServerAddress must be an FQDN of at most 255 characters").error;
  auto forwarding = rsp::server::mandatory_bool(request, "forwardingIndicator", subject::event);
  if (!forwarding) return forwarding.error();
  if (*forwarding && !settings_.root_smds.empty())
    return refuse(subject::smds, reason::execution_error, "forwarding to the root SM-DS is not implemented").error;

  auto count = store_.count_events_for_eid(key->eid);
  if (!count) return store_failure().error;
  if (*count >= settings_.max_events_per_eid)
    return refuse(subject::event, reason::insufficient_memory, "too many Event Records for this EID").error;
  EventRecord record{key->eid, key->event_id, std::move(*address), std::string(smdp), settings_.now(), 0};
  auto added = store_.add_event(record);
  if (!added) return store_failure().error;
  if (!*added) return refuse(subject::event, reason::already_in_use, "Event Record already exists (EventID duplicated)").error;
  return FunctionStatus::success();
}

}  // namespace smds
