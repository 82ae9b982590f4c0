#pragma once
// The software eUICC: identity (EID, credentials per curve), persistent state, and the ISD-R and
// USIM applications the APDU layer (card.hpp) dispatches to. Tests and tools link this library
// and talk to it in-process; the euicc-sim binary serves it over TCP or as a vpcd card.
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "euicc/applications.hpp"
#include "rsp/expected.hpp"

namespace euicc {

struct Options {
  std::filesystem::path state_dir;
  // On first start: take the card's credentials from this rsp-pki directory (make or import-sgp26)
  // instead of generating a test PKI; ignored once the card exists.
  std::optional<std::filesystem::path> pki_dir;
  std::optional<std::string> eid;  // on first start with a generated PKI
  // On first start: the factory's default SM-DP+ and root SM-DS addresses (SGP.22 v2.5 §5.7.3).
  // They win over config.json's defaultDpAddress / rootDsAddress; ignored once the card exists.
  std::optional<std::string> default_dp_address;
  std::optional<std::string> root_ds_address;
  // The key file sealing the installed profile packages (issue 13, finding 10); it must exist. None:
  // $EUICC_SIM_PROFILE_KEY (64 hex digits) when set, else DIR/profile-key, made 0600 at first
  // start. A key other than the one the card's packages are sealed with is refused.
  std::optional<std::filesystem::path> profile_key;
  // Named misbehaviours for the conformance harness; refused unless allow_faults.
  std::set<std::string> faults;
  bool allow_faults = false;
};

class Euicc {
 public:
  virtual ~Euicc() = default;
  // Opens the card in options.state_dir, creating it on first start.
  static rsp::Expected<std::unique_ptr<Euicc>> open(const Options& options);
  // The fault names the conformance harness may ask for.
  static const std::set<std::string>& known_faults();

  virtual const std::string& eid() const = 0;
  virtual bool created() const = 0;  // this open() created the card
  virtual IsdrApplication& isdr() = 0;
  virtual UsimApplication& usim() = 0;
};

}  // namespace euicc
