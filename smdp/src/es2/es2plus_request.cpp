#include "es2plus_request.hpp"

#include "rsp/eid.hpp"
#include "rsp/iccid.hpp"

namespace smdp::es2 {

using nlohmann::json;

rsp::Unexpected<FunctionStatus> store_failure(const StoreError&) {
  return refuse(subject::function_provider, reason::execution_error, "the SM-DP+ could not read or write its store");
}

// SGP.22 v2.5 §6.5.1.3: every request carries header {functionRequesterIdentifier, functionCallIdentifier}.
Checked<rsp::Ok> check_request(const json& request) {
  if (!request.is_object()) return refuse(subject::function_requester, reason::invalid, "the request is not a JSON object");
  auto header = request.find("header");
  if (header == request.end()) return refuse(subject::function_requester, reason::mandatory_missing, "header is missing");
  if (!header->is_object()) return refuse(subject::function_requester, reason::invalid, "header is not an object");
  for (const char* field : {"functionRequesterIdentifier", "functionCallIdentifier"}) {
    auto value = header->find(field);
    if (value == header->end())
      return refuse(subject::function_requester, reason::mandatory_missing, std::string("header.") + field + " is missing");
    if (!value->is_string())
      return refuse(subject::function_requester, reason::invalid, std::string("header.") + field + " is not a string");
  }
  return rsp::Ok{};
}

Checked<std::optional<std::string>> optional_string(const json& request, const char* field, const char* subject_code) {
  auto value = request.find(field);
  if (value == request.end() || value->is_null()) return std::optional<std::string>{};
  if (!value->is_string()) return refuse(subject_code, reason::invalid, std::string(field) + " is not a string");
  return std::optional<std::string>(value->get<std::string>());
}

Checked<std::string> mandatory_string(const json& request, const char* field, const char* subject_code) {
  auto value = optional_string(request, field, subject_code);
  if (!value) return failure_of(value);
  if (!*value) return refuse(subject_code, reason::mandatory_missing, std::string(field) + " is missing");
  return std::move(**value);
}

Checked<bool> mandatory_bool(const json& request, const char* field, const char* subject_code) {
  auto value = request.find(field);
  if (value == request.end() || value->is_null())
    return refuse(subject_code, reason::mandatory_missing, std::string(field) + " is missing");
  if (!value->is_boolean()) return refuse(subject_code, reason::invalid, std::string(field) + " is not a boolean");
  return value->get<bool>();
}

Checked<std::optional<std::string>> optional_iccid(const json& request) {
  auto text = optional_string(request, "iccid", subject::iccid);
  if (!text || !*text) return text;
  auto digits = rsp::iccid::normalise(**text);
  if (!digits) return refuse(subject::iccid, reason::invalid, "iccid is not 18 to 20 digits with an optional F padding");
  return std::optional<std::string>(std::move(*digits));
}

Checked<std::string> mandatory_iccid(const json& request) {
  auto iccid = optional_iccid(request);
  if (!iccid) return failure_of(iccid);
  if (!*iccid) return refuse(subject::iccid, reason::mandatory_missing, "iccid is missing");
  return std::move(**iccid);
}

Checked<std::optional<std::string>> optional_eid(const json& request) {
  auto eid = optional_string(request, "eid", subject::eid);
  if (eid && *eid && !rsp::eid::valid(**eid))
    return refuse(subject::eid, reason::invalid, "eid is not 32 digits with valid check digits");
  return eid;
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
