// ipa addresses | set-default-smdp: the addresses the eUICC keeps for zero-touch provisioning
// (SGP.22 v2.5 §5.7.3 ES10a.GetEuiccConfiguredAddresses, §5.7.4 ES10a.SetDefaultDpAddress), the
// second for the factory step.
#include <memory>
#include <string>

#include "cli.hpp"
#include "ipa/es10a.hpp"

namespace ipa::cli {
namespace {

json addresses_data(const es10a::EuiccConfiguredAddresses& a) {
  return {{"defaultDpAddress", a.default_dp_address ? json(*a.default_dp_address) : json()},
          {"rootDsAddress", a.root_ds_address}};
}

int addresses(Context& context) {
  Output& out = context.out();
  auto* channel = context.card();
  if (!channel) return kFailed;
  auto a = es10a::get_euicc_configured_addresses(*channel);
  if (!a) return out.failure("addresses: " + a.error().message);
  out.text("default SM-DP+: " + a->default_dp_address.value_or("(none)"));
  out.text("root SM-DS: " + a->root_ds_address);
  return out.success(addresses_data(*a));
}

int set_default_smdp(Context& context, const std::string& address) {
  Output& out = context.out();
  auto* channel = context.card();
  if (!channel) return kFailed;
  if (auto done = es10a::set_default_dp_address(*channel, address); !done)
    return out.failure("set-default-smdp: " + done.error().message);
  out.text(address.empty() ? "default SM-DP+ address removed" : "default SM-DP+ address set to " + address);
  return out.success({{"defaultDpAddress", address.empty() ? json() : json(address)}});
}

}  // namespace

void add_address_commands(CLI::App& app, Action& action) {
  app.add_subcommand("addresses", "the eUICC's default SM-DP+ and root SM-DS addresses")->callback([&action] {
    action = addresses;
  });
  auto address = std::make_shared<std::string>();
  auto* set =
      app.add_subcommand("set-default-smdp", "ES10a.SetDefaultDpAddress: the default SM-DP+ address (\"\" removes it)");
  set->add_option("ADDR", *address, "the SM-DP+ address")->required();
  set->callback([&action, address] { action = [address](Context& c) { return set_default_smdp(c, *address); }; });
}

}  // namespace ipa::cli
