// The SM-DP+'s side of ES12 that needs no HTTP: an order's event, and DeleteEvent into the outbox.
#include "smdp/smds_event.hpp"

namespace smdp {

std::optional<SmdsEvent> smds_event_of(const ProfileRecord& profile) {
  if (!profile.smds_address || profile.smds_address->empty() || !profile.eid || !profile.matching_id ||
      profile.matching_id->empty())
    return std::nullopt;
  return SmdsEvent{*profile.smds_address, *profile.eid, *profile.matching_id};
}

// SGP.22 v2.5 §5.9.2 ES12.DeleteEvent
StoreResult<int64_t> queue_delete_event(Store& store, const SmdsEvent& event, std::string_view smdp_address,
                                        int64_t now) {
  CallbackRecord record;
  record.operator_id = "smds:" + event.smds_address;  // the outbox's recipient, for its log lines
  record.url = es12_url(event.smds_address, "deleteEvent");
  record.body = rsp::server::delete_event_body(event, smdp_address, "delete-" + event.event_id);
  record.next_attempt = now;
  return store.enqueue_callback(record);
}

}  // namespace smdp
