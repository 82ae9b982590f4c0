#pragma once
// The card's state directory:
//   DIR/state.json            CardState (profiles, notifications, counters, eIM configuration)
//   DIR/config.json           CardConfig (what the card says about itself; editable)
//   DIR/pki/<curve>/...       the card's credentials, in the rsp-pki layout (euicc.key.pem 0600)
//   DIR/profiles/<iccid>.upp  each installed profile package (ProfileElement stream), sealed with
//                             the profile key (rsp/crypto/sealing.hpp) when the store has one
//   DIR/profile-key           the profile key (64 hex digits, 0600) unless euicc::Options names a
//                             file or $EUICC_SIM_PROFILE_KEY holds it; never in the state files
// Every change is written atomically (temp file, fsync, rename). A profile package is written
// before the state that names it, and a package no state names is removed on load, so a kill at
// any instant leaves the card either before or after an installation.
#include <filesystem>
#include <optional>

#include "euicc/card_config.hpp"
#include "euicc/card_state.hpp"
#include "rsp/crypto/sealing.hpp"
#include "rsp/expected.hpp"

namespace euicc {

class CardStore {
 public:
  explicit CardStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path pki_dir() const { return dir_ / "pki"; }
  bool initialised() const;  // a state.json exists

  rsp::Expected<CardState> load_state() const;
  rsp::Status<> save_state(const CardState& state) const;
  rsp::Expected<CardConfig> load_config() const;
  rsp::Status<> save_config(const CardConfig& config) const;

  // From now on packages are written sealed with `key` and sealed ones read with it.
  void use_profile_key(rsp::crypto::SealingKey key) { profile_key_ = std::move(key); }

  rsp::Status<> write_profile_package(const std::string& iccid, rsp::ByteView package) const;
  // The package opened; one written in clear (before sealing) as it is.
  rsp::Expected<Bytes> read_profile_package(const std::string& iccid) const;
  void remove_profile_package(const std::string& iccid) const;
  // Removes profile packages that `state` does not name (left by an interrupted installation).
  void remove_orphans(const CardState& state) const;

 private:
  std::filesystem::path dir_;
  std::optional<rsp::crypto::SealingKey> profile_key_;
};

}  // namespace euicc
