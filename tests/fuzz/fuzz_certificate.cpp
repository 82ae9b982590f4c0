// Certificates from outside (CERT.EUICC and CERT.EUM from a card, CERT.DPauth/DPpb from an SM-DP+,
// an eIM's certificate, files): rsp::crypto::Certificate::parse (DER or PEM), every field the
// stack reads from one, and the RSP chain check against the test PKI's CI in each role.
#include "fuzz_target.hpp"
#include "rsp/crypto/certificate.hpp"
#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/pki/pki_layout.hpp"

namespace certificate_target {

using rsp::crypto::Certificate;
using rsp::crypto::Role;

rsp::crypto::TrustedCis cis;
std::vector<Certificate> eum;  // the test PKI's EUM, the intermediate of an eUICC certificate
time_t now = 1'800'000'000;    // fixed, so that an input's verdict does not change with the day

void init() {
  const auto& pki = rsp::fuzz::test_pki();
  cis.add(rsp::pki::load_certificate(pki, rsp::crypto::Curve::nist_p256, Role::ci).value());
  eum.push_back(rsp::pki::load_certificate(pki, rsp::crypto::Curve::nist_p256, Role::eum).value());
}

void run(const uint8_t* data, size_t size) {
  auto cert = Certificate::parse(rsp::fuzz::bytes(data, size));
  if (!cert) return;
  (void)cert->der();
  (void)cert->pem();
  (void)cert->subject();
  (void)cert->issuer();
  (void)cert->self_issued();
  (void)cert->policy_oids();
  (void)cert->subject_key_id();
  (void)cert->authority_key_id();
  (void)cert->subject_serial_number();
  (void)cert->subject_organization();
  (void)cert->permitted_eid_range();
  (void)cert->registered_id();
  (void)cert->registered_id_der();
  Role role = cert->role();
  if (role == Role::unknown) role = Role::dp_auth;
  (void)rsp::crypto::verify_chain(*cert, role, role == Role::euicc ? eum : std::vector<Certificate>{}, cis, now);
  if (role == Role::ci) (void)rsp::crypto::verify_ci(*cert, now);
}

}  // namespace certificate_target

RSP_FUZZ_TARGET(certificate, certificate_target::init, certificate_target::run);
