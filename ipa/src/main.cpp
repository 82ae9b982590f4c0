// ipa: the IoT Profile Assistant's command line (issue 5). One eUICC per run, named by --euicc;
// every command prints readable text, or with --json one lpac-shaped JSON object per line.
#include <chrono>
#include <iostream>

#include "cli/cli.hpp"

int main(int argc, char** argv) {
  using namespace ipa::cli;
  CLI::App app{
      "ipa: the IoT Profile Assistant (SGP.22 v2.5 / SGP.32 v1.2): profiles, downloads and "
      "notifications of one eUICC"};
  app.require_subcommand(1);
  app.fallthrough();  // the global options may also follow the command

  GlobalOptions options;
  app.add_option("--euicc", options.euicc,
                 "tcp:HOST:PORT | pcsc:READER (index or part of the name) | at:DEV; default $IPA_EUICC, else pcsc:0");
  app.add_flag("--json", options.json, "one JSON object per line, shaped like lpac's");
  app.add_option("--isdr-aid", options.isdr_aid,
                 "the ISD-R's AID in hex, for vendor cards (default A0000005591010FFFFFFFF8900000100)");
  app.add_option("--segment-size", options.segment_size, "bytes per STORE DATA block, 6..255 (default 255)")
      ->check(CLI::Range(size_t{ipa::Es10Channel::kMinSegmentSize}, size_t{ipa::Es10Channel::kMaxSegmentSize}));
  app.add_flag("--trace", options.trace, "print each APDU (-> command, <- response) on stderr");
  double card_timeout = std::chrono::duration<double>(options.card_timeout).count();
  double command_timeout = std::chrono::duration<double>(options.command_timeout).count();
  app.add_option("--card-timeout", card_timeout,
                 "SECONDS for one APDU exchange with the card, its whole answer (tcp, at)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--command-timeout", command_timeout,
                 "SECONDS for one ES10 command with all its APDUs (STORE DATA blocks, GET RESPONSEs)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  bool conformance_harness = false;
  std::vector<std::string> faults;
  app.add_flag("--conformance-harness", conformance_harness, "allow --fault (never in normal runs)");
  app.add_option("--fault", faults,
                 "conformance harness only: a named misbehaviour (repeatable): oversize-segment, "
                 "alter-relay, skip-cancel-session, remove-notification-early, wrong-eid");

  Action action;
  add_chip_commands(app, action);
  add_profile_commands(app, action);
  add_download_command(app, action);
  add_discover_command(app, action);
  add_address_commands(app, action);
  add_notification_commands(app, action);
  add_usim_commands(app, action);
  add_eim_commands(app, action);
  add_poll_commands(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::cerr << "ipa: " << e.what() << "\n";
    return kUsage;
  }
  options.card_timeout = std::chrono::milliseconds(static_cast<long long>(card_timeout * 1000));
  options.command_timeout = std::chrono::milliseconds(static_cast<long long>(command_timeout * 1000));
  if (!options.isdr_aid.empty()) {
    auto aid = rsp::from_hex(options.isdr_aid);
    if (!aid || aid->size() < 5 || aid->size() > 16) {
      std::cerr << "ipa: --isdr-aid: 5 to 16 bytes in hex\n";
      return kUsage;
    }
  }
  for (const auto& f : faults) {
    if (!conformance_harness) {
      std::cerr << "ipa: --fault needs --conformance-harness\n";
      return kUsage;
    }
    if (!kIpaFaults.count(f)) {
      std::cerr << "ipa: unknown fault " << f << "\n";
      return kUsage;
    }
    std::cerr << "ipa: WARNING: fault '" << f << "' is active: this IPA misbehaves\n";
    options.faults.insert(f);
  }
  if (!action) {
    std::cerr << "ipa: say what to do; see ipa --help\n";
    return kUsage;
  }
  Context context(options);
  return action(context);
}
