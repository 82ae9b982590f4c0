#include "rsp/pki/pki_layout.hpp"

#include "rsp/files.hpp"

namespace rsp::pki {

std::filesystem::path curve_dir(const std::filesystem::path& dir, Curve curve) {
  return dir / std::string(crypto::short_name(curve));
}

std::filesystem::path certificate_path(const std::filesystem::path& dir, Curve curve, Role role) {
  return curve_dir(dir, curve) / (std::string(crypto::role_name(role)) + ".der");
}

std::filesystem::path key_path(const std::filesystem::path& dir, Curve curve, Role role) {
  return curve_dir(dir, curve) / (std::string(crypto::role_name(role)) + ".key.pem");
}

Status<> store(const std::filesystem::path& dir, Curve curve, Role role, const crypto::Certificate& cert,
               const crypto::PrivateKey* key) {
  std::error_code ec;
  std::filesystem::create_directories(curve_dir(dir, curve), ec);
  if (ec) return fail("cannot create " + curve_dir(dir, curve).string() + ": " + ec.message());
  auto der_path = certificate_path(dir, curve, role);
  if (auto r = files::write_atomic(der_path, cert.der()); !r) return r;
  auto pem_path = der_path;
  pem_path.replace_extension(".pem");
  if (auto r = files::write_atomic(pem_path, cert.pem()); !r) return r;
  if (key) return store_key_pem(dir, curve, role, key->to_pem());
  return Ok{};
}

Status<> store_key_pem(const std::filesystem::path& dir, Curve curve, Role role, std::string_view pem) {
  std::error_code ec;
  std::filesystem::create_directories(curve_dir(dir, curve), ec);
  if (ec) return fail("cannot create " + curve_dir(dir, curve).string() + ": " + ec.message());
  return files::write_atomic(key_path(dir, curve, role), pem, files::Access::secret);
}

Expected<crypto::Certificate> load_certificate(const std::filesystem::path& dir, Curve curve, Role role) {
  auto bytes = files::read(certificate_path(dir, curve, role));
  if (!bytes) return Unexpected{bytes.error()};
  return crypto::Certificate::from_der(*bytes);
}

Expected<crypto::PrivateKey> load_key(const std::filesystem::path& dir, Curve curve, Role role) {
  auto bytes = files::read(key_path(dir, curve, role));
  if (!bytes) return Unexpected{bytes.error()};
  auto key =
      crypto::PrivateKey::from_pem(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
  wipe(*bytes);
  return key;
}

std::vector<Curve> curves_present(const std::filesystem::path& dir) {
  std::vector<Curve> out;
  for (Curve c : {Curve::nist_p256, Curve::brainpool_p256r1})
    if (std::filesystem::is_directory(curve_dir(dir, c))) out.push_back(c);
  return out;
}

Status<> write_readme(const std::filesystem::path& dir, std::string_view origin) {
  std::string text =
      "# RSP test PKI\n\n" + std::string(origin) +
      "\n\nOne folder per curve (`nist` = NIST P-256, `brainpool` = brainpoolP256r1), each holding:\n\n"
      "| file | what it is |\n|---|---|\n"
      "| ci.der / ci.pem | CERT.CI.ECDSA: the self-signed GSMA-style root (policy id-rspRole-ci) |\n"
      "| eum.der / eum.pem | CERT.EUM.ECDSA: the eUICC manufacturer, issued by the CI; its Name Constraints"
      " give the organisation and the EID prefix its eUICCs must have |\n"
      "| euicc.der / euicc.pem | CERT.EUICC.ECDSA: one eUICC, issued by the EUM; subject serialNumber = EID |\n"
      "| dp-auth.der / .pem | CERT.DPauth.ECDSA: the SM-DP+'s key for ES9+ authentication (serverSignature1) |\n"
      "| dp-pb.der / .pem | CERT.DPpb.ECDSA: the SM-DP+'s key for profile binding (smdpSignature2, BF23) |\n"
      "| dp-tls.der / .pem | CERT.DP.TLS: the SM-DP+'s HTTPS server certificate, SAN = its host name |\n"
      "| ds-auth.der / .pem | CERT.DSauth.ECDSA: the SM-DS's key for ES11 authentication (serverSignature1) |\n"
      "| ds-tls.der / .pem | CERT.DS.TLS: the SM-DS's HTTPS certificate (server and ES12 client), SAN = its host name |\n"
      "| eim.der / .pem | the eIM's signing certificate for eUICC packages (SGP.32) |\n"
      "| eim-tls.der / .pem | the eIM's HTTPS server certificate (ESipa), SAN = its host name |\n"
      "| <role>.key.pem | the private key of that certificate (PKCS#8 PEM, mode 0600) |\n\n"
      "Test material only: never use these keys for anything real.\n";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return files::write_atomic(dir / "README.md", text);
}

}  // namespace rsp::pki
