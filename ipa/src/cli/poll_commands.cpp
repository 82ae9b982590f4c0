// ipa poll | run: the IPAd (SGP.32 v1.2 §3.1.1). poll is one round against the eUICC's eIM
// (GetEimPackage until nothing is left, each package run and its result provided, results kept
// on the card reported first, the card's profile notifications sent last); run repeats rounds
// every --interval seconds, backing off after failed rounds, until SIGINT/SIGTERM (the current
// step finishes, then exit 0) or --rounds.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cli.hpp"
#include "es9_flags.hpp"
#include "ipa/ipad.hpp"

namespace ipa::cli {
namespace {

struct PollArguments {
  std::string eim_id;
  std::string binding = "asn1";
  std::vector<std::string> eim_ca_files;
  std::string eim_address;
  Es9Flags es9;
  std::optional<uint16_t> smds_port;
  int max_packages = 16;
  bool indirect_download = false;
  bool minimize_esipa_bytes = false;
  // run only
  double interval = 60;
  double max_backoff = 3600;
  std::optional<long> rounds;
};

std::atomic<bool> g_stop{false};
extern "C" void request_stop(int) { g_stop = true; }

IpadOptions ipad_options(const PollArguments& args, Context& c) {
  Output& out = c.out();
  IpadOptions o;
  o.download.faults = c.options().faults;  // ipa --conformance-harness --fault
  if (!args.eim_id.empty()) o.eim_id = args.eim_id;
  if (!args.eim_address.empty()) o.eim_address = args.eim_address;
  o.esipa.binding = args.binding == "json" ? EsipaBinding::json : EsipaBinding::asn1;
  for (const auto& f : args.eim_ca_files) o.esipa.http.trusted_ca_files.emplace_back(f);
  o.download.es9 = es9_options(args.es9, out);
  o.smds_port = args.smds_port;
  o.max_packages = args.max_packages;
  o.indirect_download = args.indirect_download;
  o.minimize_esipa_bytes = args.minimize_esipa_bytes;
  o.stop_requested = [] { return g_stop.load(); };
  return o;
}

json summary_data(const PollSummary& s) {
  json data = {{"eid", s.eid},
               {"eimId", s.eim_id},
               {"eimAddress", s.eim_address},
               {"packages", s.packages},
               {"euiccPackages", s.euicc_packages},
               {"ipaEuiccData", s.ipa_euicc_data},
               {"downloadTriggers", s.download_triggers},
               {"indirectDownloads", s.indirect_downloads},
               {"resultsReported", s.results_reported},
               {"resultsRemoved", s.results_removed},
               {"notificationsSent", s.notifications_sent},
               {"notificationsKept", s.notifications_kept},
               {"binding", esipa_binding_name(s.binding)},
               {"esipaBytesSent", s.esipa.bytes_sent},
               {"esipaBytesReceived", s.esipa.bytes_received},
               {"es9BytesSent", s.es9.bytes_sent},
               {"es9BytesReceived", s.es9.bytes_received}};
  data["eimPackageError"] = s.eim_package_error ? json(*s.eim_package_error) : json();
  data["errors"] = s.errors;
  return data;
}

int poll(Context& c, const PollArguments& args) {
  Es10Channel* card = c.card();
  if (!card) return kFailed;
  PollSummary summary = poll_eim(*card, ipad_options(args, c));
  if (!summary.success) return c.out().failure(summary.line(), summary_data(summary));
  c.out().text(summary.line());
  return c.out().success(summary_data(summary));
}

// Waits `seconds`, waking early for a stop request.
void sleep_unless_stopped(double seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!g_stop && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

// After `failures` failed rounds in a row: the interval doubled per failure (at most max_backoff),
// plus up to a quarter of it at random so that a fleet does not poll its eIM in step.
double next_wait(const PollArguments& args, int failures) {
  double wait = args.interval;
  for (int i = 0; i < failures && wait < args.max_backoff; ++i) wait = std::max(wait * 2, 1.0);
  wait = std::min(wait, args.max_backoff);
  if (failures == 0) return wait;
  thread_local std::mt19937 random{std::random_device{}()};
  return wait + std::uniform_real_distribution<double>(0, wait / 4)(random);
}

// The eUICC went away (a modem reset, euicc-sim restarted): the transport connects afresh and the
// channel reopens at its next call. A card still gone fails the next round the same way.
void reconnect(Context& c, Es10Channel& card) {
  card.close();
  auto transport = c.transport();
  if (!transport) return;
  (*transport)->close();
  if (auto atr = (*transport)->connect(); !atr)
    c.out().warning("the eUICC is still unreachable: " + atr.error().message);
}

int run(Context& c, const PollArguments& args) {
  Es10Channel* card = c.card();
  if (!card) return kFailed;
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  IpadOptions options = ipad_options(args, c);
  long rounds = 0, packages = 0, failed_rounds = 0;
  int failures = 0;
  bool last_ok = true;
  while (!g_stop && (!args.rounds || rounds < *args.rounds)) {
    PollSummary summary = poll_eim(*card, options);
    ++rounds;
    packages += summary.packages;
    last_ok = summary.success;
    std::string line = "round " + std::to_string(rounds) + ": " + summary.line();
    if (c.out().is_json())
      c.out().progress(line);
    else if (summary.success)
      c.out().text(line);
    else
      c.out().warning(line);
    std::cout << std::flush;  // a daemon's output goes to a file or a pipe: one line per round as it happens
    if (summary.card_unreachable) reconnect(c, *card);
    failures = summary.success ? 0 : failures + 1;
    failed_rounds += summary.success ? 0 : 1;
    if (g_stop || (args.rounds && rounds >= *args.rounds)) break;
    // A round that stopped at --max-packages leaves work at the eIM: the next one starts at once.
    if (summary.success && summary.packages >= args.max_packages) continue;
    sleep_unless_stopped(next_wait(args, failures));
  }
  json data = {{"rounds", rounds}, {"packages", packages}, {"failedRounds", failed_rounds}, {"stopped", g_stop.load()}};
  if (!g_stop && !last_ok) return c.out().failure("the last round failed", data);
  c.out().text(std::to_string(rounds) + " rounds, " + std::to_string(packages) + " packages");
  return c.out().success(data);
}

void add_poll_flags(CLI::App& command, PollArguments& args) {
  command.add_option("--eim-id", args.eim_id, "the eIM to poll (default: the eUICC's first)");
  command.add_option("--binding", args.binding, "ESipa binding: asn1 (default) or json")
      ->check(CLI::IsMember({"json", "asn1"}));
  command
      .add_option(
          "--eim-ca", args.eim_ca_files,
          "CA certificate (PEM) the eIM's TLS certificate must chain to, when its configuration on the eUICC has none "
          "(repeatable)")
      ->check(CLI::ExistingFile);
  command.add_option("--eim-address", args.eim_address, "HOST[:PORT] instead of the eIM's eimFqdn (lab set-ups)");
  command
      .add_option("--ca", args.es9.ca_files,
                  "CA certificate (PEM) for the SM-DP+/SM-DS of download triggers (repeatable)")
      ->check(CLI::ExistingFile);
  command.add_option("--smdp-port", args.es9.port, "download triggers: connect to the SM-DP+ on this port");
  command.add_option("--smds-port", args.smds_port, "download triggers: connect to the SM-DS on this port");
  command.add_option("--es9-binding", args.es9.binding, "ES9+ binding of download triggers: json (default) or asn1")
      ->check(CLI::IsMember({"json", "asn1"}));
  command.add_flag("--indirect-download", args.indirect_download,
                   "download triggers through the eIM (ES9+ relayed over ESipa) when its configuration offers it");
  command
      .add_flag("--minimize-esipa-bytes", args.minimize_esipa_bytes,
                "with --indirect-download: the compact ESipa forms (minimizeEsipaBytes), rebuilt by the eIM")
      ->needs(command.get_option("--indirect-download"));
  command.add_option("--max-packages", args.max_packages, "eIM Packages per round at most (default 16)")
      ->check(CLI::Range(1, 1000));
}

}  // namespace

void add_poll_commands(CLI::App& app, Action& action) {
  auto poll_args = std::make_shared<PollArguments>();
  auto* poll_command =
      app.add_subcommand("poll", "one ESipa round with the eIM: get its packages, run them, report the results");
  add_poll_flags(*poll_command, *poll_args);
  poll_command->callback([&action, poll_args] { action = [poll_args](Context& c) { return poll(c, *poll_args); }; });

  auto run_args = std::make_shared<PollArguments>();
  auto* run_command = app.add_subcommand("run", "the IPAd: poll rounds every --interval seconds until SIGINT/SIGTERM");
  add_poll_flags(*run_command, *run_args);
  run_command->add_option("--interval", run_args->interval, "seconds between rounds (default 60)")
      ->check(CLI::Range(0.0, 86400.0));
  run_command
      ->add_option("--max-backoff", run_args->max_backoff, "longest wait after failed rounds, seconds (default 3600)")
      ->check(CLI::Range(0.0, 86400.0));
  run_command->add_option("--rounds", run_args->rounds, "stop after this many rounds")->check(CLI::PositiveNumber);
  run_command->callback([&action, run_args] { action = [run_args](Context& c) { return run(c, *run_args); }; });
}

}  // namespace ipa::cli
