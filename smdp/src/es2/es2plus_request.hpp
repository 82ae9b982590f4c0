#pragma once
// What every ES2+ function shares: reading the request fields with the spec's codes for missing or
// malformed ones, the operator's view of a profile, and the read-decide-write loop over the store.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "rsp/expected.hpp"
#include "rsp/server/json_request.hpp"
#include "smdp/function_status.hpp"
#include "smdp/store.hpp"

namespace smdp::es2 {

// SGP.22 v2.5 §5.2.6 subject codes as ES2+ uses them (FACTS §2a.4).
namespace subject {
inline constexpr const char* function_requester = rsp::server::subject::function_requester;
inline constexpr const char* function_provider = rsp::server::subject::function_provider;
inline constexpr const char* eid = "8.1.1";
inline constexpr const char* iccid = "8.2.1";
inline constexpr const char* profile_type = "8.2.5";
inline constexpr const char* matching_id = "8.2.6";
inline constexpr const char* confirmation_code = "8.2.7";
inline constexpr const char* download_order = "8.8.5";
inline constexpr const char* smds = "8.9";
}  // namespace subject

namespace reason = rsp::server::reason;

// The JSON request readers every JSON function shares (rsp/server/json_request.hpp).
using rsp::server::check_request;
using rsp::server::Checked;
using rsp::server::failure_of;
using rsp::server::mandatory_bool;
using rsp::server::mandatory_string;
using rsp::server::optional_string;
using rsp::server::refuse;

// A store failure: the SM-DP+'s own problem, reported without the database's words.
rsp::Unexpected<FunctionStatus> store_failure(const StoreError& error);

// iccid in any ES2+ form (19/20 digits, 'F' padding), normalised to the store's digits.
Checked<std::optional<std::string>> optional_iccid(const nlohmann::json& request);
Checked<std::string> mandatory_iccid(const nlohmann::json& request);
// eid: 32 digits with valid check digits.
Checked<std::optional<std::string>> optional_eid(const nlohmann::json& request);

// The fields that name an order: iccid (normalised), eid, matchingId (an empty one reads as absent).
struct OrderFields {
  std::optional<std::string> iccid;
  std::optional<std::string> eid;
  std::optional<std::string> matching_id;
};
Checked<OrderFields> order_fields(const nlohmann::json& request, bool iccid_mandatory);

// The operator's profile: unknown ICCID 8.2.1/3.9, another operator's 8.2.1/1.2 whatever its
// state, so that nothing else about foreign profiles shows.
Checked<ProfileRecord> operator_profile(Store& store, std::string_view operator_id, std::string_view iccid);

// Forgets the order placed on a profile (matchingId, EID, confirmation code, release, session).
void clear_order(ProfileRecord& profile);

// An order past its lifetime (order_expires 0: none set).
inline bool order_expired(const ProfileRecord& profile, int64_t now) {
  return profile.order_expires != 0 && profile.order_expires <= now;
}

// Runs `step` (read, decide, versioned write) until its write is not overtaken by another writer:
// `step` returns nullopt when update_profile() reported a lost race. Gives up after a bounded number
// of rounds with 1.2/4.2, which only sustained contention on one record can cause.
template <class T, class Step>
Checked<T> retry_lost_races(Step step) {
  constexpr int kMaxRounds = 1000;
  for (int round = 0; round < kMaxRounds; ++round)
    if (std::optional<Checked<T>> outcome = step()) return std::move(*outcome);
  return refuse(subject::function_provider, reason::execution_error, "too many concurrent changes, try again");
}

}  // namespace smdp::es2
