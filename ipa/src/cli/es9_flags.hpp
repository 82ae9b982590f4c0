#pragma once
// The ES9+ options shared by `download` and `notification process`: which CAs the SM-DP+'s TLS
// certificate must chain to, the port to call, the binding, and the lab-only switch that turns
// verification off (with a warning on every run).
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
};

void add_es9_flags(CLI::App& command, Es9Flags& flags);
// The client options; prints the lab-only warning when verification is off.
Es9ClientOptions es9_options(const Es9Flags& flags, Output& out);

}  // namespace ipa::cli
