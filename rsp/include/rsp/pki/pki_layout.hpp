#pragma once
// The on-disk layout of a test PKI, shared by `rsp-pki make`, `rsp-pki import-sgp26` and every
// component that is pointed at a PKI directory:
//   DIR/<curve>/<role>.der   certificate, DER      (curve: nist | brainpool)
//   DIR/<curve>/<role>.pem   certificate, PEM
//   DIR/<curve>/<role>.key.pem  private key, PKCS#8 PEM, mode 0600
// with role one of ci, eum, euicc, dp-auth, dp-pb, dp-tls, ds-auth, ds-tls, eim, eim-tls.
#include <filesystem>
#include <optional>
#include <vector>

#include "rsp/crypto/certificate.hpp"
#include "rsp/crypto/keys.hpp"
#include "rsp/expected.hpp"

namespace rsp::pki {

using crypto::Curve;
using crypto::Role;

inline const std::vector<Role>& layout_roles() {
  static const std::vector<Role> roles{Role::ci,     Role::eum,     Role::euicc,  Role::dp_auth, Role::dp_pb,
                                       Role::dp_tls, Role::ds_auth, Role::ds_tls, Role::eim,     Role::eim_tls};
  return roles;
}

std::filesystem::path curve_dir(const std::filesystem::path& dir, Curve curve);
std::filesystem::path certificate_path(const std::filesystem::path& dir, Curve curve, Role role);  // .der
std::filesystem::path key_path(const std::filesystem::path& dir, Curve curve, Role role);

// Writes a certificate as .der and .pem, and its key (if given) 0600.
Status<> store(const std::filesystem::path& dir, Curve curve, Role role, const crypto::Certificate& cert,
               const crypto::PrivateKey* key);
// Writes the key file alone (0600), e.g. a PEM key copied from a published set.
Status<> store_key_pem(const std::filesystem::path& dir, Curve curve, Role role, std::string_view pem);

Expected<crypto::Certificate> load_certificate(const std::filesystem::path& dir, Curve curve, Role role);
Expected<crypto::PrivateKey> load_key(const std::filesystem::path& dir, Curve curve, Role role);
// The curves DIR has a folder for.
std::vector<Curve> curves_present(const std::filesystem::path& dir);

// The README written into DIR, saying which file is which.
Status<> write_readme(const std::filesystem::path& dir, std::string_view origin);

}  // namespace rsp::pki
