// The SM-DP+'s side of ES12 that needs no HTTP: the requests, and DeleteEvent into the outbox.
#include "smdp/smds_event.hpp"

#include <nlohmann/json.hpp>

namespace smdp {

using nlohmann::json;

namespace {

json request_header(std::string_view smdp_address, std::string_view call_id) {
  return {{"functionRequesterIdentifier", smdp_address}, {"functionCallIdentifier", call_id}};
}

}  // namespace

std::optional<SmdsEvent> smds_event_of(const ProfileRecord& profile) {
  if (!profile.smds_address || profile.smds_address->empty() || !profile.eid || !profile.matching_id ||
      profile.matching_id->empty())
    return std::nullopt;
  return SmdsEvent{*profile.smds_address, *profile.eid, *profile.matching_id};
}

std::string es12_url(std::string_view smds_address, std::string_view function) {
  return "https://" + std::string(smds_address) + "/gsma/rsp2/es12/" + std::string(function);
}

bool is_es12_url(std::string_view url) { return url.starts_with("https://") && url.find("/gsma/rsp2/es12/") != std::string_view::npos; }

std::string register_event_body(const SmdsEvent& event, std::string_view smdp_address, std::string_view call_id) {
  return json{{"header", request_header(smdp_address, call_id)},
              {"eid", event.eid},
              {"rspServerAddress", smdp_address},
              {"eventId", event.event_id},
              {"forwardingIndicator", false}}
      .dump();
}

std::string delete_event_body(const SmdsEvent& event, std::string_view smdp_address, std::string_view call_id) {
  return json{{"header", request_header(smdp_address, call_id)}, {"eid", event.eid}, {"eventId", event.event_id}}.dump();
}

// SGP.22 v2.5 §5.9.2 ES12.DeleteEvent
StoreResult<int64_t> queue_delete_event(Store& store, const SmdsEvent& event, std::string_view smdp_address, int64_t now) {
  CallbackRecord record;
  record.operator_id = "smds:" + event.smds_address;  // the outbox's recipient, for its log lines
  record.url = es12_url(event.smds_address, "deleteEvent");
  record.body = delete_event_body(event, smdp_address, "delete-" + event.event_id);
  record.next_attempt = now;
  return store.enqueue_callback(record);
}

}  // namespace smdp
