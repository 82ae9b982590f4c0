#pragma once
// Callers allowed in by their TLS client certificate, pinned by its SHA-256 fingerprint: the
// SM-DP+'s operators on ES2+, the SM-DS's SM-DP+s on ES12. The certificate is the whole check
// (operators' certificates are often self-signed), so it must also be valid now. Safe to use from
// several threads: TLS handshakes ask while a configuration reload replaces the pins.
#include <ctime>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "rsp/bytes.hpp"
#include "rsp/crypto/certificate.hpp"
#include "rsp/expected.hpp"

namespace rsp::server {

class PinnedClients {
 public:
  // Pins the first certificate of `certificate_file` (PEM or DER) under `name`.
  Status<> add(const std::string& name, const std::filesystem::path& certificate_file);
  void add(const std::string& name, const crypto::Certificate& certificate);
  // The name `certificate` is pinned under if it is valid at `now`; "" otherwise.
  std::string name_of(const crypto::Certificate& certificate, time_t now = time(nullptr)) const;
  bool empty() const;
  // From now on, `other`'s pins instead of these (`other` is left empty).
  void replace_with(PinnedClients& other);

 private:
  struct Pin {
    std::string name;
    Bytes fingerprint;  // SHA-256 of the certificate's DER
  };
  mutable std::mutex mutex_;
  std::vector<Pin> pins_;
};

}  // namespace rsp::server
