// smdp: the SM-DP+. `serve` runs ES9+ (devices) and ES2+ (operators) over HTTPS until SIGINT or
// SIGTERM; `import` puts SAIP profile packages into the inventory outside ES2+;
// `rotate-profile-key` seals every profile under a new profile key. Every configuration key can be
// given as a flag, which wins over the file.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <csignal>
#include <iostream>

#include "rsp/activation_code_qr.hpp"
#include "rsp/files.hpp"
#include "rsp/profile_contents.hpp"
#include "rsp/profile_maker.hpp"
#include "rsp/server/server_signals.hpp"
#include "smdp/config.hpp"
#include "smdp/es2plus.hpp"
#include "smdp/profile_key.hpp"
#include "smdp/smdp_server.hpp"
#include "smdp/store.hpp"

namespace {

using smdp::SmdpConfig;

// Exit codes: 1 refused input or failed start, 2 usage.
int failure(const std::string& message) {
  std::cerr << "smdp: " << message << "\n";
  return 1;
}

struct Flags {
  std::string config, pki, address, es2_listen, metrics_listen, database, profile_key;
  std::vector<std::string> es9_listen, operators, callbacks, callback_cas, smds_cas;
  std::vector<std::string> faults;  // conformance harness only
  bool conformance_harness = false;
  int64_t session_lifetime = 0, order_lifetime = 0, notification_retention = 0, retry_delay = 0;
  int attempts = 0;
  size_t threads = 0;
  bool es2_on_es9_listener = false;
};

void add_config_flags(CLI::App& command, Flags& f) {
  command.add_option("--config", f.config, "configuration file (JSON, comments allowed; see smdp/smdp.example.json)");
  command.add_option("--pki", f.pki, "PKI directory (rsp-pki make / import-sgp26)");
  command.add_option("--smdp-address", f.address, "the SM-DP+ address (default: the dp-tls certificate's DNS name)");
  command.add_option("--es9-listen", f.es9_listen, "HOST:PORT of an ES9+ listener (repeatable)");
  command.add_option("--es2-listen", f.es2_listen,
                     "HOST:PORT of the ES2+ listener (client certificates required); the same HOST:PORT as an "
                     "--es9-listen with a port other than 0 serves ES2+ and ES9+ on that one port");
  command.add_flag("--es2-on-es9-listener", f.es2_on_es9_listener,
                   "serve ES2+ on the ES9+ listener --es2-listen names (else the first): one port, client "
                   "certificates asked for but not required, /gsma/rsp2/es2plus/ only for operators (403 otherwise)");
  command.add_option("--metrics-listen", f.metrics_listen, "HOST:PORT serving GET /metrics (plain HTTP)");
  command.add_option("--db", f.database, "sqlite:FILE or postgresql://...");
  command.add_option(
      "--profile-key", f.profile_key,
      "key file sealing the profiles in the database (default: profile-key beside the SQLite file, made at "
      "first start; $SMDP_PROFILE_KEY may hold the key as 64 hex digits instead)");
  command.add_option("--operator", f.operators, "ID=CLIENT_CERT.pem: an ES2+ operator (repeatable)");
  command.add_option("--operator-callback", f.callbacks,
                     "ID=URL: where that operator's HandleDownloadProgressInfo goes");
  command.add_option(
      "--callback-trusted-ca", f.callback_cas,
      "CA certificate (PEM) that operators' callback servers chain to (repeatable; replaces callback_trusted_cas)");
  command.add_option("--smds-trusted-ca", f.smds_cas,
                     "CA certificate (PEM) SM-DSs' TLS certificates chain to, besides the PKI's CIs (repeatable)");
  command.add_option("--callback-retry-delay", f.retry_delay,
                     "seconds before an ES2+ callback or ES12 DeleteEvent is tried again (doubling up to an hour)");
  command.add_option("--session-lifetime", f.session_lifetime, "seconds an ES9+ session lives");
  command.add_option("--order-lifetime", f.order_lifetime, "seconds a download order lives");
  command.add_option("--notification-retention", f.notification_retention, "seconds a handled notification is kept");
  command.add_option("--confirmation-code-attempts", f.attempts, "wrong confirmation codes before an order fails");
  command.add_option("--threads", f.threads, "request handler threads");
  std::string faults = "conformance harness only: a named misbehaviour (repeatable):";
  for (const auto& [name, what] : smdp::known_faults()) faults += "\n  " + name + ": " + what;
  command.add_option("--fault", f.faults, faults);
  command.add_flag("--conformance-harness", f.conformance_harness, "allow --fault (never in normal runs)");
}

rsp::Expected<SmdpConfig> configuration(const Flags& f, bool needs_pki = true) {
  SmdpConfig c;
  if (!f.config.empty()) {
    auto loaded = smdp::load_config(f.config);
    if (!loaded) return loaded;
    c = std::move(*loaded);
  }
  if (!f.pki.empty()) c.pki = f.pki;
  if (!f.address.empty()) c.smdp_address = f.address;
  if (!f.es9_listen.empty()) {
    c.es9.clear();
    for (const auto& l : f.es9_listen) c.es9.push_back({l, {}, {}, {}});
  }
  if (!f.es2_listen.empty()) c.es2 = smdp::ListenerConfig{f.es2_listen, {}, {}, {}};
  if (f.es2_on_es9_listener) c.es2_on_es9_listener = true;
  if (!f.metrics_listen.empty()) c.metrics_listen = f.metrics_listen;
  if (!f.database.empty()) c.database = f.database;
  if (!f.profile_key.empty()) c.profile_key = f.profile_key;
  for (const auto& o : f.operators) {
    auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) return rsp::fail("--operator wants ID=CLIENT_CERT.pem, not " + o);
    c.operators.push_back({o.substr(0, eq), o.substr(eq + 1), std::nullopt});
  }
  for (const auto& cb : f.callbacks) {
    auto eq = cb.find('=');
    std::string id = cb.substr(0, eq);
    auto it = std::find_if(c.operators.begin(), c.operators.end(), [&](const auto& o) { return o.id == id; });
    if (eq == std::string::npos || it == c.operators.end())
      return rsp::fail("--operator-callback wants ID=URL of a known operator");
    it->callback_url = cb.substr(eq + 1);
  }
  if (!f.callback_cas.empty()) c.callback_trusted_cas.assign(f.callback_cas.begin(), f.callback_cas.end());
  if (!f.smds_cas.empty()) c.smds_trusted_cas.assign(f.smds_cas.begin(), f.smds_cas.end());
  if (f.retry_delay) c.callback_retry_delay = f.retry_delay;
  if (f.session_lifetime) c.session_lifetime = f.session_lifetime;
  if (f.order_lifetime) c.order_lifetime = f.order_lifetime;
  if (f.notification_retention) c.notification_retention = f.notification_retention;
  if (f.attempts) c.confirmation_code_attempts = f.attempts;
  if (f.threads) c.handler_threads = f.threads;
  if (c.pki.empty() && needs_pki) return rsp::fail("no PKI directory: give --pki or \"pki\" in the configuration");
  if (!f.faults.empty() && !f.conformance_harness)
    return rsp::fail("--fault is refused in normal runs (only with --conformance-harness)");
  for (const auto& fault : f.faults) {
    if (std::ranges::none_of(smdp::known_faults(), [&](const auto& known) { return known.first == fault; })) {
      std::string names;
      for (const auto& [name, what] : smdp::known_faults()) names += (names.empty() ? "" : ", ") + name;
      return rsp::fail("--fault " + fault + ": no such fault (" + names + ")");
    }
    c.faults.insert(fault);
  }
  return c;
}

