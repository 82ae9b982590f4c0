#pragma once
// The SM-DS's ES11 credentials, per CI: CERT.DSauth and its key (serverSignature1, SGP.22 v2.5
// §5.8.1), and every CI it verifies eUICC chains under.
#include <filesystem>
#include <vector>

#include "rsp/bytes.hpp"
#include "rsp/crypto/certificate.hpp"
#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/crypto/keys.hpp"
#include "rsp/expected.hpp"

namespace smds {

struct DsCredentials {
  rsp::crypto::Certificate ci;
  rsp::Bytes ci_ski;  // the CI's SubjectKeyIdentifier: the eUICC's euiccCiPKId
  rsp::crypto::Certificate ds_auth;
  rsp::crypto::PrivateKey ds_auth_key;
};

struct DsIdentity {
  std::vector<DsCredentials> credentials;
  rsp::crypto::TrustedCis cis;

  const DsCredentials* for_ci(rsp::ByteView ci_ski) const;
  bool knows_ci(rsp::ByteView ci_ski) const;
};

// Every curve folder of an rsp-pki directory with ci and ds-auth (certificate and key); fails if none has.
rsp::Expected<DsIdentity> load_ds_identity(const std::filesystem::path& pki_dir);

}  // namespace smds
