// SGP.22 v2.5 §5.3.2 ES2+.ConfirmOrder (JSON binding §6.5.2.2): completes a reserved order with its
// matchingId, EID and confirmation code, and releases it at once (releaseFlag) or later.
#include "es2plus_request.hpp"
#include "rsp/confirmation_code.hpp"
#include "rsp/server/server_address.hpp"
#include "smdp/es2plus.hpp"

namespace smdp {

using nlohmann::json;
using namespace es2;

Es2Plus::Outcome Es2Plus::run_confirm_order(std::string_view operator_id, const json& request) {
  auto order = order_fields(request, /*iccid_mandatory=*/true);
  if (!order) return failure_of(order);
  const std::string& iccid = *order->iccid;
  const std::optional<std::string>& eid = order->eid;
  // Absent: the SM-DP+ makes one. Empty: the default SM-DP+ order, found by its EID alone (SGP.22
  // v2.5 §5.3.2); it still gets one when an SM-DS event must name it.
  const std::optional<std::string>& chosen = order->matching_id;
  const bool default_smdp_order = request.contains("matchingId") && request["matchingId"] == "";
  if (chosen && !valid_matching_id(*chosen))
    return refuse(subject::matching_id, reason::invalid, "matchingId must be visible ASCII without '$', at most 255");
  auto confirmation_code = optional_string(request, "confirmationCode", subject::confirmation_code);
  if (!confirmation_code) return failure_of(confirmation_code);
  auto smds_address = optional_string(request, "smdsAddress", subject::function_requester);
  if (!smds_address) return failure_of(smds_address);
  auto release = mandatory_bool(request, "releaseFlag", subject::function_requester);
  if (!release) return failure_of(release);
  if (*smds_address && !rsp::server::valid_server_address(**smds_address))
    return refuse(subject::smds, reason::inaccessible, "smdsAddress is invalid or not reachable");
  const int64_t now = clock_();
  std::optional<SmdsEvent> registered;  // at the SM-DS, by an earlier round of the loop

  auto outcome = retry_lost_races<json>([&]() -> std::optional<Outcome> {
    auto profile = operator_profile(store_, operator_id, iccid);
    if (!profile) return Outcome(failure_of(profile));
    if (!settings_.skip_order_state_check && profile->state != ProfileState::allocated &&
        profile->state != ProfileState::linked)
      return Outcome(
          refuse(subject::iccid, reason::invalid_transition, "the profile has no order waiting for confirmation"));
    if (order_expired(*profile, now))
      return Outcome(refuse(subject::download_order, reason::time_to_live_expired, "the download order has expired"));
    if (eid && profile->eid && *profile->eid != *eid)
      return Outcome(
          refuse(subject::eid, reason::invalid_association, "a different EID is associated with this order"));
    std::optional<std::string> bound_eid = profile->eid ? profile->eid : eid;
    // An SM-DS event is registered for one EID.
    if (*smds_address && !bound_eid)
      return Outcome(refuse(subject::eid, reason::mandatory_missing, "eid is required with smdsAddress"));
    if (default_smdp_order && !bound_eid)
      return Outcome(refuse(subject::eid, reason::mandatory_missing, "eid is required with an empty matchingId"));

    std::string id;
    if (default_smdp_order && !*smds_address) {
      // No matchingId: the eUICC's EID names the order.
    } else if (chosen) {
      id = *chosen;
      auto holder = store_.profile_by_matching_id(id);
      if (!holder) return Outcome(store_failure(holder.error()));
      if (*holder && (*holder)->iccid != profile->iccid)
        return Outcome(refuse(subject::matching_id, reason::already_in_use, "Conflicting MatchingID value"));
    } else {
      id = new_matching_id();
    }

    profile->eid = bound_eid;
    profile->matching_id = id.empty() ? std::nullopt : std::optional(id);
    if (*confirmation_code && !(*confirmation_code)->empty()) {
      // Only its hash is kept: ES9+ checks SHA-256(SHA-256(CC) | transactionId) (SGP.22 v2.5 §3.1.3).
      profile->confirmation_code_hash = rsp::sha256(rsp::to_bytes(**confirmation_code));
      profile->confirmation_attempts_left = settings_.confirmation_code_attempts;
    }
    profile->smds_address = *smds_address;
    profile->released = *release;
    profile->state = *release ? ProfileState::released : ProfileState::confirmed;
    profile->order_expires = now + settings_.order_lifetime;

    // SGP.22 v2.5 §5.3.2: the event is at the SM-DS before ConfirmOrder answers; when it cannot be
    // registered the order stays as it was.
    if (*smds_address) {
      SmdsEvent event{**smds_address, *bound_eid, id};
      if (registered != event) {
        if (registered) forget_event(*registered);
        FunctionStatus status = settings_.register_event ? settings_.register_event(event)
                                                         : FunctionStatus::failure(subject::smds, reason::inaccessible,
                                                                                   "no SM-DS client configured");
        if (!status.ok()) return Outcome(rsp::Unexpected{status});
        registered = event;
      }
    }

    auto written = store_.update_profile(*profile);
    if (!written) {
      if (written.error().kind != StoreErrorKind::conflict) return Outcome(store_failure(written.error()));
      // The matchingId was taken in the meantime: the operator's is refused, a made one is drawn again.
      if (chosen) return Outcome(refuse(subject::matching_id, reason::already_in_use, "Conflicting MatchingID value"));
      return std::nullopt;
    }
    if (!*written) return std::nullopt;
    json answer = {{"matchingId", id}, {"smdpAddress", settings_.smdp_address}};
    if (profile->eid) answer["eid"] = *profile->eid;
    return Outcome(std::move(answer));
  });
  // An event registered for an order that was not confirmed after all is deleted again.
  if (!outcome && registered) forget_event(*registered);
  return outcome;
}

void Es2Plus::forget_event(const SmdsEvent& event) {
  if (auto queued = queue_delete_event(store_, event, settings_.smdp_address, clock_()); !queued && settings_.log)
    settings_.log("ES12 deleteEvent for " + event.event_id + " not queued: " + queued.error().message);
}

}  // namespace smdp
