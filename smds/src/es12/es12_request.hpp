#pragma once
// What both ES12 functions read: the EID and the event id, with the spec's codes (FACTS §7.5).
#include <nlohmann/json.hpp>
#include <string>

#include "rsp/server/json_request.hpp"
#include "smds/event_store.hpp"

namespace smds::es12 {

using rsp::server::Checked;
namespace reason = rsp::server::reason;

// SGP.22 v2.5 §5.2.6.1 subject codes ES12 uses.
namespace subject {
inline constexpr const char* function_provider = rsp::server::subject::function_provider;
inline constexpr const char* eid = "8.1.1";
inline constexpr const char* smdp_address = "8.8.1";  // rspServerAddress
inline constexpr const char* smds = "8.9";            // the cascade to the root SM-DS
inline constexpr const char* event = "8.9.5";         // the Event Record
}  // namespace subject

struct EventKey {
  std::string eid;       // 32 digits, check digits valid
  std::string event_id;  // 1..kMaxEventIdLength visible ASCII
};

// header, eid and eventId of a RegisterEvent or DeleteEvent request.
Checked<EventKey> event_key(const nlohmann::json& request);

// A store failure: the SM-DS's own problem, without the database's words.
rsp::Unexpected<rsp::server::FunctionStatus> store_failure();

}  // namespace smds::es12
