#include "rsp/crypto/certificate_chain.hpp"

#include "rsp/crypto/certificate_cache.hpp"

#include "rsp/eid.hpp"

namespace rsp::crypto {
namespace {

Unexpected<ChainFailure> failure(ChainError e, Role role, const Certificate& cert, std::string message) {
  return {ChainFailure{e, role, cert.subject(), std::move(message)}};
}

std::string when(time_t t) {
  char buf[32];
  struct tm tm {};
  gmtime_r(&t, &tm);
  strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

Status<ChainFailure> check_validity(const Certificate& cert, Role role, time_t now) {
  if (now < cert.not_before())
    return failure(ChainError::not_yet_valid, role, cert, "not valid before " + when(cert.not_before()));
  if (now > cert.not_after()) return failure(ChainError::expired, role, cert, "expired on " + when(cert.not_after()));
  return Ok{};
}

Status<ChainFailure> check_role(const Certificate& cert, Role role) {
  auto want = role_policy_oid(role);
  if (!want) return Ok{};  // eIM certificates carry no rspRole policy
  if (cert.role() != role)
    return failure(ChainError::wrong_role, role, cert,
                   "certificate policy is " + std::string(role_name(cert.role())) + ", expected " +
                       std::string(role_name(role)) + " (" + *want + ")");
  return Ok{};
}

Status<ChainFailure> check_key_usage(const Certificate& cert, Role role) {
  uint32_t ku = cert.key_usage();
  bool signer = role == Role::ci || role == Role::eum;
  uint32_t need = signer ? KU_KEY_CERT_SIGN : KU_DIGITAL_SIGNATURE;
  if (ku == UINT32_MAX || (ku & need) == 0)
    return failure(ChainError::bad_key_usage, role, cert,
                   signer ? "key usage lacks keyCertSign" : "key usage lacks digitalSignature");
  return Ok{};
}

// SGP.22 v2.5 §4.5.2.1.0.2: the eUICC's EID must lie within the EUM's permitted range; the
// serialNumber constraint is a prefix of the EID, not a whole-value match as generic X.509 has it.
Status<ChainFailure> check_eid(const Certificate& euicc, const Certificate& eum) {
  auto eid = euicc.subject_serial_number();
  if (!eid) return failure(ChainError::eid_invalid, Role::euicc, euicc, "no EID (subject serialNumber)");
  if (auto range = eum.permitted_eid_range()) {
    if (eid->rfind(range->eid_prefix, 0) != 0)
      return failure(ChainError::eid_outside_range, Role::euicc, euicc,
                     "EID " + *eid + " is outside the EUM's range " + range->eid_prefix + "*");
    if (!range->organization.empty() && euicc.subject_organization() != range->organization)
      return failure(ChainError::eid_outside_range, Role::euicc, euicc,
                     "organisation differs from the EUM's permitted '" + range->organization + "'");
  }
  if (!eid::valid(*eid))
    return failure(ChainError::eid_invalid, Role::euicc, euicc, "EID " + *eid + " has wrong check digits");
  return Ok{};
}

}  // namespace

std::string_view chain_error_name(ChainError e) {
  switch (e) {
    case ChainError::unknown_ci: return "unknown CI";
    case ChainError::issuer_not_found: return "issuer not found";
    case ChainError::bad_signature: return "invalid signature";
    case ChainError::not_yet_valid: return "not yet valid";
    case ChainError::expired: return "expired";
    case ChainError::wrong_role: return "wrong role";
    case ChainError::bad_key_usage: return "wrong key usage";
    case ChainError::issuer_not_ca: return "issuer may not sign certificates";
    case ChainError::eid_outside_range: return "EID outside the EUM's range";
    case ChainError::eid_invalid: return "invalid EID";
    case ChainError::curve_mismatch: return "curve mismatch";
    case ChainError::malformed: return "malformed";
  }
  return "?";
}

Status<ChainFailure> verify_ci(const Certificate& ci, time_t now) {
  auto key = ci.public_key();
  if (!key) return failure(ChainError::malformed, Role::ci, ci, key.error().message);
  if (!ci.self_issued() || !signature_verifies(ci, *key))
    return failure(ChainError::bad_signature, Role::ci, ci, "CI certificate is not validly self-signed");
  if (auto r = check_role(ci, Role::ci); !r) return r;
  if (auto r = check_key_usage(ci, Role::ci); !r) return r;
  return check_validity(ci, Role::ci, now);
}

Status<ChainFailure> verify_link(const Certificate& cert, Role role, const Certificate& issuer, time_t now) {
  auto issuer_key = issuer.public_key();
  if (!issuer_key) return failure(ChainError::malformed, role, cert, "issuer key: " + issuer_key.error().message);
  auto own_key = cert.public_key();
  if (!own_key) return failure(ChainError::malformed, role, cert, own_key.error().message);
  if (own_key->curve() != issuer_key->curve())
    return failure(ChainError::curve_mismatch, role, cert, "key curve differs from its issuer's");
  if (!signature_verifies(cert, *issuer_key))
    return failure(ChainError::bad_signature, role, cert,
                   "signature does not verify with the key of " + issuer.subject());
  if (auto r = check_validity(cert, role, now); !r) return r;
  if (auto r = check_role(cert, role); !r) return r;
  if (auto r = check_key_usage(cert, role); !r) return r;
  uint32_t issuer_ku = issuer.key_usage();
  if (!issuer.is_ca() && issuer.role() != Role::ci)
    return failure(ChainError::issuer_not_ca, role, cert, "issuer " + issuer.subject() + " is not a CA");
  if (issuer_ku != UINT32_MAX && (issuer_ku & KU_KEY_CERT_SIGN) == 0)
    return failure(ChainError::issuer_not_ca, role, cert, "issuer " + issuer.subject() + " lacks keyCertSign");
  if (role == Role::euicc) return check_eid(cert, issuer);
  return Ok{};
}

namespace {

// The issuer of `cert` among `candidates`: by authority key identifier when the certificate has
// one; otherwise the candidate whose key verifies its signature.
struct IssuerSearch {
  const Certificate* issuer = nullptr;
  bool had_key_id = false;
};

IssuerSearch find_issuer(const Certificate& cert, const std::vector<const Certificate*>& candidates) {
  IssuerSearch found;
  auto aki = cert.authority_key_id();
  found.had_key_id = aki.has_value();
  for (const Certificate* c : candidates) {
    if (aki && c->subject_key_id() != aki) continue;
    if (!found.issuer) found.issuer = c;
    auto key = c->public_key();
    if (key && signature_verifies(cert, *key)) return {c, found.had_key_id};  // prefer the one that really signed
  }
  if (!aki) found.issuer = nullptr;  // without a key identifier only a verifying signature identifies the issuer
  return found;
}

}  // namespace

Status<ChainFailure> verify_chain(const Certificate& leaf, Role leaf_role,
                                  const std::vector<Certificate>& intermediates, const TrustedCis& cis, time_t now) {
  // The chain shape is fixed by the role: an eUICC is issued by an EUM, everything else by a CI.
  // Links are checked from the CI down (SGP.22 v2.5 §5.6.2: the EUM certificate first, then the
  // eUICC's), so an untrusted EUM is reported as such rather than through its eUICC.
  const Certificate* eum = nullptr;
  if (leaf_role == Role::euicc) {
    std::vector<const Certificate*> eums;
    for (const auto& c : intermediates) eums.push_back(&c);
    auto search = find_issuer(leaf, eums);
    if (!search.issuer) {
      if (!search.had_key_id && !eums.empty())
        return failure(ChainError::bad_signature, Role::euicc, leaf, "signature does not verify with any EUM key");
      return failure(ChainError::issuer_not_found, Role::euicc, leaf, "the issuing EUM certificate is missing");
    }
    eum = search.issuer;
  }
  const Certificate& below_ci = eum ? *eum : leaf;
  Role below_ci_role = eum ? Role::eum : leaf_role;
  std::vector<const Certificate*> ci_list;
  for (const auto& c : cis.all()) ci_list.push_back(&c);
  auto search = find_issuer(below_ci, ci_list);
  if (!search.issuer) {
    if (search.had_key_id)
      return failure(ChainError::unknown_ci, below_ci_role, below_ci,
                     "no trusted CI with key identifier " + to_hex(*below_ci.authority_key_id()));
    return failure(ChainError::bad_signature, below_ci_role, below_ci,
                   "signature does not verify with any trusted CI key");
  }
  if (auto r = verify_ci(*search.issuer, now); !r) return r;
  if (auto r = verify_link(below_ci, below_ci_role, *search.issuer, now); !r) return r;
  if (eum) return verify_link(leaf, Role::euicc, *eum, now);
  return Ok{};
}

}  // namespace rsp::crypto
