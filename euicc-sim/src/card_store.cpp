#include "euicc/card_store.hpp"

#include <nlohmann/json.hpp>

#include "rsp/files.hpp"

namespace euicc {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string hex(const Bytes& b) { return rsp::to_hex(b); }
Bytes unhex(const json& j) {
  auto b = rsp::from_hex(j.get<std::string>());
  if (!b) throw std::runtime_error("state file holds bad hex");
  return *b;
}

json to_json(const Profile& p) {
  json targets = json::array();
  for (const auto& t : p.notification_configuration) targets.push_back({{"events", t.events}, {"address", t.address}});
  json j{{"iccid", p.iccid},
         {"isdpAid", hex(p.isdp_aid)},
         {"state", static_cast<int>(p.state)},
         {"class", static_cast<int>(p.profile_class)},
         {"nickname", p.nickname},
         {"serviceProviderName", p.service_provider_name},
         {"profileName", p.profile_name},
         {"icon", hex(p.icon)},
         {"pprIds", hex(p.profile_policy_rules)},
         {"notificationConfiguration", targets},
         {"smdpOid", hex(p.smdp_oid)},
         {"ciSki", hex(p.ci_ski)},
         {"storeMetadata", hex(p.store_metadata)},
         {"fallbackAttribute", p.fallback_attribute}};
  if (p.icon_type) j["iconType"] = *p.icon_type;
  if (!p.usim_sqn_state.empty()) j["usimSqnState"] = hex(p.usim_sqn_state);
  return j;
}

Profile profile_from_json(const json& j) {
  Profile p;
  p.iccid = j.at("iccid").get<std::string>();
  p.isdp_aid = unhex(j.at("isdpAid"));
  p.state = static_cast<ProfileState>(j.at("state").get<int>());
  p.profile_class = static_cast<ProfileClass>(j.at("class").get<int>());
  p.nickname = j.value("nickname", "");
  p.service_provider_name = j.value("serviceProviderName", "");
  p.profile_name = j.value("profileName", "");
  p.icon = unhex(j.at("icon"));
  if (j.contains("iconType")) p.icon_type = j["iconType"].get<uint8_t>();
  p.profile_policy_rules = unhex(j.at("pprIds"));
  for (const auto& t : j.at("notificationConfiguration"))
    p.notification_configuration.push_back({t.at("events").get<uint8_t>(), t.at("address").get<std::string>()});
  p.smdp_oid = unhex(j.at("smdpOid"));
  p.ci_ski = unhex(j.at("ciSki"));
  p.store_metadata = unhex(j.at("storeMetadata"));
  p.fallback_attribute = j.value("fallbackAttribute", false);
  if (j.contains("usimSqnState")) p.usim_sqn_state = unhex(j["usimSqnState"]);  // absent: sqnInit applies
  return p;
}

json to_json(const CardState& s) {
  json profiles = json::array();
  for (const auto& p : s.profiles) profiles.push_back(to_json(p));
  json notifications = json::array();
  for (const auto& n : s.notifications)
    notifications.push_back({{"seqNumber", n.seq_number},
                             {"event", static_cast<int>(n.event)},
                             {"address", n.address},
                             {"iccid", n.iccid},
                             {"notification", hex(n.notification)}});
  json eims = json::array();
  for (const auto& e : s.eims) {
    json ej{{"eimId", e.eim_id}, {"configuration", hex(e.configuration)}, {"counterValue", e.counter_value}};
    if (e.association_token) ej["associationToken"] = *e.association_token;
    eims.push_back(ej);
  }
  json results = json::array();
  for (const auto& r : s.euicc_package_results)
    results.push_back({{"seqNumber", r.seq_number}, {"eimId", r.eim_id}, {"result", hex(r.result)}});
  json j{{"format", "euicc-sim-state/1"},
         {"profiles", profiles},
         {"notifications", notifications},
         {"nextSeqNumber", s.next_seq_number},
         {"defaultDpAddress", s.default_dp_address},
         {"rootDsAddress", s.root_ds_address},
         {"eims", eims},
         {"euiccPackageResults", results},
         {"nextAssociationToken", s.next_association_token},
         {"immediateEnable", s.immediate_enable},
         {"immediateEnableSmdpOid", hex(s.immediate_enable_smdp_oid)},
         {"immediateEnableSmdpAddress", s.immediate_enable_smdp_address},
         {"nextIsdp", s.next_isdp}};
  if (s.rollback_iccid) j["rollbackIccid"] = *s.rollback_iccid;
  if (!s.rollback_package_result.empty()) j["rollbackPackageResult"] = hex(s.rollback_package_result);
  if (s.fallback_return_iccid) j["fallbackReturnIccid"] = *s.fallback_return_iccid;
  if (!s.profile_key_id.empty()) j["profileKeyId"] = s.profile_key_id;
  return j;
}

CardState state_from_json(const json& j) {
  if (j.value("format", "") != "euicc-sim-state/1") throw std::runtime_error("unknown state format");
  CardState s;
  for (const auto& p : j.at("profiles")) s.profiles.push_back(profile_from_json(p));
  for (const auto& n : j.at("notifications"))
    s.notifications.push_back(
        {n.at("seqNumber").get<uint32_t>(), static_cast<NotificationEvent>(n.at("event").get<int>()),
         n.at("address").get<std::string>(), n.at("iccid").get<std::string>(), unhex(n.at("notification"))});
  s.next_seq_number = j.at("nextSeqNumber").get<uint32_t>();
  s.default_dp_address = j.value("defaultDpAddress", "");
  s.root_ds_address = j.value("rootDsAddress", s.root_ds_address);
  for (const auto& e : j.at("eims")) {
    EimConfiguration c{e.at("eimId").get<std::string>(), unhex(e.at("configuration")),
                       e.at("counterValue").get<uint64_t>(), std::nullopt};
    if (e.contains("associationToken")) c.association_token = e["associationToken"].get<int64_t>();
    s.eims.push_back(std::move(c));
  }
  // The SGP.32 members below were added later: a state file without them loads with the defaults.
  if (j.contains("euiccPackageResults"))
    for (const auto& r : j["euiccPackageResults"])
      s.euicc_package_results.push_back(
          {r.at("seqNumber").get<uint32_t>(), r.at("eimId").get<std::string>(), unhex(r.at("result"))});
  s.next_association_token = j.value("nextAssociationToken", s.next_association_token);
  s.immediate_enable = j.value("immediateEnable", false);
  if (j.contains("immediateEnableSmdpOid")) s.immediate_enable_smdp_oid = unhex(j["immediateEnableSmdpOid"]);
  s.immediate_enable_smdp_address = j.value("immediateEnableSmdpAddress", "");
  s.next_isdp = j.value("nextIsdp", s.next_isdp);
  if (j.contains("rollbackIccid")) s.rollback_iccid = j["rollbackIccid"].get<std::string>();
  if (j.contains("rollbackPackageResult")) s.rollback_package_result = unhex(j["rollbackPackageResult"]);
  if (j.contains("fallbackReturnIccid")) s.fallback_return_iccid = j["fallbackReturnIccid"].get<std::string>();
  s.profile_key_id = j.value("profileKeyId", "");  // absent: written before sealing
  return s;
}

json to_json(const CardConfig& c) {
  return {{"svn", hex(c.svn)},
          {"profileVersion", hex(c.profile_version)},
          {"firmwareVersion", hex(c.firmware_version)},
          {"globalPlatformVersion", hex(c.global_platform_version)},
          {"ppVersion", hex(c.pp_version)},
          {"iotVersion", hex(c.iot_version)},
          {"freeNonVolatileMemory", c.free_non_volatile_memory},
          {"freeVolatileMemory", c.free_volatile_memory},
          {"maxProfiles", c.max_profiles},
          {"sasAccreditationNumber", c.sas_accreditation_number},
          {"certificationDataPlatform", c.certification_data_platform},
          {"defaultDpAddress", c.default_dp_address},
          {"rootDsAddress", c.root_ds_address}};
}

CardConfig config_from_json(const json& j) {
  CardConfig c;
  auto bytes = [&](const char* key, Bytes& field) {
    if (j.contains(key)) field = unhex(j[key]);
  };
  bytes("svn", c.svn);
  bytes("profileVersion", c.profile_version);
  bytes("firmwareVersion", c.firmware_version);
  bytes("globalPlatformVersion", c.global_platform_version);
  bytes("ppVersion", c.pp_version);
  bytes("iotVersion", c.iot_version);
  c.free_non_volatile_memory = j.value("freeNonVolatileMemory", c.free_non_volatile_memory);
  c.free_volatile_memory = j.value("freeVolatileMemory", c.free_volatile_memory);
  c.max_profiles = j.value("maxProfiles", c.max_profiles);
  c.sas_accreditation_number = j.value("sasAccreditationNumber", c.sas_accreditation_number);
  c.certification_data_platform = j.value("certificationDataPlatform", c.certification_data_platform);
  c.default_dp_address = j.value("defaultDpAddress", c.default_dp_address);
  c.root_ds_address = j.value("rootDsAddress", c.root_ds_address);
  return c;
}

// A sealed package opens only as the package of its own profile.
Bytes package_place(const std::string& iccid) { return rsp::to_bytes("euicc-sim profile package " + iccid); }

template <class T, class Parse>
rsp::Expected<T> load_json(const fs::path& path, Parse parse) {
  auto bytes = rsp::files::read(path);
  if (!bytes) return rsp::Unexpected{bytes.error()};
  try {
    return parse(json::parse(bytes->begin(), bytes->end()));
  } catch (const std::exception& e) {
    return rsp::fail(path.string() + " is damaged: " + e.what());
  }
}

}  // namespace

