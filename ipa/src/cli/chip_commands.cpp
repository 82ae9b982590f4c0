// ipa eid | info | memory-reset: the eUICC as a whole (SGP.22 v2.5 §5.7.20 GetEID, §5.7.8
// GetEUICCInfo, §5.7.3 GetEuiccConfiguredAddresses, §5.7.19 eUICCMemoryReset).
#include <string>
#include <vector>

#include "cli.hpp"
#include "ipa/es10a.hpp"
#include "ipa/es10b.hpp"
#include "ipa/es10c.hpp"
#include "rsp/tlv.hpp"

namespace ipa::cli {
namespace {

// VersionType: three bytes, major.minor.revision.
std::string version(ByteView v) {
  std::string out;
  for (uint8_t b : v) out += (out.empty() ? "" : ".") + std::to_string(b);
  return out;
}

uint64_t unsigned_value(ByteView v) {
  uint64_t n = 0;
  for (uint8_t b : v) n = n << 8 | b;
  return n;
}

std::vector<std::string> key_ids(ByteView sequence_contents) {
  std::vector<std::string> out;
  auto keys = rsp::tlv::read_all(sequence_contents);
  if (keys)
    for (const auto& k : *keys) out.push_back(rsp::to_hex(k.value));
  return out;
}

// The parts of EUICCInfo2 ('BF22') people ask for, under lpac's names.
json euicc_info2(ByteView info2) {
  json out = json::object();
  auto outer = rsp::tlv::read(info2);
  if (!outer) return out;
  auto fields = rsp::tlv::read_all(outer->value);
  if (!fields) return out;
  for (const auto& f : *fields) {
    switch (f.tag) {
      case 0x81: out["profileVersion"] = version(f.value); break;
      case 0x82: out["svn"] = version(f.value); break;
      case 0x83: out["euiccFirmwareVer"] = version(f.value); break;
      case 0x84: {
        // extCardResource (ETSI TS 102 226 §8.2.1.7.2): installed applications, free non-volatile and volatile memory.
        json resource = json::object();
        if (auto parts = rsp::tlv::read_all(f.value))
          for (const auto& p : *parts) {
            if (p.tag == 0x81) resource["installedApplication"] = unsigned_value(p.value);
            if (p.tag == 0x82) resource["freeNonVolatileMemory"] = unsigned_value(p.value);
            if (p.tag == 0x83) resource["freeVolatileMemory"] = unsigned_value(p.value);
          }
        out["extCardResource"] = resource;
        break;
      }
      case 0xA9: out["euiccCiPKIdListForVerification"] = key_ids(f.value); break;
      case 0xAA: out["euiccCiPKIdListForSigning"] = key_ids(f.value); break;
      default: break;
    }
  }
  return out;
}

std::string joined(const json& list) {
  std::string out;
  if (list.is_array())
    for (const auto& k : list) out += (out.empty() ? "" : ", ") + k.get<std::string>();
  return out.empty() ? "(none)" : out;
}

int eid(Context& context) {
  auto* channel = context.card();
  if (!channel) return kFailed;
  auto value = es10c::get_eid(*channel);
  if (!value) return context.out().failure("eid: " + value.error().message);
  context.out().text(*value);
  return context.out().success({{"eidValue", *value}});
}

int info(Context& context) {
  Output& out = context.out();
  auto* channel = context.card();
  if (!channel) return kFailed;
  auto eid_value = es10c::get_eid(*channel);
  if (!eid_value) return out.failure("info: " + eid_value.error().message);
  auto info2 = es10b::get_euicc_info2(*channel);
  if (!info2) return out.failure("info: " + info2.error().message);
  auto profiles = es10c::get_profiles_info(*channel);
  if (!profiles) return out.failure("info: " + profiles.error().message);
  json data = {{"eidValue", *eid_value}, {"EUICCInfo2", euicc_info2(*info2)}, {"profileCount", profiles->size()}};
  // The configured addresses are extra: a card without ES10a still has the rest.
  if (auto addresses = es10a::get_euicc_configured_addresses(*channel)) {
    data["EuiccConfiguredAddresses"] = {
        {"defaultDpAddress", addresses->default_dp_address ? json(*addresses->default_dp_address) : json()},
        {"rootDsAddress", addresses->root_ds_address}};
  }

  const json& i2 = data["EUICCInfo2"];
  out.text("EID: " + *eid_value);
  out.text("SVN: " + i2.value("svn", std::string("?")));
  out.text("firmware: " + i2.value("euiccFirmwareVer", std::string("?")) +
           ", profile package version: " + i2.value("profileVersion", std::string("?")));
  out.text("CI keys for verification: " + joined(i2.value("euiccCiPKIdListForVerification", json::array())));
  out.text("CI keys for signing: " + joined(i2.value("euiccCiPKIdListForSigning", json::array())));
  json resource = i2.value("extCardResource", json::object());
  auto bytes = [&](const char* key) {
    return resource.contains(key) ? std::to_string(resource[key].get<uint64_t>()) + " bytes" : "?";
  };
  out.text("free memory: " + bytes("freeNonVolatileMemory") + " non-volatile, " + bytes("freeVolatileMemory") +
           " volatile");
  out.text("profiles: " + std::to_string(profiles->size()));
  if (data.contains("EuiccConfiguredAddresses")) {
    const json& a = data["EuiccConfiguredAddresses"];
    out.text("default SM-DP+: " +
             (a["defaultDpAddress"].is_null() ? std::string("(none)") : a["defaultDpAddress"].get<std::string>()));
    out.text("root SM-DS: " + a["rootDsAddress"].get<std::string>());
  }
  return out.success(std::move(data));
}

int memory_reset(Context& context, bool confirmed) {
  Output& out = context.out();
  if (!confirmed)
    return out.failure(
        "memory-reset refused: it deletes every operational profile on the eUICC; say --yes to go ahead");
  auto* channel = context.card();
  if (!channel) return kFailed;
  es10c::MemoryResetOptions reset;
  reset.delete_operational_profiles = true;
  auto done = es10c::euicc_memory_reset(*channel, reset);
  if (!done) return out.failure("memory-reset: " + done.error().message);
  out.text("memory reset: the operational profiles are deleted");
  return out.success();
}

}  // namespace

void add_chip_commands(CLI::App& app, Action& action) {
  app.add_subcommand("eid", "print the EID")->callback([&action] { action = eid; });
  app.add_subcommand("info", "EID, SVN, CI key ids, free memory, profile count")->callback([&action] {
    action = info;
  });
  auto confirmed = std::make_shared<bool>(false);
  auto* reset = app.add_subcommand("memory-reset", "eUICCMemoryReset: delete the operational profiles (needs --yes)");
  reset->add_flag("--yes", *confirmed, "yes, delete them");
  reset->callback([&action, confirmed] { action = [confirmed](Context& c) { return memory_reset(c, *confirmed); }; });
}

}  // namespace ipa::cli
