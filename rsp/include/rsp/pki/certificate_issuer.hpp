#pragma once
// Issues RSP certificates with the extensions SGP.22 v2.5 §4.5.2 / SGP.26 give each role.
#include <ctime>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rsp/crypto/certificate.hpp"
#include "rsp/crypto/keys.hpp"
#include "rsp/expected.hpp"

namespace rsp::pki {

struct CertificateRequest {
  crypto::Role role = crypto::Role::unknown;
  std::vector<std::pair<std::string, std::string>> subject;  // short names: C, O, OU, CN, serialNumber
  time_t not_before = 0;
  time_t not_after = 0;                       // 0 = 9999-12-31 (no well-defined expiry)
  std::optional<crypto::EidRange> eid_range;  // EUM: permitted organisation + EID prefix
  std::vector<std::string> dns_names;         // TLS certificates
  std::vector<std::string> ip_addresses;
  std::optional<std::string> registered_id;  // SAN registeredID (entity OID)
  std::optional<std::string> key_usage;      // overrides the role's, e.g. "critical,keyAgreement"
};

// Signs `request` for `subject_key`; `issuer` null means self-signed (a CI).
Expected<crypto::Certificate> issue(const CertificateRequest& request, const crypto::PrivateKey& subject_key,
                                    const crypto::Certificate* issuer, const crypto::PrivateKey& issuer_key);

}  // namespace rsp::pki
