#pragma once
// The SM-DP+'s own credentials: per GSMA CI it chains to, a CERT.DPauth with its key (signs
// serverSigned1) and a CERT.DPpb with its key (signs smdpSigned2 and the BPP). An SM-DP+ often
// holds several at once (the NIST and the brainpool SGP.26 CI); ES9+ picks the set by the CI
// lists the eUICC sends (SGP.22 v2.5 §3.1.2).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "rsp/crypto/certificate.hpp"
#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/crypto/keys.hpp"
#include "rsp/expected.hpp"

namespace smdp {

struct DpCredentials {
  rsp::crypto::Certificate ci;
  rsp::Bytes ci_ski;  // the CI's SubjectKeyIdentifier: the eUICC's euiccCiPKId
  rsp::crypto::Certificate dp_auth;
  rsp::crypto::PrivateKey dp_auth_key;
  rsp::crypto::Certificate dp_pb;
  rsp::crypto::PrivateKey dp_pb_key;
};

struct DpIdentity {
  std::vector<DpCredentials> credentials;
  rsp::crypto::TrustedCis cis;  // verify eUICC chains (EUM -> eUICC) with these
  std::string smdp_oid;         // from CERT.DPauth's SAN registeredID (ProfileInstallationResult, CancelSession)

  const DpCredentials* for_ci(rsp::ByteView ci_ski) const;
  const rsp::crypto::Certificate* ci(rsp::ByteView ci_ski) const;
};

// Every curve folder of an rsp-pki directory (DIR/<curve>/{ci,dp-auth,dp-pb}.der|.key.pem) that
// has DPauth and DPpb credentials; fails if none has. Extra CIs (e.g. a production root for eUICC
// verification only) may be added to `cis` afterwards.
rsp::Expected<DpIdentity> load_dp_identity(const std::filesystem::path& pki_dir);

}  // namespace smdp
