// SGP.22 v2.5 §5.3.3 ES2+.CancelOrder (JSON binding §6.5.2.3): ends an order; the profile becomes
// Available again or, with finalProfileStatusIndicator "Unavailable", is retired.
#include "es2plus_request.hpp"
#include "smdp/es2plus.hpp"

namespace smdp {

using nlohmann::json;
using namespace es2;

Es2Plus::Outcome Es2Plus::run_cancel_order(std::string_view operator_id, const json& request) {
  auto order = order_fields(request, /*iccid_mandatory=*/true);
  if (!order) return failure_of(order);
  auto indicator = mandatory_string(request, "finalProfileStatusIndicator", subject::function_requester);
  if (!indicator) return failure_of(indicator);
  if (*indicator != "Available" && *indicator != "Unavailable")
    return refuse(subject::function_requester, reason::invalid,
                  "finalProfileStatusIndicator must be Available or Unavailable");
  const ProfileState final_state = *indicator == "Available" ? ProfileState::available : ProfileState::unavailable;

  return retry_lost_races<json>([&]() -> std::optional<Outcome> {
    auto profile = operator_profile(store_, operator_id, *order->iccid);
    if (!profile) return Outcome(failure_of(profile));
    switch (settings_.skip_order_state_check ? ProfileState::allocated : profile->state) {
      case ProfileState::available:
      case ProfileState::unavailable:
      case ProfileState::installed:
        return Outcome(refuse(subject::iccid, reason::invalid_transition, "the profile has no order to cancel"));
      case ProfileState::downloaded:
        // The BPP has left: the profile may be on a card, so it cannot be handed out again.
        if (final_state == ProfileState::available)
          return Outcome(
              refuse(subject::iccid, reason::invalid_transition, "a downloaded profile can only become Unavailable"));
        break;
      default: break;
    }
    if (order->eid && profile->eid != order->eid)
      return Outcome(
          refuse(subject::eid, reason::invalid_association, "a different EID is associated with this order"));
    if (order->matching_id && profile->matching_id != order->matching_id)
      return Outcome(
          refuse(subject::matching_id, reason::invalid_association, "the matchingId does not match the order"));
    const std::optional<SmdsEvent> event = smds_event_of(*profile);
    clear_order(*profile);
    profile->state = final_state;
    auto written = store_.update_profile(*profile);
    if (!written) return Outcome(store_failure(written.error()));
    if (!*written) return std::nullopt;
    // The order's Event Record goes too (SGP.22 v2.5 §5.9.2), from the outbox: the SM-DS may be down.
    if (event) forget_event(*event);
    return Outcome(json::object());
  });
}

}  // namespace smdp
