#pragma once
// The Event Record this SM-DP+ registers at an SM-DS for an order confirmed with an smdsAddress
// (SGP.22 v2.5 §5.3.2, ES12 §5.9): the EID, the order's matchingId as event id, and this SM-DP+'s
// address. RegisterEvent runs before ConfirmOrder answers; DeleteEvent, when the profile is
// installed or the order cancelled, goes through the store's outbox and is retried in the
// background like the ES2+ callbacks.
//
// smdsAddress is an FQDN, or "host:port" for test set-ups (the SM-DS on another port than 443).
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "rsp/server/es12_messages.hpp"
#include "smdp/function_status.hpp"
#include "smdp/store.hpp"

namespace smdp {

// smds_address (host or host:port), eid, event_id (the order's matchingId).
using SmdsEvent = rsp::server::Es12Event;
using rsp::server::es12_url;
using rsp::server::is_es12_url;

// SGP.22 v2.5 §5.9.1 ES12.RegisterEvent as ConfirmOrder needs it: success, or the ConfirmOrder
// failure to answer (8.9/5.1 SM-DS unreachable, 8.9/4.2 SM-DS refused, 8.9.5/3.3 duplicate event).
using RegisterEvent = std::function<FunctionStatus(const SmdsEvent& event)>;

// The Event Record of an order, if it has one (smdsAddress, EID and matchingId all set).
std::optional<SmdsEvent> smds_event_of(const ProfileRecord& profile);

// SGP.22 v2.5 §5.9.2 ES12.DeleteEvent, queued in the store's outbox for the background sender.
StoreResult<int64_t> queue_delete_event(Store& store, const SmdsEvent& event, std::string_view smdp_address,
                                        int64_t now);

}  // namespace smdp
