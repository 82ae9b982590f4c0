// smds: the SM-DS. `serve` runs ES11 (devices discovering their events) and ES12 (SM-DP+s
// registering and deleting events) over HTTPS until SIGINT or SIGTERM. Every configuration key
// can be given as a flag, which wins over the file.
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>

#include "rsp/server/conformance_faults.hpp"
#include "rsp/server/server_signals.hpp"
#include "smds/config.hpp"
#include "smds/smds_server.hpp"

namespace {

using smds::SmdsConfig;

// Exit codes: 1 refused configuration or failed start, 2 usage.
int failure(const std::string& message) {
  std::cerr << "smds: " << message << "\n";
  return 1;
}

struct Flags {
  std::string config, pki, address, metrics_listen, database, root_smds;
  std::vector<std::string> listen, smdps;
  std::vector<std::string> faults;  // conformance harness only
  bool conformance_harness = false;
  int64_t event_lifetime = 0, session_lifetime = 0, max_pending_sessions = 0, max_events_per_eid = 0;
  size_t threads = 0;
};

void add_config_flags(CLI::App& command, Flags& f) {
  command.add_option("--config", f.config, "configuration file (JSON, comments allowed; see smds/smds.example.json)");
  command.add_option("--pki", f.pki, "PKI directory (rsp-pki make): ds-auth and ds-tls per curve, the CIs");
  command.add_option("--smds-address", f.address, "the SM-DS address (default: the ds-tls certificate's DNS name)");
  command.add_option("--listen", f.listen, "HOST:PORT serving ES11 and ES12 over HTTPS (repeatable)");
  command.add_option("--metrics-listen", f.metrics_listen, "HOST:PORT serving GET /metrics (plain HTTP)");
  command.add_option("--db", f.database, "sqlite:FILE or postgresql://...");
  command.add_option("--smdp", f.smdps,
                     "NAME=CLIENT_CERT.pem: an SM-DP+ allowed on ES12, pinned by its TLS certificate (repeatable)");
  command.add_option(
      "--root-smds", f.root_smds,
      "ADDR (host or host:port) of the root SM-DS registrations with forwardingIndicator true cascade to");
  command.add_option("--event-lifetime", f.event_lifetime, "seconds an Event Record is kept when never deleted");
  command.add_option("--session-lifetime", f.session_lifetime, "seconds an ES11 session lives");
  command.add_option("--max-pending-sessions", f.max_pending_sessions, "ES11 sessions not yet authenticated, at most");
  command.add_option("--max-events-per-eid", f.max_events_per_eid, "Event Records one EID may have");
  command.add_option("--threads", f.threads, "request handler threads");
  command.add_option(
      "--fault", f.faults,
      "conformance harness only: a named misbehaviour (skip-signature-check, accept-any-challenge, "
      "return-other-eid-events, accept-duplicate-event, delete-other-smdp-event, accept-any-address; repeatable)");
  command.add_flag("--conformance-harness", f.conformance_harness, "allow --fault (never in normal runs)");
}

rsp::Expected<SmdsConfig> configuration(const Flags& f) {
  SmdsConfig c;
  if (!f.config.empty()) {
    auto loaded = smds::load_config(f.config);
    if (!loaded) return loaded;
    c = std::move(*loaded);
  }
  if (!f.pki.empty()) c.pki = f.pki;
  if (!f.address.empty()) c.smds_address = f.address;
  if (!f.listen.empty()) {
    c.listen.clear();
    for (const auto& l : f.listen) c.listen.push_back({l, {}, {}, {}});
  }
  if (!f.metrics_listen.empty()) c.metrics_listen = f.metrics_listen;
  if (!f.database.empty()) c.database = f.database;
  for (const auto& s : f.smdps) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) return rsp::fail("--smdp wants NAME=CLIENT_CERT.pem, not " + s);
    c.smdps.push_back({s.substr(0, eq), s.substr(eq + 1)});
  }
  if (!f.root_smds.empty()) c.root_smds = f.root_smds;
  if (f.event_lifetime) c.event_lifetime = f.event_lifetime;
  if (f.session_lifetime) c.session_lifetime = f.session_lifetime;
  if (f.max_pending_sessions) c.max_pending_sessions = f.max_pending_sessions;
  if (f.max_events_per_eid) c.max_events_per_eid = f.max_events_per_eid;
  if (f.threads) c.handler_threads = f.threads;
  if (c.pki.empty()) return rsp::fail("no PKI directory: give --pki or \"pki\" in the configuration");
  auto faults =
      rsp::server::conformance_faults(f.faults, f.conformance_harness,
                                      {"skip-signature-check", "accept-any-challenge", "return-other-eid-events",
                                       "accept-duplicate-event", "delete-other-smdp-event", "accept-any-address"});
  if (!faults) return rsp::Unexpected{faults.error()};
  c.faults = std::move(*faults);
  return c;
}

// Until SIGINT or SIGTERM; SIGHUP reads the configuration file and flags again and reloads.
int serve(const Flags& flags, const SmdsConfig& config) {
  rsp::server::ServerSignals signals;  // before any thread starts

  auto server = smds::SmdsServer::start(config);
  if (!server) return failure(server.error().message);
  auto& s = **server;
  for (const auto& f : config.faults)
    std::cerr << "smds: WARNING: fault '" << f << "' is active: this SM-DS misbehaves\n";
  for (size_t i = 0; i < config.listen.size(); ++i)
    std::cout << "smds: ES11 and ES12 of " << s.smds_address() << " on https://"
              << config.listen[i].listen.substr(0, config.listen[i].listen.rfind(':')) << ":" << s.port(i) << "/"
              << std::endl;
  if (auto port = s.metrics_port()) std::cout << "smds: metrics on port " << *port << std::endl;
  int signal = signals.wait([&]() -> rsp::Status<> {
    auto reread = configuration(flags);
    if (!reread) return rsp::Unexpected{reread.error()};
    return s.reload(*reread);
  });
  std::cout << "smds: stopping (" << (signal == SIGTERM ? "SIGTERM" : "SIGINT") << ")" << std::endl;
  s.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"smds: the SM-DS (SGP.22 ES11 for devices, ES12 for SM-DP+s)"};
  app.require_subcommand(1);
  Flags flags;
  auto* serve_command =
      app.add_subcommand("serve", "serve ES11 and ES12 until SIGINT/SIGTERM; SIGHUP reloads TLS certificates and pins");
  add_config_flags(*serve_command, flags);
  CLI11_PARSE(app, argc, argv);
  auto config = configuration(flags);
  if (!config) return failure(config.error().message);
  return serve(flags, *config);
}
