// What the owner queues for a target (one EID or a fleet): profile download triggers, PSMOs, eCOs,
// IpaEuiccData requests; and the status of the target's packages.
#include "operations.hpp"
#include "owner_call.hpp"
#include "rsp/activation_code.hpp"
#include "rsp/tlv.hpp"

namespace eim::owner {
namespace {

constexpr size_t kMaxTags = 16;

Answer<ProfileDownloadTrigger> read_trigger(const json& body) {
  using Kind = ProfileDownloadTrigger::Kind;
  auto code = optional_string(body, "activationCode");
  auto smds = optional_string(body, "smdsAddress");
  auto default_smdp = optional_bool(body, "contactDefaultSmdp");
  auto root_smds = optional_bool(body, "contactSmds");
  for (const ApiError* e : {code ? nullptr : &code.error(), smds ? nullptr : &smds.error(),
                            default_smdp ? nullptr : &default_smdp.error(), root_smds ? nullptr : &root_smds.error()})
    if (e) return rsp::Unexpected{*e};
  if (code->has_value() + smds->has_value() + *default_smdp + *root_smds != 1)
    return bad_request("one of activationCode, contactDefaultSmdp, smdsAddress, contactSmds");
  ProfileDownloadTrigger t;
  if (*code) {
    auto parsed = rsp::ActivationCode::parse(**code);
    if (!parsed) return bad_request("activationCode: " + parsed.error().message);
    t.kind = Kind::activation_code;
    t.activation_code = parsed->to_string();  // without "LPA:", as the eUICC takes it
  } else if (*default_smdp) {
    t.kind = Kind::contact_default_smdp;
  } else {
    t.kind = Kind::contact_smds;
    t.smds_address = *smds;
  }
  return t;
}

Answer<Bytes> read_tags(const json& body) {
  auto it = body.find("tags");
  if (it == body.end() || !it->is_array() || it->empty() || it->size() > kMaxTags)
    return bad_request("tags: 1 to " + std::to_string(kMaxTags) + " tags in hex, e.g. [\"A5\", \"BF20\"]");
  Bytes list;
  for (const json& tag : *it) {
    auto bytes = tag.is_string() ? rsp::from_hex(tag.get<std::string>()) : std::nullopt;
    // One complete BER tag: with a zero length after it, the header is exactly the whole.
    bool whole = bytes && !bytes->empty() && bytes->size() <= 3;
    if (whole) {
      Bytes probe = rsp::concat({*bytes, Bytes{0}});
      auto header = rsp::tlv::read_header(probe);
      whole = header && header->header_size == probe.size();
    }
    if (!whole) return bad_request("tags: each one BER tag in hex, e.g. \"A5\" or \"BF20\"");
    list.insert(list.end(), bytes->begin(), bytes->end());
  }
  return list;
}

}  // namespace

// {downloads: [{eid, <trigger>}, ...]}: each device its own trigger (activation codes differ per
// device), in one call. Every entry is read before any is queued; per EID what was queued or why not.
Answer<Reply> download_each(Context& c, const json& list) {
  if (!list.is_array() || list.empty() || list.size() > c.settings.max_devices_per_call)
    return bad_request("downloads: 1 to " + std::to_string(c.settings.max_devices_per_call) +
                       " entries {eid, trigger}");
  std::vector<std::pair<std::string, ProfileDownloadTrigger>> entries;
  for (const json& entry : list) {
    if (!entry.is_object()) return bad_request("downloads: each entry an object {eid, trigger}");
    auto eid = eid_member(entry, "eid");
    if (!eid) return rsp::Unexpected{eid.error()};
    auto trigger = read_trigger(entry);
    if (!trigger)
      return rsp::Unexpected{
          ApiError{400, trigger.error().error, "downloads[" + *eid + "]: " + trigger.error().message}};
    entries.emplace_back(std::move(*eid), std::move(*trigger));
  }
  json results = json::array();
  auto refused = [&](const std::string& eid, const ApiError& e) {
    results.push_back({{"eid", eid}, {"error", e.error}, {"message", e.message}});
  };
  for (const auto& [eid, trigger] : entries) {
    auto device = owned_device(c, eid);  // another owner's EID answers as an unknown one
    if (!device) {
      refused(eid, device.error());
      continue;
    }
    auto queued = c.queue.queue_profile_download_trigger(eid, trigger);
    if (!queued) {
      refused(eid, queue_failure(queued.error()));
      continue;
    }
    results.push_back({{"eid", eid}, {"queued", package_json(*queued)}});
  }
  return Reply{200, {{"results", std::move(results)}}, "devices:" + std::to_string(entries.size())};
}

Answer<Reply> download(Context& c, const json& body) {
  if (auto each = body.find("downloads"); each != body.end()) {
    if (body.contains("target")) return bad_request("one of target and downloads");
    return download_each(c, *each);
  }
  auto trigger = read_trigger(body);
  if (!trigger) return rsp::Unexpected{trigger.error()};
  return queue_for_target(
      c, body, [&](const std::string& eid) { return c.queue.queue_profile_download_trigger(eid, *trigger); });
}

Answer<Reply> psmo(Context& c, const json& body) {
  auto operations = read_operations(body, false, c.settings.max_operations);
  if (!operations) return rsp::Unexpected{operations.error()};
  return queue_for_target(c, body,
                          [&](const std::string& eid) { return c.queue.queue_euicc_package(eid, *operations); });
}

Answer<Reply> eco(Context& c, const json& body) {
  auto operations = read_operations(body, true, c.settings.max_operations);
  if (!operations) return rsp::Unexpected{operations.error()};
  return queue_for_target(c, body,
                          [&](const std::string& eid) { return c.queue.queue_euicc_package(eid, *operations); });
}

Answer<Reply> data_request(Context& c, const json& body) {
  auto tags = read_tags(body);
  if (!tags) return rsp::Unexpected{tags.error()};
  return queue_for_target(c, body,
                          [&](const std::string& eid) { return c.queue.queue_ipa_euicc_data_request(eid, *tags); });
}

Answer<Reply> status(Context& c, const json& body) {
  auto target = read_target(c, body);
  if (!target) return rsp::Unexpected{target.error()};
  json devices = json::array();
  for (const auto& d : target->devices) {
    auto packages = c.store.packages_for(d.eid, static_cast<int>(c.settings.max_packages_listed));
    if (!packages) return internal("store: " + packages.error().message);
    json list = json::array();
    for (const auto& p : *packages) list.push_back(package_json(p));
    devices.push_back({{"eid", d.eid}, {"packages", std::move(list)}});
  }
  return Reply{200, {{"devices", std::move(devices)}}, target->label};
}

}  // namespace eim::owner
