#include "rsp/pki/certificate_issuer.hpp"

#include <openssl/rand.h>

namespace rsp::pki {
namespace {

using crypto::openssl_error;
using crypto::Role;

Status<> add_ext(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  crypto::X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  if (!ext || !X509_add_ext(cert, ext.get(), -1))
    return fail("cannot add extension " + std::string(OBJ_nid2sn(nid)) + "=" + value + ": " + openssl_error());
  return Ok{};
}

Status<> add_name_constraints(X509* cert, const crypto::EidRange& range) {
  crypto::X509NamePtr permitted(X509_NAME_new());
  auto add = [&](const char* field, const std::string& v) {
    return X509_NAME_add_entry_by_txt(permitted.get(), field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(v.c_str()), -1, -1, 0) == 1;
  };
  if (!add("O", range.organization) || !add("serialNumber", range.eid_prefix)) return fail("cannot build EUM name");
  crypto::NameConstraintsPtr nc(NAME_CONSTRAINTS_new());
  nc->permittedSubtrees = sk_GENERAL_SUBTREE_new_null();
  GENERAL_SUBTREE* subtree = GENERAL_SUBTREE_new();
  GENERAL_NAME_free(subtree->base);
  subtree->base = GENERAL_NAME_new();
  GENERAL_NAME_set0_value(subtree->base, GEN_DIRNAME, permitted.release());
  sk_GENERAL_SUBTREE_push(nc->permittedSubtrees, subtree);
  if (!X509_add1_ext_i2d(cert, NID_name_constraints, nc.get(), 1, X509V3_ADD_DEFAULT))
    return fail("cannot add name constraints: " + openssl_error());
  return Ok{};
}

// certificatePolicies with one policy OID and no qualifiers (the config-string form needs a
// config database for this extension).
Status<> add_policy(X509* cert, const std::string& oid, bool critical) {
  crypto::PoliciesPtr policies(sk_POLICYINFO_new_null());
  POLICYINFO* info = POLICYINFO_new();
  ASN1_OBJECT_free(info->policyid);
  info->policyid = OBJ_txt2obj(oid.c_str(), 1);
  sk_POLICYINFO_push(policies.get(), info);
  if (!info->policyid ||
      !X509_add1_ext_i2d(cert, NID_certificate_policies, policies.get(), critical ? 1 : 0, X509V3_ADD_DEFAULT))
    return fail("cannot add certificate policy " + oid + ": " + openssl_error());
  return Ok{};
}

Status<> set_time(ASN1_TIME* field, time_t t) {
  if (t == 0) return ASN1_TIME_set_string_X509(field, "99991231235959Z") ? Status<>(Ok{}) : fail("bad time");
  return ASN1_TIME_set(field, t) ? Status<>(Ok{}) : fail("bad time");
}

// Extensions per role, as the SGP.26 test certificates carry them.
Status<> add_role_extensions(X509* cert, X509V3_CTX* ctx, const CertificateRequest& r) {
  auto policy = crypto::role_policy_oid(r.role);
  std::vector<std::pair<int, std::string>> exts{{NID_subject_key_identifier, "hash"}};
  if (r.role != Role::ci) exts.push_back({NID_authority_key_identifier, "keyid:always"});
  switch (r.role) {
    case Role::ci:
      exts.push_back({NID_key_usage, "critical,keyCertSign,cRLSign"});
      exts.push_back({NID_basic_constraints, "critical,CA:TRUE"});
      break;
    case Role::eum:
      exts.push_back({NID_key_usage, "critical,keyCertSign"});
      exts.push_back({NID_basic_constraints, "critical,CA:TRUE,pathlen:0"});
      break;
    case Role::dp_tls:
    case Role::ds_tls:
    case Role::eim_tls:
      exts.push_back({NID_key_usage, "critical,digitalSignature"});
      exts.push_back({NID_ext_key_usage, "critical,serverAuth,clientAuth"});
      break;
    default: exts.push_back({NID_key_usage, "critical,digitalSignature"});
  }
  if (r.key_usage)
    for (auto& [nid, value] : exts)
      if (nid == NID_key_usage) value = *r.key_usage;
  if (policy) {
    bool critical = r.role != Role::dp_tls && r.role != Role::ds_tls;
    if (auto s = add_policy(cert, *policy, critical); !s) return s;
  }
  std::string san;
  for (const auto& d : r.dns_names) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : r.ip_addresses) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  if (r.registered_id) san += (san.empty() ? "" : ",") + std::string("RID:") + *r.registered_id;
  if (!san.empty()) exts.push_back({NID_subject_alt_name, san});
  for (const auto& [nid, value] : exts)
    if (auto s = add_ext(cert, ctx, nid, value); !s) return s;
  if (r.eid_range) return add_name_constraints(cert, *r.eid_range);
  return Ok{};
}

}  // namespace

Expected<crypto::Certificate> issue(const CertificateRequest& request, const crypto::PrivateKey& subject_key,
                                    const crypto::Certificate* issuer, const crypto::PrivateKey& issuer_key) {
  crypto::X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  uint8_t serial[8];
  RAND_bytes(serial, sizeof(serial));
  serial[0] &= 0x7F;  // positive
  serial[0] |= 0x01;  // and full length
  crypto::BnPtr bn(BN_bin2bn(serial, sizeof(serial), nullptr));
  BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()));

  crypto::X509NamePtr subject(X509_NAME_new());
  for (const auto& [field, value] : request.subject)
    if (!X509_NAME_add_entry_by_txt(subject.get(), field.c_str(), MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0))
      return fail("bad subject field " + field);
  X509_set_subject_name(cert.get(), subject.get());
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer->get()) : subject.get());
  if (auto s = set_time(X509_getm_notBefore(cert.get()), request.not_before); !s) return Unexpected{s.error()};
  if (auto s = set_time(X509_getm_notAfter(cert.get()), request.not_after); !s) return Unexpected{s.error()};
  X509_set_pubkey(cert.get(), subject_key.get());

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer ? issuer->get() : cert.get(), cert.get(), nullptr, nullptr, 0);
  if (auto s = add_role_extensions(cert.get(), &ctx, request); !s) return Unexpected{s.error()};
  if (!X509_sign(cert.get(), issuer_key.get(), EVP_sha256()))
    return fail("cannot sign certificate: " + openssl_error());
  return crypto::Certificate(std::move(cert));
}

}  // namespace rsp::pki
