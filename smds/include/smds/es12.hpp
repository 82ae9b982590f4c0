#pragma once
// ES12 (SGP.22 v2.5 §5.9), SM-DP+ -> SM-DS: RegisterEvent and DeleteEvent, JSON only. The caller
// is a pinned SM-DP+ (its TLS client certificate, checked by the HTTP layer); an SM-DP+ deletes
// only the events it registered. Answers are header only (FACTS §7.5).
//
// The cascade (FACTS §7.5, inferred from SGP.21): an alternative SM-DS with a root SM-DS
// configured forwards a registration with forwardingIndicator true to the root, as itself
// (rspServerAddress = this SM-DS, so that the device asks here next), before it answers; the
// root unreachable 8.9/5.1, refusing 8.9/4.2, and the event is not kept. DeleteEvent of a
// forwarded event deletes it at the root first (gone there already counts as deleted).
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "rsp/server/es12_messages.hpp"
#include "rsp/server/function_status.hpp"
#include "smds/event_store.hpp"

namespace smds {

using rsp::server::FunctionStatus;

// An ES12 call of this SM-DS to the root SM-DS: the root's answer, or 8.9/5.1 when it cannot be reached.
using ForwardEvent = std::function<FunctionStatus(const rsp::server::Es12Event& at_root)>;

struct Es12Settings {
  // The root SM-DS registrations with forwardingIndicator true are cascaded to; empty: this
  // SM-DS is the root and keeps them (nothing to forward to).
  std::string root_smds;
  int64_t max_events_per_eid = 32;  // more registrations for one EID: 8.9.5/4.8
  std::function<int64_t()> now;     // unix seconds; default: the system clock
  ForwardEvent forward_register;    // the cascade's calls; needed when root_smds is set
  ForwardEvent forward_delete;
  std::set<std::string> faults = {};  // SmdsConfig::faults (conformance harness only)
  bool fault(const std::string& name) const { return faults.count(name) != 0; }
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
