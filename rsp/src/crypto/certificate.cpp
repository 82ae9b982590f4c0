#include "rsp/crypto/certificate.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <array>
#include <climits>
#include <cstring>

namespace rsp::crypto {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 10> kRoles{{{Role::ci, "ci"},
                                                                    {Role::euicc, "euicc"},
                                                                    {Role::eum, "eum"},
                                                                    {Role::dp_tls, "dp-tls"},
                                                                    {Role::dp_auth, "dp-auth"},
                                                                    {Role::dp_pb, "dp-pb"},
                                                                    {Role::ds_tls, "ds-tls"},
                                                                    {Role::ds_auth, "ds-auth"},
                                                                    {Role::eim, "eim"},
                                                                    {Role::eim_tls, "eim-tls"}}};
constexpr std::string_view kRolePolicyPrefix = "2.23.146.1.2.1.";

std::string obj_text(const ASN1_OBJECT* obj) {
  char buf[128];
  int n = OBJ_obj2txt(buf, sizeof(buf), obj, 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(std::min<int>(n, sizeof(buf) - 1))) : std::string();
}

std::string name_text(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::optional<std::string> name_entry(const X509_NAME* name, int nid) {
  int i = X509_NAME_get_index_by_NID(name, nid, -1);
  if (i < 0) return std::nullopt;
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

time_t to_time_t(const ASN1_TIME* t) {
  struct tm tm {};
  if (!ASN1_TIME_to_tm(t, &tm)) return 0;
  return timegm(&tm);
}

}  // namespace

std::string_view role_name(Role role) {
  for (auto& [r, name] : kRoles)
    if (r == role) return name;
  return "unknown";
}

std::optional<std::string> role_policy_oid(Role role) {
  if (role == Role::eim || role == Role::eim_tls || role == Role::unknown) return std::nullopt;
  return std::string(kRolePolicyPrefix) + std::to_string(static_cast<int>(role));
}

Certificate::Certificate(X509Ptr cert) : cert_(std::move(cert)) {}
// Copies share the parsed certificate (nothing here changes one once parsed; OpenSSL locks its
// lazily cached extensions), instead of X509_dup's encode and decode.
Certificate::Certificate(const Certificate& other) : cert_(other.cert_.get()) { X509_up_ref(cert_.get()); }

Expected<Certificate> Certificate::from_der(ByteView der) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return fail("not a DER X.509 certificate: " + openssl_error());
  if (p != der.data() + der.size()) return fail("trailing bytes after the DER certificate");
  return Certificate(std::move(cert));
}

Expected<Certificate> Certificate::from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return fail("not a PEM X.509 certificate: " + openssl_error());
  return Certificate(std::move(cert));
}

Expected<Certificate> Certificate::parse(ByteView contents) {
  static constexpr std::string_view kPemMarker = "-----BEGIN CERTIFICATE-----";
  std::string_view text(reinterpret_cast<const char*>(contents.data()), contents.size());
  if (text.find(kPemMarker) != std::string_view::npos) return from_pem(text);
  return from_der(contents);
}

Bytes Certificate::der() const {
  int n = i2d_X509(cert_.get(), nullptr);
  Bytes out(static_cast<size_t>(n));
  unsigned char* p = out.data();
  i2d_X509(cert_.get(), &p);
  return out;
}

std::string Certificate::pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert_.get());
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string Certificate::subject() const { return name_text(X509_get_subject_name(cert_.get())); }
std::string Certificate::issuer() const { return name_text(X509_get_issuer_name(cert_.get())); }
bool Certificate::self_issued() const {
  return X509_NAME_cmp(X509_get_subject_name(cert_.get()), X509_get_issuer_name(cert_.get())) == 0;
}

std::vector<std::string> Certificate::policy_oids() const {
  std::vector<std::string> out;
  PoliciesPtr policies(
      static_cast<CERTIFICATEPOLICIES*>(X509_get_ext_d2i(cert_.get(), NID_certificate_policies, nullptr, nullptr)));
  if (!policies) return out;
  for (int i = 0; i < sk_POLICYINFO_num(policies.get()); ++i)
    out.push_back(obj_text(sk_POLICYINFO_value(policies.get(), i)->policyid));
  return out;
}

