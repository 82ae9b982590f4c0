#include "rsp/files.hpp"
#include "rsp/pki/test_pki.hpp"

namespace rsp::pki {
namespace {

struct Sgp26File {
  Role role;
  const char* folder;
  const char* stem;  // CERT_<stem>_<CURVE>.der and SK_<stem>_<CURVE>.pem
};

// SGP.26 names: the NIST set uses the suffix NIST, the brainpool set BRP.
constexpr Sgp26File kFiles[] = {
    {Role::ci, "CertificateIssuer", "CI_ECDSA"}, {Role::eum, "EUM", "EUM_ECDSA"},
    {Role::euicc, "eUICC", "EUICC_ECDSA"},       {Role::dp_auth, "DPauth", "S_SM_DPauth_ECDSA"},
    {Role::dp_pb, "DPpb", "S_SM_DPpb_ECDSA"},    {Role::dp_tls, "DPtls", "S_SM_DP_TLS"},
};

}  // namespace

Expected<std::vector<std::string>> import_sgp26(const std::filesystem::path& source, const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(source)) return fail(source.string() + " is not a directory");
  std::vector<std::string> report;
  int certificates = 0;
  for (Curve curve : {Curve::nist_p256, Curve::brainpool_p256r1}) {
    std::string suffix = curve == Curve::nist_p256 ? "NIST" : "BRP";
    for (const auto& f : kFiles) {
      auto cert_file = source / f.folder / ("CERT_" + std::string(f.stem) + "_" + suffix + ".der");
      auto key_file = source / f.folder / ("SK_" + std::string(f.stem) + "_" + suffix + ".pem");
      std::string target = std::string(crypto::short_name(curve)) + "/" + std::string(crypto::role_name(f.role));
      if (!std::filesystem::exists(cert_file)) {
        report.push_back("absent   " + target + " (no " + cert_file.filename().string() + ")");
        continue;
      }
      auto bytes = files::read(cert_file);
      if (!bytes) return Unexpected{bytes.error()};
      auto cert = crypto::Certificate::from_der(*bytes);
      if (!cert) return fail(cert_file.string() + ": " + cert.error().message);
      if (auto s = store(dir, curve, f.role, *cert, nullptr); !s) return Unexpected{s.error()};
      certificates++;
      std::string line = "imported " + target + " <- " + std::filesystem::relative(cert_file, source).string();
      if (std::filesystem::exists(key_file)) {
        auto key_bytes = files::read(key_file);
        if (!key_bytes) return Unexpected{key_bytes.error()};
        std::string pem(key_bytes->begin(), key_bytes->end());
        wipe(*key_bytes);
        if (!crypto::PrivateKey::from_pem(pem))
          return fail(key_file.string() + " is not a private key on an RSP curve");
        if (auto s = store_key_pem(dir, curve, f.role, pem); !s) return Unexpected{s.error()};
        line += " + key";
      }
      report.push_back(line);
    }
    report.push_back("absent   " + std::string(crypto::short_name(curve)) + "/eim (SGP.26 has no eIM certificate)");
  }
  if (certificates == 0) return fail("no SGP.26 certificates found under " + source.string());
  if (auto s = write_readme(dir, "Imported by `rsp-pki import-sgp26` from the published SGP.26 set at " +
                                     source.string() + ". Files absent from that set are absent here.");
      !s)
    return Unexpected{s.error()};
  return report;
}

}  // namespace rsp::pki
