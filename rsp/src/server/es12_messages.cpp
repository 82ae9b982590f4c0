#include "rsp/server/es12_messages.hpp"

#include <nlohmann/json.hpp>

namespace rsp::server {

using nlohmann::json;

namespace {

json request_header(std::string_view requester, std::string_view call_id) {
  return {{"functionRequesterIdentifier", requester}, {"functionCallIdentifier", call_id}};
}

}  // namespace

std::string es12_url(std::string_view smds_address, std::string_view function) {
  return "https://" + std::string(smds_address) + "/gsma/rsp2/es12/" + std::string(function);
}

bool is_es12_url(std::string_view url) {
  return url.starts_with("https://") && url.find("/gsma/rsp2/es12/") != std::string_view::npos;
}

std::string register_event_body(const Es12Event& event, std::string_view requester, std::string_view rsp_server_address,
                                bool forwarding, std::string_view call_id) {
  return json{{"header", request_header(requester, call_id)},
              {"eid", event.eid},
              {"rspServerAddress", rsp_server_address},
              {"eventId", event.event_id},
              {"forwardingIndicator", forwarding}}
      .dump();
}

std::string delete_event_body(const Es12Event& event, std::string_view requester, std::string_view call_id) {
  return json{{"header", request_header(requester, call_id)}, {"eid", event.eid}, {"eventId", event.event_id}}.dump();
}

}  // namespace rsp::server
