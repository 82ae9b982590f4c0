// rsp-conformance: runs the conformance cases of one role against a target and reports them
// (terminal progress and summary, JUnit XML, --json lines, HTML, --record), and replays a recorded
// run. Exit 0 when nothing failed, 1 when a case failed or the target could not be reached, 2 for
// usage errors.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>

#include "case.hpp"
#include "case_loop.hpp"
#include "eim_run.hpp"
#include "ipa/transport.hpp"
#include "ipa_target.hpp"
#include "recording_transport.hpp"
#include "replay.hpp"
#include "smdp_run.hpp"

namespace {

using namespace conformance;

int list(const std::string& role) {
  for (const Case* c : select(role, {}))
    std::cout << c->id << "  [" << c->role << "]  " << c->section << "\n    sends: " << c->sends
              << "\n    expects: " << c->expects << "\n";
  if (role.empty() || role == "ipa")
    std::cout << "\nrun --role ipa --ipa-command CMDLINE placeholders: " << kIpaPlaceholders
              << "\n--ipa-poll-command CMDLINE placeholders: " << kIpaPollPlaceholders << "\n";
  return 0;
}

int run(RunSettings settings, const std::string& euicc, const std::string& pattern, const std::string& pki,
        bool destructive) {
  auto chosen = select(settings.role, pattern);
  if (euicc.empty()) {
    std::cerr << "rsp-conformance: run --role euicc needs --euicc tcp:HOST:PORT|pcsc:READER\n";
    return 2;
  }
  if (chosen.empty()) {
    std::cerr << "rsp-conformance: no case matches " << pattern << "\n";
    return 2;
  }
  auto transport = ipa::open_transport(euicc);
  if (!transport) {
    std::cerr << "rsp-conformance: cannot open the eUICC at " << euicc << ": " << transport.error().message << "\n";
    return 1;
  }
  if (auto atr = (*transport)->connect(); !atr) {
    std::cerr << "rsp-conformance: cannot reach the eUICC at " << euicc << ": " << atr.error().message << "\n";
    return 1;
  }
  ExchangeLog log;
  RecordingTransport recording(**transport, log);
  ipa::Es10Channel channel(recording);
  EuiccTarget target{channel, log};
  if (!pki.empty()) target.pki = pki;
  target.destructive = destructive;
  settings.target = euicc;
  return run_cases(settings, chosen, log, [&](const Case& c) { return c.run(target); });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rsp-conformance: SGP.22 / SGP.32 conformance cases against an eUICC or an SM-DP+ (more roles to come)"};
  app.require_subcommand(1);
  std::string role, euicc, pattern;
  bool destructive = false;
  RunSettings reports;
  SmdpRunOptions smdp;
  auto* list_command = app.add_subcommand("list", "the cases: ID, role, section, what each sends and expects");
  list_command->add_option("--role", role, "only this role's cases");
  auto* run_command = app.add_subcommand("run", "run a role's cases against a target");
  run_command->add_option("--role", role, "euicc, smdp, smds, ipa, eim")->required();
  std::string ipa_command;
  run_command->add_option(
      "--ipa-command", ipa_command,
      std::string("ipa role: the command line that starts the IPA under test, once per download; ") + kIpaPlaceholders);
  IpaRunOptions ipa_options;
  run_command->add_option(
      "--ipa-vpcd", ipa_options.vpcd,
      "ipa role: put each harness card into pcscd's vpcd reader at HOST:PORT (the IPA reaches it through PC/SC, "
      "{euicc} = pcsc:READER) instead of serving it on TCP");
  run_command->add_option("--ipa-reader", ipa_options.reader,
                          "ipa role, with --ipa-vpcd: that reader's PC/SC name (default Virtual PCD 00 00)");
  std::string ipa_poll_command;
  run_command->add_option(
      "--ipa-poll-command", ipa_poll_command,
      std::string(
          "ipa role: the command line that runs one ESipa poll round of the IPA under test (the ESipa cases are "
          "n/a without it); ") +
          kIpaPollPlaceholders);
  run_command->add_option("--euicc", euicc, "tcp:HOST:PORT | pcsc:READER, as for ipa --euicc");
  run_command->add_option("--smdp", smdp.url, "smdp role: the SM-DP+'s ES9+, https://HOST[:PORT]");
  std::string smds_url;
  run_command->add_option("--smds", smds_url, "smds role: the SM-DS's ES11, https://HOST[:PORT]");
  std::string eim_url, owner_url, owner_cert, owner_key;
  run_command->add_option("--eim", eim_url, "eim role: the eIM's ESipa, https://HOST[:PORT]");
  run_command->add_option("--owner-url", owner_url,
                          "eim role: the eIM's owner API, https://HOST:PORT (to register the harness's devices)");
  run_command->add_option("--owner-cert", owner_cert, "eim role: the owner's client certificate (PEM)");
  run_command->add_option("--owner-key", owner_key, "eim role: its private key (PEM)");
  std::string relay_smdp;
  run_command->add_option("--relay-smdp", relay_smdp,
                          "eim role: an SM-DP+ address the eIM relays the indirect profile download to");
  run_command->add_option("--pki", smdp.pki,
                          "an rsp-pki directory: the credentials the harness plays with and the CIs it trusts");
  run_command->add_option("--binding", smdp.binding, "smdp, eim roles: json (default) or asn1");
  run_command->add_option("--operator-cert", smdp.operator_cert,
                          "smdp role: the operator's ES2+ client certificate (PEM), to place orders");
  run_command->add_option("--operator-key", smdp.operator_key, "smdp role: its private key (PEM)");
  run_command->add_option("--operator-id", smdp.operator_id, "smdp role: the operator's functionRequesterIdentifier");
  run_command->add_option("--operator2-cert", smdp.operator2_cert,
                          "smdp role: a second operator's ES2+ client certificate (isolation cases)");
  run_command->add_option("--operator2-key", smdp.operator2_key, "smdp role: its private key (PEM)");
  run_command->add_option("--operator2-id", smdp.operator2_id, "smdp role: its functionRequesterIdentifier");
  run_command->add_option("--es2", smdp.es2_url,
                          "smdp role: the SM-DP+'s ES2+, https://HOST:PORT (default: the --smdp URL)");
  run_command->add_option("--profile-type", smdp.profile_type, "smdp role: the profile type ordered (default demo)");
  run_command->add_option("--case", pattern, "only cases whose ID matches this glob");
  run_command->add_option("--junit", reports.junit, "write JUnit XML here");
  run_command->add_option("--html", reports.html,
                          "write a self-contained HTML report with each case's decoded exchange here");
  run_command->add_option("--record", reports.record,
                          "keep every exchange byte for byte in this directory (for replay)");
  run_command->add_flag("--destructive", destructive, "euicc role: cases may install a test profile, then delete it");
  run_command->add_flag("--json", reports.json, "one JSON line per case on stdout (progress goes to stderr)");
  ReplayOptions replay_options;
  auto* replay_command = app.add_subcommand("replay", "play a --record'ed run back against a target, byte for byte");
  replay_command->add_option("dir", replay_options.dir, "the --record directory")->required();
  replay_command->add_option("--case", replay_options.pattern, "only recorded cases whose ID matches this glob");
  replay_command->add_option("--euicc", replay_options.euicc,
                             "the card for recorded APDUs: tcp:HOST:PORT | pcsc:READER");
  replay_command->add_option("--url", replay_options.url,
                             "the server for recorded HTTP requests (default: the recorded target)");
  replay_command->add_option("--pki", replay_options.pki,
                             "an rsp-pki directory whose CI the server's TLS certificate chains to");
  replay_command->add_flag("--json", replay_options.json, "one JSON line per exchange on stdout");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (!role.empty() && std::find(roles().begin(), roles().end(), role) == roles().end()) {
    std::cerr << "rsp-conformance: unknown role " << role << " (euicc, smdp, smds, ipa, eim)\n";
    return 2;
  }
  if (*list_command) return list(role);
  if (*replay_command) return replay(replay_options);
  reports.role = role;
  if (role == "smdp" || role == "eim" || role == "smds") reports.binding = smdp.binding;
  if (role == "smdp") return run_smdp(smdp, select(role, pattern), reports);
  if (role == "ipa") {
    ipa_options.command = ipa_command;
    ipa_options.poll_command = ipa_poll_command;
    ipa_options.pki = smdp.pki;
    return run_ipa(ipa_options, select(role, pattern), reports);
  }
  if (role == "eim")
    return run_eim({eim_url, smdp.pki, smdp.binding, owner_url, owner_cert, owner_key, relay_smdp},
                   select(role, pattern), reports);
  if (role == "smds") {
    if (smds_url.empty()) {
      std::cerr << "rsp-conformance: run --role smds needs --smds https://HOST[:PORT]\n";
      return 2;
    }
    smdp.url = smds_url;
    return run_smdp(smdp, select(role, pattern), reports);
  }
  if (role != "euicc") {
    std::cerr << "rsp-conformance: no cases for this role yet (" << role << ")\n";
    return 2;
  }
  return run(reports, euicc, pattern, smdp.pki, destructive);
}