Profile* CardState::find_profile(const std::string& iccid) {
  for (auto& p : profiles)
    if (p.iccid == iccid) return &p;
  return nullptr;
}

Profile* CardState::enabled_profile() {
  for (auto& p : profiles)
    if (p.state == ProfileState::enabled) return &p;
  return nullptr;
}

bool CardStore::initialised() const { return fs::exists(dir_ / "state.json"); }

rsp::Expected<CardState> CardStore::load_state() const {
  return load_json<CardState>(dir_ / "state.json", state_from_json);
}

rsp::Status<> CardStore::save_state(const CardState& state) const {
  return rsp::files::write_atomic(dir_ / "state.json", to_json(state).dump(1));
}

rsp::Expected<CardConfig> CardStore::load_config() const {
  if (!fs::exists(dir_ / "config.json")) return CardConfig{};
  return load_json<CardConfig>(dir_ / "config.json", config_from_json);
}

rsp::Status<> CardStore::save_config(const CardConfig& config) const {
  return rsp::files::write_atomic(dir_ / "config.json", to_json(config).dump(1));
}

rsp::Status<> CardStore::write_profile_package(const std::string& iccid, rsp::ByteView package) const {
  std::error_code ec;
  fs::create_directories(dir_ / "profiles", ec);
  if (ec) return rsp::fail("cannot create " + (dir_ / "profiles").string() + ": " + ec.message());
  if (!profile_key_)
    return rsp::files::write_atomic(dir_ / "profiles" / (iccid + ".upp"), package, rsp::files::Access::secret);
  return rsp::files::write_atomic(dir_ / "profiles" / (iccid + ".upp"),
                                  profile_key_->seal(package, package_place(iccid)), rsp::files::Access::secret);
}

rsp::Expected<Bytes> CardStore::read_profile_package(const std::string& iccid) const {
  auto stored = rsp::files::read(dir_ / "profiles" / (iccid + ".upp"));
  if (!stored || !rsp::crypto::is_sealed(*stored)) return stored;
  if (!profile_key_)
    return rsp::fail("the profile package of " + iccid + " is sealed, and the card has no profile key");
  auto opened = profile_key_->open(*stored, package_place(iccid));
  if (!opened) return rsp::fail("the profile package of " + iccid + " cannot be opened: " + opened.error().message);
  return opened;
}

void CardStore::remove_profile_package(const std::string& iccid) const {
  std::error_code ec;
  fs::remove(dir_ / "profiles" / (iccid + ".upp"), ec);
}

void CardStore::remove_orphans(const CardState& state) const {
  std::error_code ec;
  if (!fs::is_directory(dir_ / "profiles", ec)) return;
  for (const auto& entry : fs::directory_iterator(dir_ / "profiles", ec)) {
    auto name = entry.path().filename().string();
    bool named = false;
    for (const auto& p : state.profiles) named |= name == p.iccid + ".upp";
    if (!named) fs::remove(entry.path(), ec);  // also stray temp files of an interrupted write
  }
}

}  // namespace euicc
