// SGP.22 v2.5 §5.3.1 ES2+.DownloadOrder (JSON binding §6.5.2.1): reserves one of the operator's
// available profiles, named by iccid or picked by profileType, optionally for one EID.
#include "es2plus_request.hpp"
#include "smdp/es2plus.hpp"

namespace smdp {

using nlohmann::json;
using namespace es2;

namespace {

// Available -> Allocated (no EID yet) or Linked (EID known).
void reserve(ProfileRecord& profile, const std::optional<std::string>& eid, int64_t expires) {
  clear_order(profile);
  profile.eid = eid;
  profile.state = eid ? ProfileState::linked : ProfileState::allocated;
  profile.order_expires = expires;
}

}  // namespace

Es2Plus::Outcome Es2Plus::run_download_order(std::string_view operator_id, const json& request) {
  auto order = order_fields(request, /*iccid_mandatory=*/false);
  if (!order) return failure_of(order);
  const std::optional<std::string>& iccid = order->iccid;
  const std::optional<std::string>& eid = order->eid;
  auto profile_type = optional_string(request, "profileType", subject::profile_type);
  if (!profile_type) return failure_of(profile_type);
  if (!iccid && !*profile_type)
    return refuse(subject::iccid, reason::mandatory_missing, "iccid or profileType is required");
  const int64_t expires = clock_() + settings_.order_lifetime;

  if (iccid) {
    return retry_lost_races<json>([&]() -> std::optional<Outcome> {
      auto profile = operator_profile(store_, operator_id, *iccid);
      if (!profile) return Outcome(failure_of(profile));
      if (*profile_type && profile->profile_type != **profile_type)
        return Outcome(refuse(subject::profile_type, reason::refused, "profileType does not match the profile"));
      if (profile->state != ProfileState::available)
        return Outcome(refuse(subject::iccid, reason::already_in_use, "Profile not available"));
      reserve(*profile, eid, expires);
      auto written = store_.update_profile(*profile);
      if (!written) return Outcome(store_failure(written.error()));
      if (!*written) return std::nullopt;
      return Outcome(json{{"iccid", profile->iccid}});
    });
  }

  // By type: take any available one; a lost race means another order took it, so take the next.
  return retry_lost_races<json>([&]() -> std::optional<Outcome> {
    auto candidate = store_.available_profile(operator_id, **profile_type);
    if (!candidate) return Outcome(store_failure(candidate.error()));
    if (!*candidate) {
      // Types are per operator: another operator's types read as unknown.
      auto known = store_.profile_type_exists(operator_id, **profile_type);
      if (!known) return Outcome(store_failure(known.error()));
      if (*known)
        return Outcome(refuse(subject::profile_type, reason::unavailable, "no profile of this type is available"));
      return Outcome(refuse(subject::profile_type, reason::unknown, "unknown profileType"));
    }
    ProfileRecord& profile = **candidate;
    reserve(profile, eid, expires);
    auto written = store_.update_profile(profile);
    if (!written) return Outcome(store_failure(written.error()));
    if (!*written) return std::nullopt;
    return Outcome(json{{"iccid", profile.iccid}});
  });
}

}  // namespace smdp
