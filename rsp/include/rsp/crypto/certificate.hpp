#pragma once
// X.509 certificates of the RSP PKI (SGP.22 v2.5 §4.5.2 and Annex A): parsing and the facts the
// protocol reads from them (role policy, key identifiers, EID, permitted EID prefix, SM-DP+ OID).
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "rsp/bytes.hpp"
#include "rsp/crypto/keys.hpp"
#include "rsp/crypto/openssl.hpp"
#include "rsp/expected.hpp"

namespace rsp::crypto {

// The id-rspRole-* certificate policies (2.23.146.1.2.1.n); eim and eim_tls (the eIM's HTTPS
// certificate) have no policy OID in SGP.32 v1.2.
enum class Role { ci, euicc, eum, dp_tls, dp_auth, dp_pb, ds_tls, ds_auth, eim, eim_tls, unknown };
std::string_view role_name(Role role);
// "2.23.146.1.2.1.n" for the roles that have a policy OID.
std::optional<std::string> role_policy_oid(Role role);

// The permitted subtree of an EUM's Name Constraints: eUICC certificates it issues carry this
// organisation and an EID (subject serialNumber) that starts with `eid_prefix`.
struct EidRange {
  std::string organization;
  std::string eid_prefix;
};

class Certificate {
 public:
  explicit Certificate(X509Ptr cert);
  Certificate(const Certificate& other);
  Certificate(Certificate&&) = default;
  Certificate& operator=(Certificate&&) = default;
  Certificate& operator=(const Certificate& other) {
    if (this != &other) *this = Certificate(other);
    return *this;
  }

  static Expected<Certificate> from_der(ByteView der);
  static Expected<Certificate> from_pem(std::string_view pem);
  // Either form, as read from a file.
  static Expected<Certificate> parse(ByteView contents);

  Bytes der() const;
  std::string pem() const;
  std::string subject() const;  // one line, RFC 2253 order reversed for reading: "C=ES, O=..., CN=..."
  std::string issuer() const;
  bool self_issued() const;  // subject == issuer

  Role role() const;  // from the first id-rspRole policy, else unknown
  std::vector<std::string> policy_oids() const;
  std::optional<Bytes> subject_key_id() const;
  std::optional<Bytes> authority_key_id() const;
  std::optional<std::string> subject_serial_number() const;  // the EID of an eUICC certificate
  std::optional<std::string> subject_organization() const;
  std::optional<EidRange> permitted_eid_range() const;  // EUM name constraints
  std::optional<std::string> registered_id() const;     // SAN registeredID, e.g. the SM-DP+ OID
  std::optional<Bytes> registered_id_der() const;       // the same OID's DER contents (no tag/length)
  std::vector<std::string> dns_names() const;
  uint32_t key_usage() const;  // X509v3 KU_* bits; UINT32_MAX when absent
  bool is_ca() const;          // basicConstraints cA
  time_t not_before() const;
  time_t not_after() const;
  Expected<PublicKey> public_key() const;
  bool signed_by(const PublicKey& issuer_key) const;

  X509* get() const { return cert_.get(); }

 private:
  X509Ptr cert_;
};

}  // namespace rsp::crypto