// Until SIGINT or SIGTERM; SIGHUP reads the configuration file and flags again and reloads.
int serve(const Flags& flags, const SmdpConfig& config) {
  rsp::server::ServerSignals signals;  // before any thread starts

  auto server = smdp::SmdpServer::start(config);
  if (!server) return failure(server.error().message);
  auto& s = **server;
  for (const auto& f : config.faults)
    std::cerr << "smdp: WARNING: fault '" << f << "' is active: this SM-DP+ misbehaves\n";
  for (size_t i = 0; i < config.es9.size(); ++i)
    std::cout << "smdp: ES9+ of " << s.smdp_address() << " on https://"
              << config.es9[i].listen.substr(0, config.es9[i].listen.rfind(':')) << ":" << s.es9_port(i)
              << "/gsma/rsp2/es9plus/" << std::endl;
  if (auto port = s.es2_port())
    std::cout << "smdp: ES2+ on port " << *port
              << (smdp::shared_es2_listener(config).value_or(std::nullopt) ? " (shared with ES9+)" : "") << std::endl;
  if (auto port = s.metrics_port()) std::cout << "smdp: metrics on port " << *port << std::endl;
  int signal = signals.wait([&]() -> rsp::Status<> {
    auto reread = configuration(flags);
    if (!reread) return rsp::Unexpected{reread.error()};
    return s.reload(*reread);
  });
  std::cout << "smdp: stopping (" << (signal == SIGTERM ? "SIGTERM" : "SIGINT") << ")" << std::endl;
  s.stop();
  return 0;
}

// A key file made now is worth a line: it must be kept, and apart from the database's backups.
void announce_key(const rsp::crypto::ResolvedSealingKey& key) {
  if (key.created)
    std::cerr
        << "smdp: made the profile key " << key.origin << " (key id " << key.key.id_hex()
        << ", mode 0600): the database's profiles open only with it; keep it, apart from the database's backups\n";
}

