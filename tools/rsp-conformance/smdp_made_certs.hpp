#pragma once
// Certificates made to order for the SM-DP+ role's error cases: from --pki's EUM key (and, for an
// expired CERT.EUM, its CI key) the harness issues the eUICC credentials a wrong card would carry,
// in the layout the harness eUICC reads (SmdpTarget::euicc_credentials).
#include <filesystem>

#include "rsp/crypto/keys.hpp"
#include "rsp/expected.hpp"
#include "smdp_target.hpp"

namespace conformance {

enum class CertDefect {
  none,                     // a valid CERT.EUICC for another EID of the EUM: a second card
  expired_euicc,            // CERT.EUICC's notAfter has passed (SGP.22 v2.5 §4.5.2.1.0.3)
  eid_outside_range,        // CERT.EUICC names an EID outside the EUM's permitted range
  eum_under_unknown_ci,     // CERT.EUM (and its eUICC) issued by a CI no server knows
  euicc_not_signed_by_eum,  // CERT.EUICC names the EUM as its issuer but another key signed it
  expired_eum,              // CERT.EUM's notAfter has passed (needs --pki's CI key)
};

// For each curve of `pki`: the CI (the eUICC keeps trusting --pki's CI for the server), the EUM and
// a new CERT.EUICC with its key, carrying `defect`, written to `out_dir` (which must not exist).
// The error says which key --pki lacks.
rsp::Status<> make_euicc_credentials(const std::filesystem::path& pki, const std::filesystem::path& out_dir,
                                     CertDefect defect);

// Until it goes, the harness eUICCs `target` makes carry credentials made with `defect` (in
// target.work_dir); `made` says whether that worked (its error starts with "needs " when --pki
// lacks a key, which makes a case not applicable).
class MadeCredentials {
 public:
  MadeCredentials(SmdpTarget& target, CertDefect defect);
  ~MadeCredentials() { target_.euicc_credentials.reset(); }
  MadeCredentials(const MadeCredentials&) = delete;
  MadeCredentials& operator=(const MadeCredentials&) = delete;
  rsp::Status<> made;

 private:
  SmdpTarget& target_;
};

// The private key in `pki` (an rsp-pki layout) of the eUICC certificate `certificate` (DER), for
// the harness to sign as that eUICC; an error when `pki` holds no such certificate and key.
rsp::Expected<rsp::crypto::PrivateKey> euicc_key_of(const std::filesystem::path& pki, rsp::ByteView certificate);

}  // namespace conformance
