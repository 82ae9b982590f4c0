// ES12's functions by name, and the service's defaults.
#include "smds/es12.hpp"

#include <ctime>

#include "rsp/server/json_request.hpp"
#include "rsp/untrusted_json.hpp"

namespace smds {

Es12::Es12(EventStore& store, Es12Settings settings) : store_(store), settings_(std::move(settings)) {
  if (!settings_.now) settings_.now = [] { return static_cast<int64_t>(std::time(nullptr)); };
}

std::optional<FunctionStatus> Es12::dispatch(std::string_view function, std::string_view smdp, std::string_view body) {
  if (function != "registerEvent" && function != "deleteEvent") return std::nullopt;
  auto request = rsp::parse_untrusted_json(body);
  if (!request)
    return rsp::server::refuse(rsp::server::subject::function_requester, rsp::server::reason::invalid,
                               "the body is not JSON: " + request.error().message)
        .error;
  return function == "registerEvent" ? register_event(smdp, *request) : delete_event(smdp, *request);
}

}  // namespace smds
