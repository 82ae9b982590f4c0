#pragma once
// ES12 (SGP.22 v2.5 §5.9), SM-DP+ -> SM-DS: RegisterEvent and DeleteEvent, JSON only. The caller
// is a pinned SM-DP+ (its TLS client certificate, checked by the HTTP layer); an SM-DP+ deletes
// only the events it registered. Answers are header only (FACTS §7.5).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "rsp/server/function_status.hpp"
#include "smds/event_store.hpp"

namespace smds {

using rsp::server::FunctionStatus;

struct Es12Settings {
  // A root SM-DS to cascade registrations to when forwardingIndicator is true. The cascade is not
  // implemented: with one configured, such a registration is refused (8.9/4.2) rather than
  // accepted and silently not forwarded. Empty: this SM-DS is the root and forwards nothing.
  std::string root_smds;
  int64_t max_events_per_eid = 32;  // more registrations for one EID: 8.9.5/4.8
  std::function<int64_t()> now;     // unix seconds; default: the system clock
};

class Es12 {
 public:
  Es12(EventStore& store, Es12Settings settings);

  // SGP.22 v2.5 §5.9.1 ES12.RegisterEvent
  FunctionStatus register_event(std::string_view smdp, const nlohmann::json& request);
  // SGP.22 v2.5 §5.9.2 ES12.DeleteEvent
  FunctionStatus delete_event(std::string_view smdp, const nlohmann::json& request);

  // "registerEvent" or "deleteEvent" with its JSON body (any text) from pinned SM-DP+ `smdp`: the
  // response object, or nullopt for an unknown function.
  std::optional<FunctionStatus> dispatch(std::string_view function, std::string_view smdp, std::string_view body);

 private:
  EventStore& store_;
  Es12Settings settings_;
};

}  // namespace smds
