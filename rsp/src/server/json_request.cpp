#include "rsp/server/json_request.hpp"

#include "rsp/eid.hpp"

namespace rsp::server {

using nlohmann::json;

Checked<Ok> check_request(const json& request) {
  if (!request.is_object())
    return refuse(subject::function_requester, reason::invalid, "the request is not a JSON object");
  auto header = request.find("header");
  if (header == request.end())
    return refuse(subject::function_requester, reason::mandatory_missing, "header is missing");
  if (!header->is_object()) return refuse(subject::function_requester, reason::invalid, "header is not an object");
  for (const char* field : {"functionRequesterIdentifier", "functionCallIdentifier"}) {
    auto value = header->find(field);
    if (value == header->end())
      return refuse(subject::function_requester, reason::mandatory_missing,
                    std::string("header.") + field + " is missing");
    if (!value->is_string())
      return refuse(subject::function_requester, reason::invalid, std::string("header.") + field + " is not a string");
  }
  return Ok{};
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

Checked<std::optional<std::string>> optional_eid(const json& request, const char* subject_code) {
  auto eid = optional_string(request, "eid", subject_code);
  if (eid && *eid && !eid::valid(**eid))
    return refuse(subject_code, reason::invalid, "eid is not 32 digits with valid check digits");
  return eid;
}

}  // namespace rsp::server
