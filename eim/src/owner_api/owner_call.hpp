#pragma once
// What the owner API's calls share: the caller's context, JSON readers with the API's errors,
// targets (one EID or a fleet of the caller's), and the JSON of devices and packages.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eim/owner_api.hpp"

namespace eim::owner {

using nlohmann::json;

struct ApiError {
  int status = 400;
  std::string error;    // bad_request, not_found, conflict, internal
  std::string message;  // for people; never keys
};
template <class T>
using Answer = rsp::Expected<T, ApiError>;

rsp::Unexpected<ApiError> bad_request(std::string message);
rsp::Unexpected<ApiError> not_found(std::string message);
rsp::Unexpected<ApiError> internal(std::string message);
ApiError queue_failure(const QueueError& e);

struct Reply {
  int status = 200;
  json body;
  std::string target;  // for the log line: the EID, "fleet:NAME", or ""
};

struct Context {
  EimStore& store;
  PackageQueue& queue;
  const OwnerApiSettings& settings;
  std::string owner;
  int64_t now() const;
};

// The calls, one per path.
Answer<Reply> devices_add(Context& c, const json& body);
Answer<Reply> devices_list(Context& c, const json& body);
Answer<Reply> devices_show(Context& c, const json& body);
Answer<Reply> download(Context& c, const json& body);
Answer<Reply> psmo(Context& c, const json& body);
Answer<Reply> eco(Context& c, const json& body);
Answer<Reply> data_request(Context& c, const json& body);
Answer<Reply> status(Context& c, const json& body);

// Typed members of a JSON object: absent (or null) is nullopt, another type is 400 naming `name`.
Answer<std::optional<std::string>> optional_string(const json& object, const char* name);
Answer<std::string> mandatory_string(const json& object, const char* name);
Answer<std::optional<int64_t>> optional_integer(const json& object, const char* name);
Answer<bool> optional_bool(const json& object, const char* name);
// 32 digits with valid check digits.
Answer<std::string> eid_member(const json& object, const char* name);

// The caller's device, or 404 exactly as for an EID nobody registered.
Answer<DeviceRecord> owned_device(Context& c, const std::string& eid);

struct Target {
  std::string label;  // the EID or "fleet:NAME"
  bool fleet = false;
  std::vector<DeviceRecord> devices;  // the caller's, at least one
};
// body.target: {"eid"} or {"fleet"}; 404 for an unknown (or another owner's) EID or an empty
// fleet, 400 for a fleet above max_devices_per_call.
Answer<Target> read_target(Context& c, const json& body);

// Queues with `queue_one` for each device of body.target: per EID what was queued or why not.
Answer<Reply> queue_for_target(Context& c, const json& body,
                               const std::function<Queued<PackageRecord>(const std::string& eid)>& queue_one);

json package_json(const PackageRecord& package);
json device_json(const DeviceRecord& device);

}  // namespace eim::owner
