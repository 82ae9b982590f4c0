// ipa usim authenticate: the enabled profile's USIM answers an AKA challenge (3GPP TS 31.102
// §7.1.2, 3G context) on the basic channel, as a modem would ask it for the network.
#include <memory>
#include <string>

#include "cli.hpp"
#include "rsp/profile_maker.hpp"
#include "usim_authenticate.hpp"

namespace ipa::cli {
namespace {

struct AuthenticateArguments {
  std::string rand;
  std::string autn;
  std::string aid;
};

int authenticate(Context& context, const AuthenticateArguments& args) {
  Output& out = context.out();
  auto rand = rsp::from_hex(args.rand);
  auto autn = rsp::from_hex(args.autn);
  if (!rand || rand->size() != 16) return out.usage("usim authenticate: --rand: 16 bytes in hex");
  if (!autn || autn->size() != 16) return out.usage("usim authenticate: --autn: 16 bytes in hex");
  Bytes aid = rsp::kDefaultUsimAid;
  if (!args.aid.empty()) {
    auto given = rsp::from_hex(args.aid);
    if (!given || given->size() < 5 || given->size() > 16)
      return out.usage("usim authenticate: --aid: 5 to 16 bytes in hex");
    aid = std::move(*given);
  }
  auto transport = context.transport();
  if (!transport) return out.failure(transport.error().message);
  Es10Channel basic(**transport);  // never opened: the basic channel
  auto answer = usim::authenticate(basic, aid, *rand, *autn);
  if (!answer) return out.failure("usim authenticate: " + answer.error().message);
  switch (answer->outcome) {
    case usim::AuthenticateAnswer::Outcome::mac_failure:
      return out.failure("usim authenticate: MAC failure (98 62): AUTN was not made with this USIM's key");
    case usim::AuthenticateAnswer::Outcome::synchronisation_failure:
      out.text("AUTS: " + rsp::to_hex(answer->auts));
      return out.failure(
          "usim authenticate: synchronisation failure: the SQN is not fresh; AUTS " + rsp::to_hex(answer->auts),
          {{"auts", rsp::to_hex(answer->auts)}});
    case usim::AuthenticateAnswer::Outcome::success: break;
  }
  json data = {{"res", rsp::to_hex(answer->res)}, {"ck", rsp::to_hex(answer->ck)}, {"ik", rsp::to_hex(answer->ik)}};
  out.text("RES: " + rsp::to_hex(answer->res));
  out.text("CK: " + rsp::to_hex(answer->ck));
  out.text("IK: " + rsp::to_hex(answer->ik));
  if (answer->kc) {
    data["kc"] = rsp::to_hex(*answer->kc);
    out.text("Kc: " + rsp::to_hex(*answer->kc));
  }
  return out.success(std::move(data));
}

}  // namespace

void add_usim_commands(CLI::App& app, Action& action) {
  auto* usim = app.add_subcommand("usim", "the enabled profile's USIM");
  usim->require_subcommand(1);
  auto args = std::make_shared<AuthenticateArguments>();
  auto* command =
      usim->add_subcommand("authenticate", "AUTHENTICATE (3G context): RES, CK, IK, or AUTS on a sync failure");
  command->add_option("--rand", args->rand, "RAND, 16 bytes in hex")->required();
  command->add_option("--autn", args->autn, "AUTN, 16 bytes in hex")->required();
  command->add_option("--aid", args->aid, "ADF.USIM's AID in hex (default A0000000871002FF49FF0589)");
  command->callback([&action, args] { action = [args](Context& c) { return authenticate(c, *args); }; });
}

}  // namespace ipa::cli
