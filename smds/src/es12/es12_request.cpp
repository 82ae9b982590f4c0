#include "es12/es12_request.hpp"

namespace smds::es12 {

using rsp::server::refuse;

namespace {

bool visible_ascii(std::string_view text) {
  for (char c : text)
    if (c <= 0x20 || c >= 0x7F) return false;
  return true;
}

}  // namespace

Checked<EventKey> event_key(const nlohmann::json& request) {
  if (auto header = rsp::server::check_request(request); !header) return rsp::server::failure_of(header);
  auto eid = rsp::server::optional_eid(request, subject::eid);
  if (!eid) return rsp::server::failure_of(eid);
  if (!*eid) return refuse(subject::eid, reason::mandatory_missing, "eid is missing");
  auto event_id = rsp::server::mandatory_string(request, "eventId", subject::event);
  if (!event_id) return rsp::server::failure_of(event_id);
  if (event_id->empty() || event_id->size() > kMaxEventIdLength || !visible_ascii(*event_id))
    return refuse(subject::event, reason::invalid, "eventId must be 1 to 255 visible ASCII characters");
  return EventKey{std::move(**eid), std::move(*event_id)};
}

rsp::Unexpected<rsp::server::FunctionStatus> store_failure() {
  return refuse(subject::function_provider, reason::execution_error, "the SM-DS could not read or write its store");
}

}  // namespace smds::es12
