// eim: the eIM (SGP.32 v1.2). `serve` runs ESipa for IPAs over HTTPS until SIGINT or SIGTERM.
// Every configuration key can be given as a flag, which wins over the file.
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>

#include "cli/owner_commands.hpp"
#include "eim/config.hpp"
#include "eim/eim_server.hpp"
#include "lab/lab_commands.hpp"
#include "rsp/server/conformance_faults.hpp"
#include "rsp/server/server_signals.hpp"

namespace {

using eim::EimConfig;

// Exit codes: 1 refused configuration or failed start, 2 usage.
int failure(const std::string& message) {
  std::cerr << "eim: " << message << "\n";
  return 1;
}

struct Flags {
  std::string config, pki, eim_id, metrics_listen, database;
  std::vector<std::string> listen;
  std::vector<std::string> owner_listen, owners;  // the owner API
  int64_t package_lifetime = 0;
  size_t threads = 0;
  bool no_indirect_download = false;
  uint16_t smdp_port = 0;
  std::vector<std::string> faults;  // conformance harness only
  bool conformance_harness = false;
};

void add_config_flags(CLI::App& command, Flags& f) {
  command.add_option("--config", f.config, "configuration file (JSON, comments allowed; see eim/eim.example.json)");
  command.add_option("--pki", f.pki, "PKI directory (rsp-pki make): the CIs, the eIM's eim and eim-tls per curve");
  command.add_option("--eim-id", f.eim_id,
                     "the eimId eUICCs know this eIM by (default: the eim-tls certificate's DNS name)");
  command.add_option("--listen", f.listen, "HOST:PORT serving ESipa over HTTPS (repeatable)");
  command.add_option("--metrics-listen", f.metrics_listen, "HOST:PORT serving GET /metrics (plain HTTP)");
  command.add_option("--db", f.database, "sqlite:FILE or postgresql://...");
  command.add_option("--package-lifetime", f.package_lifetime, "seconds a queued package waits before it expires");
  command.add_option("--threads", f.threads, "request handler threads");
  command.add_option("--owner-listen", f.owner_listen, "HOST:PORT serving the owner API over HTTPS (repeatable)");
  command.add_option("--owner", f.owners, "NAME=CERT.pem: an owner allowed in by its client certificate (repeatable)");
  command.add_flag("--no-indirect-download", f.no_indirect_download,
                   "do not relay ES9+ for IPAs (indirect profile download)");
  command.add_option("--smdp-port", f.smdp_port,
                     "lab set-ups: the port SM-DP+s listen on for relayed ES9+ (default 443)");
  command.add_option(
      "--fault", f.faults,
      "conformance harness only: a named misbehaviour (reuse-counter, skip-result-signature-check, deliver-twice, "
      "acknowledge-unverified, other-eid-in-package, wrong-package-signature; repeatable)");
  command.add_flag("--conformance-harness", f.conformance_harness, "allow --fault (never in normal runs)");
}

rsp::Expected<EimConfig> configuration(const Flags& f) {
  EimConfig c;
  if (!f.config.empty()) {
    auto loaded = eim::load_config(f.config);
    if (!loaded) return loaded;
    c = std::move(*loaded);
  }
  if (!f.pki.empty()) c.pki = f.pki;
  if (!f.eim_id.empty()) c.eim_id = f.eim_id;
  if (!f.listen.empty()) {
    c.listen.clear();
    for (const auto& l : f.listen) c.listen.push_back({l, {}, {}, {}});
  }
  if (!f.metrics_listen.empty()) c.metrics_listen = f.metrics_listen;
  if (!f.database.empty()) c.database = f.database;
  if (f.package_lifetime) c.package_lifetime = f.package_lifetime;
  if (f.threads) c.handler_threads = f.threads;
  if (f.no_indirect_download) c.indirect_download = false;
  if (f.smdp_port) c.smdp_port = f.smdp_port;
  if (!f.owner_listen.empty()) c.owner_listen.clear();
  for (const auto& l : f.owner_listen) c.owner_listen.push_back({l, {}, {}, {}});
  if (!f.owners.empty()) c.owners.clear();
  for (const auto& o : f.owners) {
    if (o.find('=') == std::string::npos) return rsp::fail("--owner " + o + ": NAME=CERT.pem");
    c.owners.emplace_back(o.substr(0, o.find('=')), o.substr(o.find('=') + 1));
  }
  if (c.pki.empty()) return rsp::fail("no PKI directory: give --pki or \"pki\" in the configuration");
  auto faults =
      rsp::server::conformance_faults(f.faults, f.conformance_harness,
                                      {"reuse-counter", "skip-result-signature-check", "deliver-twice",
                                       "acknowledge-unverified", "other-eid-in-package", "wrong-package-signature"});
  if (!faults) return rsp::Unexpected{faults.error()};
  c.faults = std::move(*faults);
  return c;
}

// Until SIGINT or SIGTERM; SIGHUP reads the configuration file and flags again and reloads.
int serve(const Flags& flags, const EimConfig& config) {
  rsp::server::ServerSignals signals;  // before any thread starts

  auto server = eim::EimServer::start(config);
  if (!server) return failure(server.error().message);
  auto& s = **server;
  for (const auto& f : config.faults) std::cerr << "eim: WARNING: fault '" << f << "' is active: this eIM misbehaves\n";
  for (size_t i = 0; i < config.listen.size(); ++i)
    std::cout << "eim: ESipa of " << s.eim_id() << " on https://"
              << config.listen[i].listen.substr(0, config.listen[i].listen.rfind(':')) << ":" << s.port(i) << "/"
              << std::endl;
  if (auto port = s.metrics_port()) std::cout << "eim: metrics on port " << *port << std::endl;
  for (size_t i = 0; i < config.owner_listen.size(); ++i)
    std::cout << "eim: owner API on port " << *s.owner_port(i) << std::endl;
  int signal = signals.wait([&]() -> rsp::Status<> {
    auto reread = configuration(flags);
    if (!reread) return rsp::Unexpected{reread.error()};
    return s.reload(*reread);
  });
  std::cout << "eim: stopping (" << (signal == SIGTERM ? "SIGTERM" : "SIGINT") << ")" << std::endl;
  s.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"eim: the eIM (SGP.32 ESipa for IPAs)"};
  app.require_subcommand(1);
  Flags flags;
  auto* serve_command =
      app.add_subcommand("serve", "serve ESipa until SIGINT/SIGTERM; SIGHUP reloads TLS certificates and pins");
  add_config_flags(*serve_command, flags);
  eim::cli::add_owner_commands(app);  // device, download, psmo, eco, data-request, status
  eim::lab::add_lab_commands(app);    // lab only: eim lab forge
  CLI11_PARSE(app, argc, argv);
  auto config = configuration(flags);
  if (!config) return failure(config.error().message);
  return serve(flags, *config);
}