Role Certificate::role() const {
  for (const auto& oid : policy_oids()) {
    for (auto& [r, name] : kRoles)
      if (role_policy_oid(r) == oid) return r;
  }
  return Role::unknown;
}

std::optional<Bytes> Certificate::subject_key_id() const {
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(cert_.get());
  if (!ski) return std::nullopt;
  return Bytes(ASN1_STRING_get0_data(ski), ASN1_STRING_get0_data(ski) + ASN1_STRING_length(ski));
}

std::optional<Bytes> Certificate::authority_key_id() const {
  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(cert_.get());
  if (!aki) return std::nullopt;
  return Bytes(ASN1_STRING_get0_data(aki), ASN1_STRING_get0_data(aki) + ASN1_STRING_length(aki));
}

std::optional<std::string> Certificate::subject_serial_number() const {
  return name_entry(X509_get_subject_name(cert_.get()), NID_serialNumber);
}

std::optional<std::string> Certificate::subject_organization() const {
  return name_entry(X509_get_subject_name(cert_.get()), NID_organizationName);
}

std::optional<EidRange> Certificate::permitted_eid_range() const {
  NameConstraintsPtr nc(
      static_cast<NAME_CONSTRAINTS*>(X509_get_ext_d2i(cert_.get(), NID_name_constraints, nullptr, nullptr)));
  if (!nc || !nc->permittedSubtrees) return std::nullopt;
  for (int i = 0; i < sk_GENERAL_SUBTREE_num(nc->permittedSubtrees); ++i) {
    const GENERAL_NAME* base = sk_GENERAL_SUBTREE_value(nc->permittedSubtrees, i)->base;
    if (base->type != GEN_DIRNAME) continue;
    auto prefix = name_entry(base->d.directoryName, NID_serialNumber);
    if (!prefix) continue;
    return EidRange{name_entry(base->d.directoryName, NID_organizationName).value_or(""), *prefix};
  }
  return std::nullopt;
}

std::optional<std::string> Certificate::registered_id() const {
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert_.get(), NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return std::nullopt;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
    if (n->type == GEN_RID) return obj_text(n->d.registeredID);
  }
  return std::nullopt;
}

std::optional<Bytes> Certificate::registered_id_der() const {
  auto text = registered_id();
  if (!text) return std::nullopt;
  Asn1ObjectPtr obj(OBJ_txt2obj(text->c_str(), 1));
  if (!obj) return std::nullopt;
  const unsigned char* data = OBJ_get0_data(obj.get());
  return Bytes(data, data + OBJ_length(obj.get()));
}

std::vector<std::string> Certificate::dns_names() const {
  std::vector<std::string> out;
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert_.get(), NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
    if (n->type == GEN_DNS)
      out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)),
                       static_cast<size_t>(ASN1_STRING_length(n->d.dNSName)));
  }
  return out;
}

uint32_t Certificate::key_usage() const { return X509_get_key_usage(cert_.get()); }

bool Certificate::is_ca() const { return (X509_get_extension_flags(cert_.get()) & EXFLAG_CA) != 0; }

time_t Certificate::not_before() const { return to_time_t(X509_get0_notBefore(cert_.get())); }
time_t Certificate::not_after() const { return to_time_t(X509_get0_notAfter(cert_.get())); }

Expected<PublicKey> Certificate::public_key() const {
  // The certificate's own parsed key, shared (not encoded and decoded again: OpenSSL 3's encoders
  // and decoders cost more than a signature).
  EVP_PKEY* key = X509_get0_pubkey(cert_.get());
  if (!key) return fail("certificate has no usable public key");
  auto curve = curve_of(key);
  if (!curve) return Unexpected{curve.error()};
  EVP_PKEY_up_ref(key);
  return PublicKey(PkeyPtr(key), *curve);
}

bool Certificate::signed_by(const PublicKey& issuer_key) const {
  bool ok = X509_verify(cert_.get(), issuer_key.get()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

}  // namespace rsp::crypto
