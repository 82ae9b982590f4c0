// The ES9+ options of the ipa command line.
#include "es9_flags.hpp"

namespace ipa::cli {

void add_es9_flags(CLI::App& command, Es9Flags& flags, bool with_smdp_port) {
  command
      .add_option("--ca", flags.ca_files,
                  "CA certificate (PEM) the server's TLS certificate must chain to (repeatable); "
                  "default: the system store")
      ->check(CLI::ExistingFile);
  if (with_smdp_port)
    command.add_option("--smdp-port", flags.port, "connect to this port; the SM-DP+ address stays the one given");
  command.add_option("--binding", flags.binding, "ES9+ binding: json (default) or asn1")
      ->check(CLI::IsMember({"json", "asn1"}));
  command.add_flag("--insecure-lab-only", flags.insecure_lab_only,
                   "do not verify the server's TLS certificate (lab only)");
}

void add_smds_flags(CLI::App& command, SmdsFlags& flags) {
  command.add_option("--smds", flags.address, "the SM-DS address (default: the eUICC's root SM-DS)");
  command.add_option("--smds-port", flags.port, "connect to the SM-DS on this port; its address stays the one given");
}

void add_eim_relay_flags(CLI::App& command, Es9Flags& flags) {
  auto* via =
      command.add_option("--via-eim", flags.via_eim,
                         "run ES9+ through this eIM (host[:port], ESipa indirect profile download; --ca for its TLS)");
  command.add_option("--eim-binding", flags.eim_binding, "ESipa binding with --via-eim: asn1 (default) or json")
      ->check(CLI::IsMember({"asn1", "json"}))
      ->needs(via);
  command
      .add_flag(
          "--minimize-esipa-bytes", flags.minimize_esipa_bytes,
          "with --via-eim: send the eUICC's answers in SGP.32's compact forms (minimizeEsipaBytes); the eIM rebuilds them")
      ->needs(via);
}

namespace {

Es9ClientOptions client_options(const Es9Flags& flags, std::optional<uint16_t> port) {
  Es9ClientOptions options;
  for (const auto& f : flags.ca_files) options.http.trusted_ca_files.emplace_back(f);
  options.http.insecure_lab_only = flags.insecure_lab_only;
  options.binding = flags.binding == "asn1" ? Es9Binding::asn1 : Es9Binding::json;
  options.port = port;
  return options;
}

}  // namespace

Es9ClientOptions es9_options(const Es9Flags& flags, Output& out) {
  if (flags.insecure_lab_only)
    out.warning(
        "WARNING: --insecure-lab-only: the servers' TLS certificates are NOT verified; never use this outside a lab");
  Es9ClientOptions options = client_options(flags, flags.port);
  if (!flags.via_eim.empty()) {
    options.binding = flags.eim_binding == "json" ? Es9Binding::esipa_json : Es9Binding::esipa_asn1;
    options.relay = flags.via_eim;
    options.minimize_esipa_bytes = flags.minimize_esipa_bytes;
  }
  return options;
}

Es9ClientOptions es11_options(const Es9Flags& flags, const SmdsFlags& smds) { return client_options(flags, smds.port); }

}  // namespace ipa::cli
