#pragma once
// ES8+ on the card (SGP.22 v2.5 §5.5): takes a Bound Profile Package as the stream of STORE DATA
// commands the LPA/IPA cuts it into, verifies and decrypts each segment as it arrives, and installs
// the profile only when the whole package has verified. However the commands split the package,
// the loader works on TLV boundaries of the byte stream.
#include <optional>

#include "es10_function.hpp"
#include "rsp/crypto/bsp.hpp"
#include "rsp/crypto/certificate.hpp"

namespace euicc {

// What the download session hands over once PrepareDownload has succeeded.
struct BindingContext {
  Bytes transaction_id;
  std::string smdp_address;  // serverAddress of the authenticated session
  const Credentials* credentials = nullptr;
  rsp::crypto::Certificate dp_pb;                     // verifies smdpSign in InitialiseSecureChannel
  std::optional<rsp::crypto::PrivateKey> euicc_otsk;  // one-time key of PrepareDownload
};

// A failed step: the BPP command that failed and why (ErrorResult of ProfileInstallationResult).
struct LoadError {
  int bpp_command_id;  // BppCommandId
  int error_reason;    // ErrorReason
};

class BoundProfilePackageLoader {
 public:
  BoundProfilePackageLoader(CardContext& card, BindingContext binding);
  ~BoundProfilePackageLoader();

  // Feeds one STORE DATA command. Returns the empty response for an intermediate step, or the
  // ProfileInstallationResult when the package ends (installed) or fails (nothing installed).
  Bytes feed(ByteView command);
  bool finished() const { return finished_; }
  // The package stopped arriving (channel closed, another command): a result with
  // installFailedDueToInterruption, stored as a notification; nothing is installed.
  Bytes interrupt();

 private:
  enum class Phase { package_header, initialise_secure_channel, group_header, segment, done };
  std::optional<LoadError> step();  // processes what the buffer holds; error ends the load
  std::optional<LoadError> initialise_secure_channel(const rsp::tlv::Tlv& bf23);
  std::optional<LoadError> segment(const rsp::tlv::Tlv& segment);
  std::optional<LoadError> group_complete();
  std::optional<LoadError> install();
  Bytes result(const std::optional<LoadError>& error);

  CardContext& card_;
  BindingContext binding_;
  Phase phase_ = Phase::package_header;
  Bytes buffer_;                  // received bytes not yet processed
  size_t package_remaining_ = 0;  // BF36 contents still to come
  rsp::tlv::Tag group_ = 0;       // A0..A3 being read
  size_t group_remaining_ = 0;
  std::optional<rsp::crypto::Scp03t> channel_;
  Bytes configure_isdp_, store_metadata_, profile_package_;
  int next_group_ = 0;  // groups arrive in order A0, A1, [A2], A3
  bool finished_ = false;
  std::optional<Profile> installed_;  // set once the package verified and its file is written
};

}  // namespace euicc
