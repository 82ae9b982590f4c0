// The owner's devices: add (with CERT.EUICC and CERT.EUM verified, or a request for them queued),
// list, show.
#include <algorithm>

#include "owner_call.hpp"
#include "rsp/crypto/certificate_chain.hpp"

namespace eim::owner {
namespace {

const Bytes kCertificateTags = {0xA5, 0xA6};  // IpaEuiccData eumCertificate, euiccCertificate
constexpr int64_t kDefaultListLimit = 1'000;

Answer<std::optional<Bytes>> certificate_member(const json& object, const char* name) {
  auto text = optional_string(object, name);
  if (!text) return rsp::Unexpected{text.error()};
  if (!*text) return std::optional<Bytes>();
  auto der = rsp::from_base64(**text);
  if (!der || der->empty() || der->size() > kMaxCertificateLength)
    return bad_request(std::string(name) + ": not base64 DER");
  return std::optional<Bytes>(std::move(*der));
}

// CERT.EUICC -> CERT.EUM -> one of the eIM's CIs, and CERT.EUICC names this EID.
rsp::Status<> verify_certificates(const Context& c, const std::string& eid, const Bytes& euicc_der,
                                  const Bytes& eum_der) {
  auto euicc = rsp::crypto::Certificate::from_der(euicc_der);
  auto eum = rsp::crypto::Certificate::from_der(eum_der);
  if (!euicc || !eum) return rsp::fail("a certificate is not X.509 DER");
  auto chain = rsp::crypto::verify_chain(*euicc, rsp::crypto::Role::euicc, {*eum}, c.settings.cis, c.now());
  if (!chain) return rsp::fail("the certificates do not chain to the eIM's CIs: " + chain.error().message);
  if (euicc->subject_serial_number() != eid) return rsp::fail("euiccCertificate is another eUICC's");
  return rsp::Ok{};
}

// One entry of devices/add, checked, as the record to store.
Answer<DeviceRecord> read_device(const Context& c, const json& entry) {
  if (!entry.is_object()) return bad_request("each device is a JSON object");
  DeviceRecord d;
  auto eid = eid_member(entry, "eid");
  auto fleet = optional_string(entry, "fleet");
  auto eim_id = optional_string(entry, "eimId");
  auto token = optional_integer(entry, "associationToken");
  auto counter = optional_integer(entry, "counterValue");
  auto euicc = certificate_member(entry, "euiccCertificate");
  auto eum = certificate_member(entry, "eumCertificate");
  for (const ApiError* e :
       {eid ? nullptr : &eid.error(), fleet ? nullptr : &fleet.error(), eim_id ? nullptr : &eim_id.error(),
        token ? nullptr : &token.error(), counter ? nullptr : &counter.error(), euicc ? nullptr : &euicc.error(),
        eum ? nullptr : &eum.error()})
    if (e) return rsp::Unexpected{*e};
  d.eid = *eid;
  d.owner = c.owner;
  d.fleet = fleet->value_or("");
  if (d.fleet.size() > kMaxFleetLength) return bad_request(d.eid + ": fleet longer than 64 characters");
  d.eim_id = eim_id->value_or(c.queue.eim_id());
  if (d.eim_id.empty() || d.eim_id.size() > kMaxEimIdLength)
    return bad_request(d.eid + ": eimId is 1 to 128 characters");
  d.association_token = *token;
  int64_t held = counter->value_or(0);
  if (held < 0 || held >= kMaxCounterValue) return bad_request(d.eid + ": counterValue out of range");
  d.next_counter = held + 1;
  if (euicc->has_value() != eum->has_value())
    return bad_request(d.eid + ": euiccCertificate and eumCertificate go together");
  if (*euicc) {
    if (auto ok = verify_certificates(c, d.eid, **euicc, **eum); !ok)
      return bad_request(d.eid + ": " + ok.error().message);
    d.euicc_certificate = std::move(*euicc);
    d.eum_certificate = std::move(*eum);
  }
  return d;
}

}  // namespace

Answer<Reply> devices_add(Context& c, const json& body) {
  json single = json::array({body});
  const json& entries = body.contains("devices") ? body["devices"] : single;
  if (!entries.is_array() || entries.empty()) return bad_request("devices: a non-empty array");
  if (entries.size() > c.settings.max_devices_per_call)
    return bad_request("more than " + std::to_string(c.settings.max_devices_per_call) + " devices in one call");
  // Every entry checked before any is stored.
  std::vector<DeviceRecord> devices;
  devices.reserve(entries.size());
  for (const json& entry : entries) {
    auto d = read_device(c, entry);
    if (!d) return rsp::Unexpected{d.error()};
    devices.push_back(std::move(*d));
  }
  Reply reply;
  if (devices.size() == 1) reply.target = devices.front().eid;
  json results = json::array();
  for (auto& d : devices) {
    auto added = c.store.add_device(d);
    // Registered by this owner or another: the same answer, so nobody learns whose it is.
    std::optional<ApiError> failure;
    if (!added)
      failure = internal("store: " + added.error().message).error;
    else if (!*added)
      failure = ApiError{409, "conflict", "EID already registered"};
    if (failure) {
      if (devices.size() == 1) return rsp::Unexpected{*failure};
      results.push_back({{"eid", d.eid}, {"error", failure->error}, {"message", failure->message}});
      continue;
    }
    json result = {{"eid", d.eid}, {"added", true}};
    if (!d.euicc_certificate) {
      // The eUICC's certificates are needed to verify its results: asked for first.
      auto queued = c.queue.queue_ipa_euicc_data_request(d.eid, kCertificateTags);
      if (!queued) return rsp::Unexpected{queue_failure(queued.error())};
      result["queued"] = package_json(*queued);
    }
    results.push_back(std::move(result));
  }
  reply.body = {{"results", std::move(results)}};
  return reply;
}

Answer<Reply> devices_list(Context& c, const json& body) {
  auto fleet = optional_string(body, "fleet");
  if (!fleet) return rsp::Unexpected{fleet.error()};
  auto limit = optional_integer(body, "limit");
  if (!limit) return rsp::Unexpected{limit.error()};
  int64_t max = static_cast<int64_t>(c.settings.max_devices_per_call);
  int64_t n = limit->value_or(std::min(kDefaultListLimit, max));
  if (n < 1 || n > max) return bad_request("limit: 1 to " + std::to_string(max));
  auto devices =
      c.store.devices(c.owner, *fleet ? std::optional<std::string_view>(**fleet) : std::nullopt, static_cast<int>(n));
  if (!devices) return internal("store: " + devices.error().message);
  json list = json::array();
  for (const auto& d : *devices) list.push_back(device_json(d));
  Reply reply;
  if (*fleet) reply.target = "fleet:" + **fleet;
  reply.body = {{"devices", std::move(list)}};
  return reply;
}

Answer<Reply> devices_show(Context& c, const json& body) {
  auto eid = eid_member(body, "eid");
  if (!eid) return rsp::Unexpected{eid.error()};
  auto device = owned_device(c, *eid);
  if (!device) return rsp::Unexpected{device.error()};
  auto packages = c.store.packages_for(*eid, static_cast<int>(c.settings.max_packages_listed));
  if (!packages) return internal("store: " + packages.error().message);
  json j = device_json(*device);
  j["packages"] = json::array();
  for (const auto& p : *packages) j["packages"].push_back(package_json(p));
  return Reply{200, std::move(j), *eid};
}

}  // namespace eim::owner
