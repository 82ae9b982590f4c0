#pragma once
// The ES9+ options shared by `download` and `notification process`: which CAs the SM-DP+'s TLS
// certificate must chain to, the port to call, the binding, and the lab-only switch that turns
// verification off (with a warning on every run). `discover` and `download --discover` take the
// same for the SM-DS (ES11), with its own address and port.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "ipa/es9plus_client.hpp"

namespace ipa::cli {

struct Es9Flags {
  std::vector<std::string> ca_files;
  std::optional<uint16_t> port;
  std::string binding = "json";
  bool insecure_lab_only = false;
  // `download --via-eim`: the indirect profile download (SGP.32 v1.2) through this eIM
  // (host[:port], its TLS certificate checked against --ca), in ESipa's asn1 or json binding.
  std::string via_eim;
  std::string eim_binding = "asn1";
  bool minimize_esipa_bytes = false;  // --minimize-esipa-bytes: the compact forms to the eIM
};

struct SmdsFlags {
  std::string address;  // empty: the eUICC's root SM-DS (ES10a.GetEuiccConfiguredAddresses)
  std::optional<uint16_t> port;
};

// `with_smdp_port`: whether the command talks to an SM-DP+ (--smdp-port).
void add_es9_flags(CLI::App& command, Es9Flags& flags, bool with_smdp_port = true);
void add_smds_flags(CLI::App& command, SmdsFlags& flags);      // --smds, --smds-port
void add_eim_relay_flags(CLI::App& command, Es9Flags& flags);  // --via-eim, --eim-binding, --minimize-esipa-bytes
// The client options; prints the lab-only warning when verification is off.
Es9ClientOptions es9_options(const Es9Flags& flags, Output& out);
// The same for the SM-DS (no second warning).
Es9ClientOptions es11_options(const Es9Flags& flags, const SmdsFlags& smds);

}  // namespace ipa::cli
