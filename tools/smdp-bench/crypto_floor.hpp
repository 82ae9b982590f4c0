#pragma once
// The SM-DP+'s public-key work per download, timed alone: the floor no implementation of the
// protocol can go below on this machine. Per download the SM-DP+ signs three times
// (serverSignature1, smdpSignature2, the BPP's InitialiseSecureChannel signature), verifies five
// signatures (the EUM and eUICC certificates, euiccSignature1, euiccSignature2, the
// ProfileInstallationResult) and makes one one-time key pair and one ECKA.
#include "rsp/crypto/keys.hpp"

namespace smdp_bench {

struct CryptoFloor {
  static constexpr int kSigns = 3;
  static constexpr int kVerifies = 5;
  static constexpr int kKeyAgreements = 1;  // otSK.DP generated, then ECKA with otPK.EUICC
  double sign_ms = 0;
  double verify_ms = 0;
  double key_agreement_ms = 0;
  double per_download_ms() const {
    return kSigns * sign_ms + kVerifies * verify_ms + kKeyAgreements * key_agreement_ms;
  }
  double downloads_per_second_per_core() const { return per_download_ms() > 0 ? 1000.0 / per_download_ms() : 0; }
};

// Times rsp::crypto::sign, verify and key generation + ecka on `curve`, `rounds` times each, on
// the calling thread's CPU clock.
CryptoFloor measure_crypto_floor(rsp::crypto::Curve curve, int rounds = 200);

}  // namespace smdp_bench
