// SGP.22 v2.5 §5.9 ES12 from an alternative SM-DS to the root SM-DS (the cascade, FACTS §7.5).
#include "server/root_smds_client.hpp"

#include <atomic>
#include <ctime>

#include "rsp/server/es12_client.hpp"
#include "rsp/server/log.hpp"

namespace smds {

namespace {

std::string call_id(const char* what) {
  static std::atomic<uint64_t> count{0};
  return std::string(what) + "-" + std::to_string(std::time(nullptr)) + "-" + std::to_string(++count);
}

// The root's status; 8.9/5.1 without an exchange, 8.9/4.2 for an answer that is no ES12 response.
FunctionStatus call_root(const rsp::http::Client& client, const std::string& url, const std::string& body) {
  auto answer = rsp::server::post_es12(client, url, body);
  if (answer) return *answer;
  rsp::server::log_line({{"event", "root-smds"}, {"url", url}, {"message", answer.error().message}});
  if (!answer.error().reached) return FunctionStatus::failure("8.9", "5.1", "the root SM-DS cannot be reached");
  return FunctionStatus::failure("8.9", "4.2", "the root SM-DS answered " + answer.error().message);
}

}  // namespace

ForwardEvent forward_register_to_root(rsp::http::Client client, std::string own_address) {
  return [client = std::move(client), own = std::move(own_address)](const rsp::server::Es12Event& e) {
    return call_root(client, rsp::server::es12_url(e.smds_address, "registerEvent"),
                     rsp::server::register_event_body(e, own, own, false, call_id("forward")));
  };
}

ForwardEvent forward_delete_to_root(rsp::http::Client client, std::string own_address) {
  return [client = std::move(client), own = std::move(own_address)](const rsp::server::Es12Event& e) {
    return call_root(client, rsp::server::es12_url(e.smds_address, "deleteEvent"),
                     rsp::server::delete_event_body(e, own, call_id("forward-delete")));
  };
}

}  // namespace smds