// Every profile sealed again under a new key, in one transaction.
int rotate_profile_key(const SmdpConfig& config, const std::string& new_key_file) {
  auto rotated = smdp::rotate_profile_key_file(
      config, new_key_file.empty() ? std::nullopt : std::optional<std::filesystem::path>(new_key_file));
  if (!rotated) return failure(rotated.error().message);
  std::cout << "smdp: " << rotated->profiles << " profile" << (rotated->profiles == 1 ? "" : "s")
            << " sealed again: key id " << rotated->old_id << " -> " << rotated->new_id << ", the key in "
            << rotated->key_file.string() << std::endl;
  if (!new_key_file.empty())
    std::cout << "smdp: from now on give --profile-key " << new_key_file << " (or \"profile_key\" in the configuration)"
              << std::endl;
  return 0;
}

struct ImportFlags {
  std::string operator_id, profile_type = "default", provider, name, profile_class = "operational", icon;
  bool ppr1 = false, ppr2 = false, protect = false;
  std::vector<std::string> files;
};

// The operator the command acts for: the one given, or the only one configured.
rsp::Expected<std::string> acting_operator(const SmdpConfig& config, const std::string& given) {
  if (!given.empty()) return given;
  if (config.operators.size() == 1) return config.operators.front().id;
  return rsp::fail("give --operator-id (the configuration names " + std::to_string(config.operators.size()) +
                   " operators)");
}

int import_profiles(const SmdpConfig& config, const ImportFlags& f) {
  auto acting = acting_operator(config, f.operator_id);
  if (!acting) return failure(acting.error().message);
  std::string owner = *acting;
  rsp::Bytes icon;
  if (!f.icon.empty()) {
    auto read = rsp::files::read(f.icon);
    if (!read) return failure(f.icon + ": " + read.error().message);
    icon = std::move(*read);
  }
  auto sealed = smdp::open_sealed_store(config);
  if (!sealed) return failure(sealed.error().message);
  announce_key(sealed->key);
  auto* store = &sealed->store;
  int imported = 0, already = 0;
  // Added a batch at a time (Store::add_profiles: one multi-row INSERT and one commit per 500).
  std::vector<smdp::ProfileRecord> batch;
  auto add_batch = [&]() -> bool {
    auto added = (*store)->add_profiles(batch);
    if (!added) {
      std::cerr << "smdp: database: " << added.error().message << " (" << imported << " imported before)\n";
      return false;
    }
    for (const auto& record : batch) {
      if (record.version == 0) {
        std::cerr << "smdp: " << record.iccid << ": already in the inventory, left as it is\n";
        ++already;
        continue;
      }
      std::cout << "smdp: imported " << record.iccid << " (" << f.profile_type << ", operator " << owner << ")\n";
      ++imported;
    }
    batch.clear();
    return true;
  };
  for (const auto& file : f.files) {
    auto package = rsp::files::read(file);
    if (!package) return failure(file + ": " + package.error().message);
    auto contents = rsp::read_profile_contents(*package);
    if (!contents) return failure(file + ": not a profile package this SM-DP+ can serve: " + contents.error().message);
    rsp::ProfileSpec spec;
    spec.iccid = contents->iccid;
    spec.service_provider_name = f.provider;
    spec.profile_name = f.name;
    spec.notification_address = config.smdp_address;
    spec.profile_class = f.profile_class == "test"           ? rsp::ProfileSpec::ProfileClass::test
                         : f.profile_class == "provisioning" ? rsp::ProfileSpec::ProfileClass::provisioning
                                                             : rsp::ProfileSpec::ProfileClass::operational;
    spec.icon = icon;
    spec.ppr1_no_disable = f.ppr1;
    spec.ppr2_no_delete = f.ppr2;
    auto metadata = rsp::make_store_metadata(spec);
    if (!metadata) return failure(file + ": " + metadata.error().message);
    smdp::ProfileRecord record;
    record.iccid = contents->iccid;
    record.operator_id = owner;
    record.profile_type = f.profile_type;
    record.package = std::move(*package);
    record.metadata = std::move(*metadata);
    if (f.protect) {  // ReplaceSessionKeys: this profile's segments travel under its own keys
      record.ppk_enc = rsp::random_bytes(16);
      record.ppk_mac = rsp::random_bytes(16);
      record.ppk_initial_mcv = rsp::random_bytes(16);
    }
    batch.push_back(std::move(record));
    if (batch.size() == 500 && !add_batch()) return 1;
  }
  if (!add_batch()) return 1;
  std::cout << "smdp: " << imported << " profile" << (imported == 1 ? "" : "s") << " imported" << std::endl;
  return already == 0 ? 0 : 1;
}

