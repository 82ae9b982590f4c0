#pragma once
// Validation of RSP certificate chains: CI -> EUM -> eUICC and CI -> DPauth / DPpb / DP TLS / eIM.
// Each kind of failure has its own value, so the SM-DP+ and the eUICC can map them to different
// SGP.22 status codes (e.g. 8.1.2 EUM vs 8.1.3 eUICC certificate, reason 6.1 vs 6.3).
#include <ctime>
#include <string>
#include <vector>

#include "rsp/crypto/certificate.hpp"

namespace rsp::crypto {

enum class ChainError {
  unknown_ci,        // no trusted CI with the issuer's key identifier
  issuer_not_found,  // an intermediate issuer (EUM) is missing
  bad_signature,     // the signature does not verify with the issuer's key
  not_yet_valid,
  expired,
  wrong_role,         // certificate policy is not the id-rspRole the position requires
  bad_key_usage,      // key usage does not fit the role
  issuer_not_ca,      // the issuing certificate may not sign certificates
  eid_outside_range,  // the EID is not within the EUM's permitted prefix / organisation
  eid_invalid,        // the EID's check digits are wrong
  curve_mismatch,     // the chain mixes curves
  malformed,
};
std::string_view chain_error_name(ChainError e);

struct ChainFailure {
  ChainError error;
  Role certificate_role;  // the position that failed (e.g. eum or euicc)
  std::string subject;    // of the certificate that failed
  std::string message;    // for people: what failed and why
};

class TrustedCis {
 public:
  void add(Certificate ci) { cis_.push_back(std::move(ci)); }
  const std::vector<Certificate>& all() const { return cis_; }

 private:
  std::vector<Certificate> cis_;
};

// One link: `cert` in role `role`, issued by `issuer`; checks signature, validity at `now`,
// the role policy and key usage, the issuer's right to sign, and for an eUICC the EID range.
Status<ChainFailure> verify_link(const Certificate& cert, Role role, const Certificate& issuer, time_t now);

// A CI: self-signed, CI policy, may sign certificates, valid at `now`.
Status<ChainFailure> verify_ci(const Certificate& ci, time_t now);

// leaf (role `leaf_role`) [-> intermediate EUM for an eUICC] -> a CI of `cis` picked by key identifier.
Status<ChainFailure> verify_chain(const Certificate& leaf, Role leaf_role,
                                  const std::vector<Certificate>& intermediates, const TrustedCis& cis, time_t now);

}  // namespace rsp::crypto
