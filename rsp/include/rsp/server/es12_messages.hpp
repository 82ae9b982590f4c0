#pragma once
// ES12 (SGP.22 v2.5 §5.9) as its callers send it, an SM-DP+ to an SM-DS or an alternative SM-DS to
// the root SM-DS: the URL of each function and the JSON requests (FACTS §7.5).
#include <string>
#include <string_view>

namespace rsp::server {

// An Event Record at one SM-DS.
struct Es12Event {
  std::string smds_address;  // host, or host:port for test set-ups
  std::string eid;
  std::string event_id;
  bool operator==(const Es12Event&) const = default;
};

// https://<smds_address>/gsma/rsp2/es12/<function>
std::string es12_url(std::string_view smds_address, std::string_view function);
bool is_es12_url(std::string_view url);

// {header, eid, rspServerAddress, eventId, forwardingIndicator}; `requester` is the header's
// functionRequesterIdentifier.
std::string register_event_body(const Es12Event& event, std::string_view requester, std::string_view rsp_server_address,
                                bool forwarding, std::string_view call_id);
// {header, eid, eventId}
std::string delete_event_body(const Es12Event& event, std::string_view requester, std::string_view call_id);

}  // namespace rsp::server