// The activation code of an order (SGP.22 v2.5 §4.1), as text and, with --svg, as a QR image.
int activation_code(const SmdpConfig& config, const std::string& operator_id, const std::string& iccid,
                    const std::string& svg) {
  auto acting = acting_operator(config, operator_id);
  if (!acting) return failure(acting.error().message);
  auto sealed = smdp::open_sealed_store(config);
  if (!sealed) return failure(sealed.error().message);
  announce_key(sealed->key);
  auto* store = &sealed->store;
  smdp::Es2PlusSettings settings;
  settings.smdp_address = config.smdp_address;
  smdp::Es2Plus es2(**store, settings);
  auto code = es2.activation_code(*acting, iccid);
  if (!code) return failure(code.error().message);
  std::string text = code->to_qr_text();
  std::cout << text << std::endl;
  if (!svg.empty()) {
    auto image = rsp::activation_code_svg(text);
    if (!image) return failure(image.error().message);
    if (auto written = rsp::files::write_atomic(svg, *image); !written)
      return failure(svg + ": " + written.error().message);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"smdp: the SM-DP+ (SGP.22 ES9+ for devices, ES2+ for operators)"};
  app.require_subcommand(1);
  Flags serve_flags, import_flags;
  auto* serve_command =
      app.add_subcommand("serve", "serve ES9+ and ES2+ until SIGINT/SIGTERM; SIGHUP reloads TLS certificates and pins");
  add_config_flags(*serve_command, serve_flags);
  ImportFlags import;
  auto* import_command = app.add_subcommand("import", "add SAIP profile packages (DER) to the inventory, as available");
  add_config_flags(*import_command, import_flags);
  import_command->add_option("--operator-id", import.operator_id,
                             "owner of the profiles (default: the only configured operator)");
  import_command->add_option("--profile-type", import.profile_type,
                             "profileType for ES2+ DownloadOrder (default: default)");
  import_command->add_option("--provider", import.provider, "serviceProviderName of the StoreMetadata");
  import_command->add_option("--name", import.name, "profileName of the StoreMetadata (default: the ICCID)");
  import_command->add_option("--profile-class", import.profile_class, "test, provisioning or operational (default)")
      ->check(CLI::IsMember({"test", "provisioning", "operational"}));
  import_command->add_option("--icon", import.icon, "PNG or JPEG icon (at most 1024 bytes) for the StoreMetadata")
      ->check(CLI::ExistingFile);
  import_command->add_flag("--ppr1", import.ppr1, "policy rule ppr1: disabling the profile is not allowed");
  import_command->add_flag("--ppr2", import.ppr2, "policy rule ppr2: deleting the profile is not allowed");
  import_command->add_flag(
      "--protect", import.protect,
      "give each profile its own protection keys (ReplaceSessionKeys) instead of the session keys");
  import_command->add_option("PROFILE", import.files, "profile package files")->required()->check(CLI::ExistingFile);
  Flags code_flags;
  std::string code_operator, code_iccid, code_svg;
  auto* code_command =
      app.add_subcommand("activation-code", "print the activation code of a confirmed order (and its QR code)");
  add_config_flags(*code_command, code_flags);
  code_command->add_option("--operator-id", code_operator,
                           "the order's operator (default: the only configured operator)");
  code_command->add_option("--iccid", code_iccid, "the ordered profile")->required();
  code_command->add_option("--svg", code_svg, "also write the QR code as an SVG image");
  Flags rotate_flags;
  std::string new_key_file;
  auto* rotate_command = app.add_subcommand(
      "rotate-profile-key",
      "seal every profile in the database under a new profile key, in one transaction (stop the SM-DP+s first)");
  add_config_flags(*rotate_command, rotate_flags);
  rotate_command->add_option(
      "--new-key-file", new_key_file,
      "the new key's file (made 0600 when absent); default: a new key replaces the current key file");
  CLI11_PARSE(app, argc, argv);

  if (*serve_command) {
    auto config = configuration(serve_flags);
    if (!config) return failure(config.error().message);
    return serve(serve_flags, *config);
  }
  if (*rotate_command) {
    auto config = configuration(rotate_flags, false);
    if (!config) return failure(config.error().message);
    return rotate_profile_key(*config, new_key_file);
  }
  auto config = configuration(*code_command ? code_flags : import_flags);
  if (!config) return failure(config.error().message);
  auto address = smdp::resolve_smdp_address(*config);  // where the eUICC sends its notifications
  if (!address) return failure(address.error().message);
  config->smdp_address = *address;
  if (*code_command) return activation_code(*config, code_operator, code_iccid, code_svg);
  return import_profiles(*config, import);
}
