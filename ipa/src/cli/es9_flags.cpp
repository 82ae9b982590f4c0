// The ES9+ options of the ipa command line.
#include "es9_flags.hpp"

namespace ipa::cli {

void add_es9_flags(CLI::App& command, Es9Flags& flags) {
  command.add_option("--ca", flags.ca_files, "CA certificate (PEM) the SM-DP+'s TLS certificate must chain to (repeatable); "
                                             "default: the system store")
      ->check(CLI::ExistingFile);
  command.add_option("--smdp-port", flags.port, "connect to this port; the SM-DP+ address stays the one given");
  command.add_option("--binding", flags.binding, "ES9+ binding: json (default) or asn1")->check(CLI::IsMember({"json", "asn1"}));
  command.add_flag("--insecure-lab-only", flags.insecure_lab_only, "do not verify the SM-DP+'s TLS certificate (lab only)");
}

Es9ClientOptions es9_options(const Es9Flags& flags, Output& out) {
  Es9ClientOptions options;
  for (const auto& f : flags.ca_files) options.http.trusted_ca_files.emplace_back(f);
  options.http.insecure_lab_only = flags.insecure_lab_only;
  options.binding = flags.binding == "asn1" ? Es9Binding::asn1 : Es9Binding::json;
  options.port = flags.port;
  if (flags.insecure_lab_only)
    out.warning("WARNING: --insecure-lab-only: the SM-DP+'s TLS certificate is NOT verified; never use this outside a lab");
  return options;
}

}  // namespace ipa::cli
