// ES12 calls of the SM-DP+ to SM-DSs over HTTPS (SGP.22 v2.5 §5.9, JSON binding).
#include "smdp/es12_https.hpp"

#include <atomic>
#include <ctime>

#include "rsp/server/es12_client.hpp"

namespace smdp {

namespace {

std::string call_id() {
  static std::atomic<uint64_t> count{0};
  return "register-" + std::to_string(std::time(nullptr)) + "-" + std::to_string(++count);
}

}  // namespace

RegisterEvent https_register_event(rsp::http::Client client, std::string smdp_address,
                                   std::function<void(const std::string&)> log) {
  return [client = std::move(client), smdp_address = std::move(smdp_address),
          log = std::move(log)](const SmdsEvent& event) {
    const std::string url = es12_url(event.smds_address, "registerEvent");
    // The SM-DP+ registers where the operator said and asks for no cascade (forwardingIndicator false).
    auto answer = rsp::server::post_es12(
        client, url, rsp::server::register_event_body(event, smdp_address, smdp_address, false, call_id()));
    if (!answer) {
      if (log) log("ES12 registerEvent to " + url + ": " + answer.error().message);
      if (!answer.error().reached)
        return FunctionStatus::failure("8.9", "5.1", "the SM-DS " + event.smds_address + " cannot be reached");
      return FunctionStatus::failure("8.9", "4.2", "the SM-DS answered " + answer.error().message);
    }
    if (answer->ok()) return FunctionStatus::success();
    if (answer->subject_code == "8.9.5" && answer->reason_code == "3.3")
      return FunctionStatus::failure("8.9.5", "3.3", "the SM-DS has an Event Record with this event id already");
    return FunctionStatus::failure(
        "8.9", "4.2", "the SM-DS refused the event (" + answer->subject_code + "/" + answer->reason_code + ")");
  };
}

CallbackSender::Send https_delete_event_transport(rsp::http::Client client,
                                                  std::function<void(const std::string&)> log) {
  return [client = std::move(client), log = std::move(log)](const std::string& url, const std::string& body) {
    auto answer = rsp::server::post_es12(client, url, body);
    if (answer && (answer->ok() || (answer->subject_code == "8.9.5" && answer->reason_code == "3.9"))) return true;
    if (log)
      log("ES12 deleteEvent to " + url + ": " +
          (answer ? answer->subject_code + "/" + answer->reason_code : answer.error().message));
    return false;
  };
}

CallbackSender::Send route_outbox(CallbackSender::Send es2, CallbackSender::Send es12) {
  return [es2 = std::move(es2), es12 = std::move(es12)](const std::string& url, const std::string& body) {
    return is_es12_url(url) ? es12(url, body) : es2(url, body);
  };
}

}  // namespace smdp
