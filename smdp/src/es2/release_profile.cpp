// SGP.22 v2.5 §5.3.4 ES2+.ReleaseProfile (JSON binding §6.5.2.4): a confirmed order (releaseFlag
// false) becomes downloadable.
#include "es2plus_request.hpp"
#include "smdp/es2plus.hpp"

namespace smdp {

using nlohmann::json;
using namespace es2;

Es2Plus::Outcome Es2Plus::run_release_profile(std::string_view operator_id, const json& request) {
  auto iccid = mandatory_iccid(request);
  if (!iccid) return failure_of(iccid);
  const int64_t now = clock_();

  return retry_lost_races<json>([&]() -> std::optional<Outcome> {
    auto profile = operator_profile(store_, operator_id, *iccid);
    if (!profile) return Outcome(failure_of(profile));
    if (!settings_.skip_order_state_check && profile->state != ProfileState::confirmed)
      return Outcome(refuse(subject::iccid, reason::invalid_transition, "only a confirmed order can be released"));
    if (order_expired(*profile, now))
      return Outcome(refuse(subject::download_order, reason::time_to_live_expired, "the download order has expired"));
    profile->released = true;
    profile->state = ProfileState::released;
    auto written = store_.update_profile(*profile);
    if (!written) return Outcome(store_failure(written.error()));
    if (!*written) return std::nullopt;
    return Outcome(json::object());
  });
}

}  // namespace smdp
