#include "es2plus_request.hpp"

#include "rsp/iccid.hpp"

namespace smdp::es2 {

using nlohmann::json;

rsp::Unexpected<FunctionStatus> store_failure(const StoreError&) {
  return refuse(subject::function_provider, reason::execution_error, "the SM-DP+ could not read or write its store");
}

Checked<std::optional<std::string>> optional_iccid(const json& request) {
  auto text = optional_string(request, "iccid", subject::iccid);
  if (!text || !*text) return text;
  auto digits = rsp::iccid::normalise(**text);
  if (!digits)
    return refuse(subject::iccid, reason::invalid, "iccid is not 18 to 20 digits with an optional F padding");
  return std::optional<std::string>(std::move(*digits));
}

Checked<std::string> mandatory_iccid(const json& request) {
  auto iccid = optional_iccid(request);
  if (!iccid) return failure_of(iccid);
  if (!*iccid) return refuse(subject::iccid, reason::mandatory_missing, "iccid is missing");
  return std::move(**iccid);
}

Checked<std::optional<std::string>> optional_eid(const json& request) {
  return rsp::server::optional_eid(request, subject::eid);
}

Checked<OrderFields> order_fields(const json& request, bool iccid_mandatory) {
  OrderFields fields;
  auto iccid = optional_iccid(request);
  if (!iccid) return failure_of(iccid);
  if (!*iccid && iccid_mandatory) return refuse(subject::iccid, reason::mandatory_missing, "iccid is missing");
  fields.iccid = std::move(*iccid);
  auto eid = optional_eid(request);
  if (!eid) return failure_of(eid);
  fields.eid = std::move(*eid);
  auto matching_id = optional_string(request, "matchingId", subject::matching_id);
  if (!matching_id) return failure_of(matching_id);
  if (*matching_id && !(*matching_id)->empty()) fields.matching_id = std::move(*matching_id);
  return fields;
}

Checked<ProfileRecord> operator_profile(Store& store, std::string_view operator_id, std::string_view iccid) {
  auto found = store.profile(iccid);
  if (!found) return store_failure(found.error());
  if (!*found) return refuse(subject::iccid, reason::unknown, "unknown profile");
  if ((*found)->operator_id != operator_id)
    return refuse(subject::iccid, reason::not_allowed, "the profile belongs to another operator");
  return std::move(**found);
}

void clear_order(ProfileRecord& profile) {
  profile.eid.reset();
  profile.matching_id.reset();
  rsp::wipe(profile.confirmation_code_hash);
  profile.confirmation_code_hash.clear();
  profile.confirmation_attempts_left = 0;
  profile.released = false;
  profile.order_expires = 0;
  profile.smds_address.reset();
  profile.transaction_id.reset();
}

}  // namespace smdp::es2
