// ipa profile list | enable | disable | delete | nickname: local profile management, SGP.22 v2.5
// §5.7.15 ES10c.GetProfilesInfo, §5.7.16 EnableProfile, §5.7.17 DisableProfile, §5.7.18
// DeleteProfile, §5.7.21 SetNickname.
#include <cctype>
#include <memory>
#include <string>

#include "cli.hpp"
#include "ipa/es10c.hpp"
#include "rsp/iccid.hpp"

namespace ipa::cli {
namespace {

const char* state_name(const std::optional<es10c::ProfileState>& s) {
  if (!s) return nullptr;
  return *s == es10c::ProfileState::enabled ? "enabled" : "disabled";
}

const char* class_name(const std::optional<es10c::ProfileClass>& c) {
  if (!c) return nullptr;
  switch (*c) {
    case es10c::ProfileClass::test: return "test";
    case es10c::ProfileClass::provisioning: return "provisioning";
    case es10c::ProfileClass::operational: return "operational";
  }
  return nullptr;
}

json text_or_null(const std::string& s) { return s.empty() ? json() : json(s); }
json text_or_null(const char* s) { return s ? json(s) : json(); }

std::string lower_hex(ByteView bytes) {
  std::string hex = rsp::to_hex(bytes);
  for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return hex;
}

int list_profiles(Context& context) {
  Output& out = context.out();
  auto* channel = context.card();
  if (!channel) return kFailed;
  auto profiles = es10c::get_profiles_info(*channel);
  if (!profiles) return out.failure("profile list: " + profiles.error().message);
  json data = json::array();
  for (const auto& p : *profiles) {
    data.push_back({{"iccid", p.iccid},
                    {"isdpAid", lower_hex(p.isdp_aid)},
                    {"profileState", text_or_null(state_name(p.state))},
                    {"profileNickname", text_or_null(p.nickname)},
                    {"serviceProviderName", text_or_null(p.service_provider_name)},
                    {"profileName", text_or_null(p.profile_name)},
                    {"profileClass", text_or_null(class_name(p.profile_class))}});
    auto field = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
    const char* state = state_name(p.state);
    const char* profile_class = class_name(p.profile_class);
    out.text(p.iccid + "\t" + (state ? state : "-") + "\t" + (profile_class ? profile_class : "-") + "\t" +
             field(p.service_provider_name) + "\t" + field(p.profile_name) + "\t" + field(p.nickname));
  }
  if (profiles->empty()) out.text("no profiles");
  return out.success(std::move(data));
}

struct ProfileArguments {
  std::string iccid;
  std::string nickname;
  bool no_refresh = false;
};

enum class Operation { enable, disable, remove, nickname };

int change(Context& context, Operation operation, const ProfileArguments& args) {
  static const char* const kNames[] = {"enable", "disable", "delete", "nickname"};
  const std::string command = std::string("profile ") + kNames[static_cast<int>(operation)];
  Output& out = context.out();
  auto iccid = rsp::iccid::normalise(args.iccid);
  if (!iccid) return out.usage(command + ": " + args.iccid + " is not an ICCID (" + iccid.error().message + ")");
  auto* channel = context.card();
  if (!channel) return kFailed;
  const auto profile = es10c::ProfileIdentifier::by_iccid(*iccid);
  Es10Status done = rsp::Ok{};
  std::string what;
  switch (operation) {
    case Operation::enable:
      done = es10c::enable_profile(*channel, profile, !args.no_refresh);
      what = "enabled " + *iccid;
      break;
    case Operation::disable:
      done = es10c::disable_profile(*channel, profile, true);
      what = "disabled " + *iccid;
      break;
    case Operation::remove:
      done = es10c::delete_profile(*channel, profile);
      what = "deleted " + *iccid;
      break;
    case Operation::nickname:
      done = es10c::set_nickname(*channel, *iccid, args.nickname);
      what = "nickname of " + *iccid + " set to \"" + args.nickname + "\"";
      break;
  }
  if (!done) return out.failure(command + " " + *iccid + ": " + done.error().message);
  out.text(what);
  return out.success();
}

}  // namespace

void add_profile_commands(CLI::App& app, Action& action) {
  auto* profile = app.add_subcommand("profile", "the profiles on the eUICC");
  profile->require_subcommand(1);
  profile->add_subcommand("list", "ICCID, state, class, provider, name, nickname per line")->callback([&action] {
    action = list_profiles;
  });

  auto args = std::make_shared<ProfileArguments>();
  auto operation = [&action, args](Operation o) {
    return [&action, args, o] { action = [args, o](Context& c) { return change(c, o, *args); }; };
  };
  auto* enable = profile->add_subcommand("enable", "EnableProfile");
  enable->add_option("ICCID", args->iccid, "the profile's ICCID")->required();
  enable->add_flag("--no-refresh", args->no_refresh, "refreshFlag false: the device does not reset the UICC");
  enable->callback(operation(Operation::enable));
  auto* disable = profile->add_subcommand("disable", "DisableProfile");
  disable->add_option("ICCID", args->iccid, "the profile's ICCID")->required();
  disable->callback(operation(Operation::disable));
  auto* remove = profile->add_subcommand("delete", "DeleteProfile (the profile must be disabled)");
  remove->add_option("ICCID", args->iccid, "the profile's ICCID")->required();
  remove->callback(operation(Operation::remove));
  auto* nickname = profile->add_subcommand("nickname", "SetNickname (at most 64 characters; \"\" clears it)");
  nickname->add_option("ICCID", args->iccid, "the profile's ICCID")->required();
  nickname->add_option("NAME", args->nickname, "the nickname")->required();
  nickname->callback(operation(Operation::nickname));
}

}  // namespace ipa::cli
