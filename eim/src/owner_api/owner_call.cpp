// The owner API's shared readers, targets and JSON shapes.
#include "owner_call.hpp"

#include <ctime>

#include "rsp/eid.hpp"

namespace eim::owner {

rsp::Unexpected<ApiError> bad_request(std::string message) {
  return {ApiError{400, "bad_request", std::move(message)}};
}
rsp::Unexpected<ApiError> not_found(std::string message) { return {ApiError{404, "not_found", std::move(message)}}; }
rsp::Unexpected<ApiError> internal(std::string message) { return {ApiError{500, "internal", std::move(message)}}; }

ApiError queue_failure(const QueueError& e) {
  switch (e.kind) {
    case QueueError::Kind::unknown_device: return not_found("unknown EID").error;
    case QueueError::Kind::invalid: return bad_request(e.message).error;
    case QueueError::Kind::store: break;
  }
  return internal(e.message).error;
}

int64_t Context::now() const { return settings.clock ? settings.clock() : static_cast<int64_t>(time(nullptr)); }

Answer<std::optional<std::string>> optional_string(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return bad_request(std::string(name) + ": a string");
  return std::optional<std::string>(it->get<std::string>());
}

Answer<std::string> mandatory_string(const json& object, const char* name) {
  auto value = optional_string(object, name);
  if (!value) return rsp::Unexpected{value.error()};
  if (!*value) return bad_request(std::string(name) + ": missing");
  return std::move(**value);
}

Answer<std::optional<int64_t>> optional_integer(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::optional<int64_t>();
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    return bad_request(std::string(name) + ": out of range");
  if (!it->is_number_integer()) return bad_request(std::string(name) + ": an integer");
  return std::optional<int64_t>(it->get<int64_t>());
}

Answer<bool> optional_bool(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return false;
  if (!it->is_boolean()) return bad_request(std::string(name) + ": true or false");
  return it->get<bool>();
}

Answer<std::string> eid_member(const json& object, const char* name) {
  auto eid = mandatory_string(object, name);
  if (!eid) return eid;
  if (!rsp::eid::valid(*eid))
    return bad_request(std::string(name) + ": not an EID (32 digits with valid check digits)");
  return eid;
}

Answer<DeviceRecord> owned_device(Context& c, const std::string& eid) {
  auto found = c.store.device(eid);
  if (!found) return internal("store: " + found.error().message);
  if (!*found || (*found)->owner != c.owner) return not_found("unknown EID");
  return std::move(**found);
}

Answer<Target> read_target(Context& c, const json& body) {
  auto it = body.find("target");
  if (it == body.end() || !it->is_object()) return bad_request("target: {\"eid\": ...} or {\"fleet\": ...}");
  const json& target = *it;
  if (target.contains("eid") == target.contains("fleet")) return bad_request("target: one of eid and fleet");
  Target t;
  if (target.contains("eid")) {
    auto eid = eid_member(target, "eid");
    if (!eid) return rsp::Unexpected{eid.error()};
    auto device = owned_device(c, *eid);
    if (!device) return rsp::Unexpected{device.error()};
    t.label = *eid;
    t.devices.push_back(std::move(*device));
    return t;
  }
  auto fleet = mandatory_string(target, "fleet");
  if (!fleet) return rsp::Unexpected{fleet.error()};
  if (fleet->empty() || fleet->size() > kMaxFleetLength) return bad_request("target.fleet: 1 to 64 characters");
  t.fleet = true;
  t.label = "fleet:" + *fleet;
  int limit = static_cast<int>(c.settings.max_devices_per_call) + 1;
  auto devices = c.store.devices(c.owner, *fleet, limit);
  if (!devices) return internal("store: " + devices.error().message);
  if (devices->empty()) return not_found("unknown fleet");
  if (devices->size() > c.settings.max_devices_per_call)
    return bad_request("the fleet has more than " + std::to_string(c.settings.max_devices_per_call) + " devices");
  t.devices = std::move(*devices);
  return t;
}

Answer<Reply> queue_for_target(Context& c, const json& body,
                               const std::function<Queued<PackageRecord>(const std::string& eid)>& queue_one) {
  auto target = read_target(c, body);
  if (!target) return rsp::Unexpected{target.error()};
  Reply reply;
  reply.target = target->label;
  json results = json::array();
  for (const auto& device : target->devices) {
    auto queued = queue_one(device.eid);
    if (!queued) {
      ApiError e = queue_failure(queued.error());
      if (!target->fleet) return rsp::Unexpected{e};
      results.push_back({{"eid", device.eid}, {"error", e.error}, {"message", e.message}});
      continue;
    }
    results.push_back({{"eid", device.eid}, {"queued", package_json(*queued)}});
  }
  reply.body = {{"results", std::move(results)}};
  return reply;
}

json package_json(const PackageRecord& p) {
  json j = {
      {"id", p.id},           {"kind", package_kind(p)}, {"counterValue", p.counter_value}, {"state", name(p.state)},
      {"created", p.created}, {"expires", p.expires}};
  if (p.eim_transaction_id) j["eimTransactionId"] = rsp::to_hex(*p.eim_transaction_id);
  if (p.delivered) j["delivered"] = *p.delivered;
  if (p.finished) j["finished"] = *p.finished;
  if (p.result_summary) {
    json summary = json::parse(*p.result_summary, nullptr, false);
    j["result"] = summary.is_discarded() ? json(*p.result_summary) : std::move(summary);
  }
  return j;
}

json device_json(const DeviceRecord& d) {
  json j = {{"eid", d.eid},
            {"fleet", d.fleet},
            {"eimId", d.eim_id},
            {"nextCounterValue", d.next_counter},
            {"certificates", d.euicc_certificate && d.eum_certificate}};
  if (d.association_token) j["associationToken"] = *d.association_token;
  return j;
}

}  // namespace eim::owner
