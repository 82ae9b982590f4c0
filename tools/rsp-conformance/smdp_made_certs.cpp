#include "smdp_made_certs.hpp"

#include <algorithm>
#include <atomic>
#include <ctime>

#include "rsp/eid.hpp"
#include "rsp/pki/certificate_issuer.hpp"
#include "rsp/pki/pki_layout.hpp"

namespace conformance {
namespace {

using rsp::crypto::Role;
constexpr time_t kDay = 24 * 3600;

// A fresh EID under `prefix` (8 digits), its check digits right; each call another one.
std::string fresh_eid(const std::string& prefix) {
  static std::atomic<unsigned> serial{0};
  std::string digits =
      std::to_string(static_cast<unsigned long>(time(nullptr)) % 100000000UL * 1000 + (++serial % 1000));
  std::string first30 = prefix + std::string(22 - std::min<size_t>(22, digits.size()), '0') + digits;
  return rsp::eid::complete(first30.substr(0, 30)).value_or("");
}

rsp::pki::CertificateRequest request(Role role, std::vector<std::pair<std::string, std::string>> subject,
                                     time_t not_before, time_t not_after) {
  rsp::pki::CertificateRequest r;
  r.role = role;
  r.subject = std::move(subject);
  r.not_before = not_before;
  r.not_after = not_after;
  return r;
}

}  // namespace

rsp::Status<> make_euicc_credentials(const std::filesystem::path& pki, const std::filesystem::path& out_dir,
                                     CertDefect defect) {
  auto curves = rsp::pki::curves_present(pki);
  if (curves.empty()) return rsp::fail(pki.string() + ": no curve folder");
  const time_t now = time(nullptr);
  std::string eid;  // one EID on every curve, as one card has
  for (auto curve : curves) {
    auto ci = rsp::pki::load_certificate(pki, curve, Role::ci);
    auto eum = rsp::pki::load_certificate(pki, curve, Role::eum);
    auto eum_key = rsp::pki::load_key(pki, curve, Role::eum);
    if (!ci || !eum)
      return rsp::fail(rsp::pki::curve_dir(pki, curve).string() + ": the CI and EUM certificates are needed");
    if (!eum_key)
      return rsp::fail("needs --pki's EUM key (" + rsp::pki::key_path(pki, curve, Role::eum).string() + ")");
    const std::string organization = eum->subject_organization().value_or("Open RSP Test EUM");
    const auto range = eum->permitted_eid_range();
    const std::string prefix =
        range ? range->eid_prefix : eum->subject_serial_number().value_or("89049032").substr(0, 8);
    if (eid.empty())
      eid = fresh_eid(defect == CertDefect::eid_outside_range ? (prefix == "89033024" ? "89044045" : "89033024")
                                                              : prefix);

    // The issuer of CERT.EUICC: --pki's EUM, or one made here.
    rsp::crypto::Certificate issuer = *eum;
    rsp::crypto::PrivateKey issuer_key = std::move(*eum_key);
    if (defect == CertDefect::eum_under_unknown_ci || defect == CertDefect::expired_eum) {
      std::optional<rsp::crypto::PrivateKey> ci_key;
      std::optional<rsp::crypto::Certificate> signing_ci;
      if (defect == CertDefect::expired_eum) {
        auto key = rsp::pki::load_key(pki, curve, Role::ci);
        if (!key) return rsp::fail("needs --pki's CI key (" + rsp::pki::key_path(pki, curve, Role::ci).string() + ")");
        ci_key.emplace(std::move(*key));
        signing_ci = *ci;
      } else {
        ci_key.emplace(rsp::crypto::PrivateKey::generate(curve));
        auto unknown = request(Role::ci, {{"C", "ZZ"}, {"O", "rsp-conformance"}, {"CN", "Unknown CI"}}, now - kDay,
                               now + 365 * kDay);
        unknown.registered_id = "2.999.1";
        auto made = rsp::pki::issue(unknown, *ci_key, nullptr, *ci_key);
        if (!made) return rsp::Unexpected{made.error()};
        signing_ci = std::move(*made);
      }
      auto eum_request = request(Role::eum, {{"C", "ZZ"}, {"O", organization}, {"CN", "Conformance EUM"}},
                                 defect == CertDefect::expired_eum ? now - 3 * kDay : now - kDay,
                                 defect == CertDefect::expired_eum ? now - kDay : now + 365 * kDay);
      eum_request.eid_range = rsp::crypto::EidRange{organization, prefix};
      eum_request.registered_id = "2.999.5";
      auto new_key = rsp::crypto::PrivateKey::generate(curve);
      auto made = rsp::pki::issue(eum_request, new_key, &*signing_ci, *ci_key);
      if (!made) return rsp::Unexpected{made.error()};
      issuer = std::move(*made);
      issuer_key = std::move(new_key);
    }
    auto euicc_request =
        request(Role::euicc, {{"C", "ZZ"}, {"O", organization}, {"serialNumber", eid}, {"CN", "Conformance eUICC"}},
                defect == CertDefect::expired_euicc ? now - 3 * kDay : now - kDay,
                defect == CertDefect::expired_euicc ? now - kDay : 0);
    auto euicc_key = rsp::crypto::PrivateKey::generate(curve);
    // Not signed by the EUM: the EUM named as issuer, a stranger's key signing.
    auto stranger = rsp::crypto::PrivateKey::generate(curve);
    auto euicc = rsp::pki::issue(euicc_request, euicc_key, &issuer,
                                 defect == CertDefect::euicc_not_signed_by_eum ? stranger : issuer_key);
    if (!euicc) return rsp::Unexpected{euicc.error()};
    if (auto s = rsp::pki::store(out_dir, curve, Role::ci, *ci, nullptr); !s) return s;
    if (auto s = rsp::pki::store(out_dir, curve, Role::eum, issuer, nullptr); !s) return s;
    if (auto s = rsp::pki::store(out_dir, curve, Role::euicc, *euicc, &euicc_key); !s) return s;
  }
  return rsp::Ok{};
}

namespace {

rsp::Status<> use_made_credentials(SmdpTarget& target, CertDefect defect) {
  static std::atomic<int> serial{0};
  auto dir = target.work_dir / ("made-" + std::to_string(++serial));
  auto made = make_euicc_credentials(target.pki, dir, defect);
  if (made) target.euicc_credentials = dir;
  return made;
}

}  // namespace

MadeCredentials::MadeCredentials(SmdpTarget& target, CertDefect defect)
    : made(use_made_credentials(target, defect)), target_(target) {}

rsp::Expected<rsp::crypto::PrivateKey> euicc_key_of(const std::filesystem::path& pki, rsp::ByteView certificate) {
  for (auto curve : rsp::pki::curves_present(pki)) {
    auto cert = rsp::pki::load_certificate(pki, curve, Role::euicc);
    if (cert && std::ranges::equal(cert->der(), certificate)) return rsp::pki::load_key(pki, curve, Role::euicc);
  }
  return rsp::fail("no eUICC certificate and key of this card in " + pki.string());
}

}  // namespace conformance
