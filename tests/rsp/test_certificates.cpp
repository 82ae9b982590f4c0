// RSP certificate chains: the SGP.26 sets of the kit, its deliberately broken certificates, and
// freshly made PKIs on both curves; plus `rsp-pki check` over each.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/eid.hpp"
#include "rsp/files.hpp"
#include "rsp/pki/certificate_issuer.hpp"
#include "rsp/pki/test_pki.hpp"
#include "support/kit.hpp"

using namespace rsp;
using namespace rsp::crypto;
namespace fs = std::filesystem;

namespace {

Certificate load(const fs::path& p) { return Certificate::parse(test::read_file(p)).value(); }

fs::path sgp26() { return test::require_kit() / "certs/sgp26-v3/sgp26"; }
fs::path invalid(const std::string& name) { return test::require_kit() / "certs/sgp26-v3/InvalidTestCases" / name; }

TrustedCis sgp26_cis() {
  TrustedCis cis;
  cis.add(load(sgp26() / "CertificateIssuer/CERT_CI_ECDSA_NIST.der"));
  cis.add(load(sgp26() / "CertificateIssuer/CERT_CI_ECDSA_BRP.der"));
  return cis;
}

ChainError euicc_error(const Certificate& euicc, const Certificate& eum) {
  auto r = verify_chain(euicc, Role::euicc, {eum}, sgp26_cis(), time(nullptr));
  REQUIRE_FALSE(r);
  INFO(r.error().message);
  return r.error().error;
}

// The verdicts of `rsp-pki check` that failed.
std::vector<pki::Verdict> failures(const fs::path& dir) {
  std::vector<pki::Verdict> out;
  for (auto& v : pki::check(dir, time(nullptr)))
    if (!v.ok()) out.push_back(v);
  return out;
}

void copy_tree(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

}  // namespace

TEST_CASE("SGP.26: CI -> EUM -> eUICC validates on both curves, EID prefix rule included") {
  auto cis = sgp26_cis();
  for (const char* c : {"NIST", "BRP"}) {
    INFO(c);
    auto eum = load(sgp26() / ("EUM/CERT_EUM_ECDSA_" + std::string(c) + ".der"));
    auto euicc = load(sgp26() / ("eUICC/CERT_EUICC_ECDSA_" + std::string(c) + ".der"));
    CHECK(eum.permitted_eid_range()->eid_prefix == "89049032");
    auto r = verify_chain(euicc, Role::euicc, {eum}, cis, time(nullptr));
    INFO((r ? "" : r.error().message));
    CHECK(r);
    CHECK(verify_chain(load(sgp26() / ("DPauth/CERT_S_SM_DPauth_ECDSA_" + std::string(c) + ".der")), Role::dp_auth, {},
                       cis, time(nullptr)));
    CHECK(verify_chain(load(sgp26() / ("DPpb/CERT_S_SM_DPpb_ECDSA_" + std::string(c) + ".der")), Role::dp_pb, {}, cis,
                       time(nullptr)));
  }
}

TEST_CASE("SGP.26 invalid test cases each fail for their own reason") {
  auto eum = load(sgp26() / "EUM/CERT_EUM_ECDSA_NIST.der");
  CHECK(euicc_error(load(invalid("CERT_EUICC_ECDSA_NIST_EXPIRED.der")), eum) == ChainError::expired);
  CHECK(euicc_error(load(invalid("CERT_EUICC_ECDSA_NIST_INVALID.der")), eum) == ChainError::bad_signature);
  CHECK(euicc_error(load(invalid("CERT_EUICC_ECDSA_NIST_INVALID_EID.der")), eum) == ChainError::eid_outside_range);
  CHECK(euicc_error(load(invalid("CERT_EUICC_ECDSA_NIST_UNMATCHED_EID.der")), eum) == ChainError::eid_invalid);
  auto good_euicc = load(sgp26() / "eUICC/CERT_EUICC_ECDSA_NIST.der");
  auto unknown = verify_chain(good_euicc, Role::euicc, {load(invalid("CERT_EUM_ECDSA_NIST_UNKNOWN_CI.der"))},
                              sgp26_cis(), time(nullptr));
  REQUIRE_FALSE(unknown);
  INFO(unknown.error().message);
  CHECK(unknown.error().error == ChainError::unknown_ci);
  CHECK(unknown.error().certificate_role == Role::eum);
  auto eum_unknown =
      verify_chain(load(invalid("CERT_EUM_ECDSA_NIST_UNKNOWN_CI.der")), Role::eum, {}, sgp26_cis(), time(nullptr));
  REQUIRE_FALSE(eum_unknown);
  CHECK(eum_unknown.error().error == ChainError::unknown_ci);
  auto eum_expired =
      verify_chain(load(invalid("CERT_EUM_ECDSA_NIST_EXPIRED.der")), Role::eum, {}, sgp26_cis(), time(nullptr));
  REQUIRE_FALSE(eum_expired);
  CHECK(eum_expired.error().error == ChainError::expired);
  CHECK(eum_expired.error().certificate_role == Role::eum);
  auto eum_invalid =
      verify_chain(load(invalid("CERT_EUM_ECDSA_NIST_INVALID.der")), Role::eum, {}, sgp26_cis(), time(nullptr));
  REQUIRE_FALSE(eum_invalid);
  CHECK(eum_invalid.error().error == ChainError::bad_signature);
}

TEST_CASE("rsp-pki check: the published SGP.26 sets pass except their expired DP TLS certificates") {
  auto kit = test::require_kit();
  test::TempDir pysim;
  for (const char* d : {"CertificateIssuer", "DPauth", "DPpb", "DPtls"}) copy_tree(kit / "certs" / d, pysim.path() / d);
  for (const fs::path& dir : {pysim.path(), sgp26(), kit / "certs/production-ci"}) {
    INFO(dir.string());
    auto verdicts = pki::check(dir, time(nullptr));
    CHECK(verdicts.size() >= 2);
    for (const auto& v : verdicts) {
      if (v.ok()) continue;
      INFO(pki::format(v, dir));
      CHECK(v.role == Role::dp_tls);
      CHECK(v.failure->error == ChainError::expired);
    }
  }
}

TEST_CASE("rsp-pki check: each broken certificate beside the valid set fails with its own message") {
  const std::pair<const char*, ChainError> cases[] = {
      {"CERT_EUICC_ECDSA_NIST_EXPIRED.der", ChainError::expired},
      {"CERT_EUICC_ECDSA_NIST_INVALID.der", ChainError::bad_signature},
      {"CERT_EUICC_ECDSA_NIST_INVALID_EID.der", ChainError::eid_outside_range},
      {"CERT_EUICC_ECDSA_NIST_UNMATCHED_EID.der", ChainError::eid_invalid},
      {"CERT_EUM_ECDSA_NIST_EXPIRED.der", ChainError::expired},
      {"CERT_EUM_ECDSA_NIST_UNKNOWN_CI.der", ChainError::unknown_ci},
      {"CERT_EUM_ECDSA_NIST_INVALID.der", ChainError::bad_signature},
  };
  for (auto [name, error] : cases) {
    INFO(name);
    test::TempDir dir;
    for (const char* d : {"CertificateIssuer", "EUM", "eUICC", "DPauth", "DPpb"})
      copy_tree(sgp26() / d, dir.path() / d);
    fs::copy_file(invalid(name), dir.path() / name);
    auto failed = failures(dir.path());
    REQUIRE(failed.size() >= 1);
    bool found = false;
    for (const auto& v : failed) {
      INFO(pki::format(v, dir.path()));
      if (v.file.filename() == name) {
        found = true;
        CHECK(v.failure->error == error);
      } else {
        CHECK(false);  // nothing else in the valid set may fail
      }
    }
    CHECK(found);
  }
}

TEST_CASE("rsp-pki make: a fresh PKI on each curve validates, with keys 0600 and a README") {
  for (Curve curve : {Curve::nist_p256, Curve::brainpool_p256r1}) {
    INFO(short_name(curve));
    test::TempDir dir;
    pki::MakeOptions options;
    options.curve = curve;
    options.dp_host = "smdp.example.org";
    REQUIRE(pki::make(dir.path(), options));
    CHECK(fs::exists(dir.path() / "README.md"));
    auto verdicts = pki::check(dir.path(), time(nullptr));
    CHECK(verdicts.size() == pki::layout_roles().size());
    for (const auto& v : verdicts) {
      INFO(pki::format(v, dir.path()));
      CHECK(v.ok());
    }
    for (Role role : pki::layout_roles()) {
      struct stat st {};
      REQUIRE(::stat(pki::key_path(dir.path(), curve, role).c_str(), &st) == 0);
      CHECK((st.st_mode & 0777) == 0600);
      auto cert = pki::load_certificate(dir.path(), curve, role).value();
      CHECK(cert.public_key()->point() == pki::load_key(dir.path(), curve, role)->point());
      CHECK(cert.public_key()->curve() == curve);
    }
    TrustedCis cis;
    cis.add(pki::load_certificate(dir.path(), curve, Role::ci).value());
    auto euicc = pki::load_certificate(dir.path(), curve, Role::euicc).value();
    CHECK(euicc.subject_serial_number() == pki::default_eid());
    CHECK(verify_chain(euicc, Role::euicc, {pki::load_certificate(dir.path(), curve, Role::eum).value()}, cis,
                       time(nullptr)));
    auto tls = pki::load_certificate(dir.path(), curve, Role::dp_tls).value();
    CHECK(tls.dns_names() == std::vector<std::string>{"smdp.example.org"});
    CHECK(verify_chain(tls, Role::dp_tls, {}, cis, time(nullptr)));
    // The SM-DS's pair (SGP.26 profile): DSauth under policy .1.7, DS TLS for the SM-DS host.
    auto ds_tls = pki::load_certificate(dir.path(), curve, Role::ds_tls).value();
    CHECK(ds_tls.role() == Role::ds_tls);
    CHECK(ds_tls.dns_names() == std::vector<std::string>{"localhost"});
    CHECK(verify_chain(ds_tls, Role::ds_tls, {}, cis, time(nullptr)));
    auto ds_auth = pki::load_certificate(dir.path(), curve, Role::ds_auth).value();
    CHECK(ds_auth.policy_oids() == std::vector<std::string>{"2.23.146.1.2.1.7"});
    CHECK(verify_chain(ds_auth, Role::ds_auth, {}, cis, time(nullptr)));
    // A second make into the same place is refused rather than overwriting keys.
    CHECK_FALSE(pki::make(dir.path(), options));
  }
}

TEST_CASE("rsp-pki make: an eUICC from another EUM range is refused by the chain check") {
  test::TempDir a, b;
  pki::MakeOptions options;
  REQUIRE(pki::make(a.path(), options));
  options.eid = eid::complete("890490330000000000000000000007").value();
  REQUIRE(pki::make(b.path(), options));
  // b's eUICC signed by b's EUM, but b's EUM is checked against a's CI: unknown CI.
  TrustedCis cis;
  cis.add(pki::load_certificate(a.path(), Curve::nist_p256, Role::ci).value());
  auto r = verify_chain(pki::load_certificate(b.path(), Curve::nist_p256, Role::euicc).value(), Role::euicc,
                        {pki::load_certificate(b.path(), Curve::nist_p256, Role::eum).value()}, cis, time(nullptr));
  REQUIRE_FALSE(r);
  CHECK(r.error().error == ChainError::unknown_ci);
  CHECK_FALSE(pki::make(a.path() / "other", pki::MakeOptions{Curve::nist_p256, "89049032000000000000000000000000"}));
}

TEST_CASE("rsp-pki euicc: another eUICC of the same EUM, as a factory issues one card after another") {
  test::TempDir dir;
  REQUIRE(pki::make(dir.path() / "pki", pki::MakeOptions{}));
  const std::string second = eid::complete("890490320000000000000000000002").value();
  REQUIRE(pki::issue_euicc(dir.path() / "pki", dir.path() / "second", second));
  auto curve = Curve::nist_p256;
  auto euicc = pki::load_certificate(dir.path() / "second", curve, Role::euicc).value();
  CHECK(euicc.subject_serial_number() == second);
  CHECK(euicc.public_key()->point() == pki::load_key(dir.path() / "second", curve, Role::euicc)->point());
  CHECK(euicc.public_key()->point() !=
        pki::load_certificate(dir.path() / "pki", curve, Role::euicc)->public_key()->point());
  struct stat st {};
  REQUIRE(::stat(pki::key_path(dir.path() / "second", curve, Role::euicc).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // Under the first PKI's CI and EUM; no other key leaves the PKI.
  TrustedCis cis;
  cis.add(pki::load_certificate(dir.path() / "pki", curve, Role::ci).value());
  CHECK(verify_chain(euicc, Role::euicc, {pki::load_certificate(dir.path() / "pki", curve, Role::eum).value()}, cis,
                     time(nullptr)));
  CHECK_FALSE(fs::exists(pki::key_path(dir.path() / "second", curve, Role::eum)));
  CHECK_FALSE(fs::exists(pki::key_path(dir.path() / "second", curve, Role::ci)));
  for (const auto& v : pki::check(dir.path() / "second", time(nullptr))) {
    INFO(pki::format(v, dir.path()));
    CHECK(v.ok());
  }
  // Outside the EUM's range, a bad EID, or over existing credentials: refused.
  CHECK_FALSE(pki::issue_euicc(dir.path() / "pki", dir.path() / "third",
                               eid::complete("890490330000000000000000000002").value()));
  CHECK_FALSE(pki::issue_euicc(dir.path() / "pki", dir.path() / "third", "89049032000000000000000000000000"));
  CHECK_FALSE(pki::issue_euicc(dir.path() / "pki", dir.path() / "second", second));
  CHECK_FALSE(fs::exists(dir.path() / "third" / "nist"));
}

TEST_CASE("rsp-pki eim: another eIM under the same CI, with its own signing key and TLS identity") {
  test::TempDir dir;
  REQUIRE(pki::make(dir.path() / "pki", pki::MakeOptions{}));
  REQUIRE(pki::issue_eim(dir.path() / "pki", dir.path() / "eim2", "eim2.example.org", "New Owner eIM"));
  auto curve = Curve::nist_p256;
  auto eim = pki::load_certificate(dir.path() / "eim2", curve, Role::eim).value();
  auto tls = pki::load_certificate(dir.path() / "eim2", curve, Role::eim_tls).value();
  CHECK(eim.public_key()->point() == pki::load_key(dir.path() / "eim2", curve, Role::eim)->point());
  CHECK(eim.public_key()->point() !=
        pki::load_certificate(dir.path() / "pki", curve, Role::eim)->public_key()->point());
  CHECK(tls.public_key()->point() == pki::load_key(dir.path() / "eim2", curve, Role::eim_tls)->point());
  CHECK(tls.dns_names() == std::vector<std::string>{"eim2.example.org"});
  for (Role role : {Role::eim, Role::eim_tls}) {
    struct stat st {};
    REQUIRE(::stat(pki::key_path(dir.path() / "eim2", curve, role).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }
  // Under the first PKI's CI, whose key stays there; every certificate checks.
  CHECK(pki::load_certificate(dir.path() / "eim2", curve, Role::ci)->der() ==
        pki::load_certificate(dir.path() / "pki", curve, Role::ci)->der());
  CHECK_FALSE(fs::exists(pki::key_path(dir.path() / "eim2", curve, Role::ci)));
  auto verdicts = pki::check(dir.path() / "eim2", time(nullptr));
  CHECK(verdicts.size() == 3);
  for (const auto& v : verdicts) {
    INFO(pki::format(v, dir.path()));
    CHECK(v.ok());
  }
  // Over existing credentials, without a host, or from a directory without the CI's key: refused.
  CHECK_FALSE(pki::issue_eim(dir.path() / "pki", dir.path() / "eim2", "eim3.example.org", "Third"));
  CHECK_FALSE(pki::issue_eim(dir.path() / "pki", dir.path() / "eim3", "", "Third"));
  CHECK_FALSE(pki::issue_eim(dir.path() / "eim2", dir.path() / "eim3", "eim3.example.org", "Third"));
  CHECK_FALSE(fs::exists(dir.path() / "eim3" / "nist" / "eim.der"));
}

TEST_CASE("rsp-pki import-sgp26 lays the published set out like make, and it checks") {
  test::TempDir dir;
  auto report = pki::import_sgp26(sgp26(), dir.path());
  REQUIRE(report);
  for (Curve curve : {Curve::nist_p256, Curve::brainpool_p256r1}) {
    for (Role role : {Role::ci, Role::eum, Role::euicc, Role::dp_auth, Role::dp_pb}) {
      CHECK(fs::exists(pki::certificate_path(dir.path(), curve, role)));
      CHECK(pki::load_key(dir.path(), curve, role));
    }
  }
  CHECK(pki::load_certificate(dir.path(), Curve::nist_p256, Role::euicc)->subject_serial_number() ==
        "89049032123451234512345678901235");
  for (const auto& v : failures(dir.path())) {
    INFO(pki::format(v, dir.path()));
    CHECK(v.role == Role::dp_tls);
    CHECK(v.failure->error == ChainError::expired);
  }
  CHECK_FALSE(pki::import_sgp26(dir.path() / "nothing-here", dir.path() / "x"));
}

TEST_CASE("each kind of chain failure has its own error value") {
  using pki::CertificateRequest;
  time_t now = time(nullptr);
  auto ci_key = PrivateKey::generate(Curve::nist_p256);
  CertificateRequest ci_req;
  ci_req.role = Role::ci;
  ci_req.subject = {{"CN", "CI"}};
  ci_req.not_before = now - 60;
  ci_req.not_after = now + 3600;
  auto ci = pki::issue(ci_req, ci_key, nullptr, ci_key).value();
  TrustedCis cis;
  cis.add(ci);
  auto leaf = [&](Role role, auto&& adjust, Curve curve = Curve::nist_p256) {
    CertificateRequest r;
    r.role = role;
    r.subject = {{"CN", "leaf"}};
    r.not_before = now - 60;
    r.not_after = now + 3600;
    adjust(r);
    return pki::issue(r, PrivateKey::generate(curve), &ci, ci_key).value();
  };
  auto error_of = [&](const Certificate& cert, Role role) {
    auto r = verify_chain(cert, role, {}, cis, now);
    REQUIRE_FALSE(r);
    INFO(r.error().message);
    return r.error().error;
  };
  auto nothing = [](CertificateRequest&) {};
  CHECK(verify_chain(leaf(Role::dp_auth, nothing), Role::dp_auth, {}, cis, now));
  CHECK(error_of(leaf(Role::dp_auth, nothing), Role::dp_pb) == ChainError::wrong_role);
  CHECK(error_of(leaf(Role::dp_auth, [&](CertificateRequest& r) { r.not_before = now + 600; }), Role::dp_auth) ==
        ChainError::not_yet_valid);
  CHECK(error_of(leaf(Role::dp_auth, [&](CertificateRequest& r) { r.not_after = now - 10; }), Role::dp_auth) ==
        ChainError::expired);
  CHECK(error_of(leaf(Role::dp_auth, [](CertificateRequest& r) { r.key_usage = "critical,keyAgreement"; }),
                 Role::dp_auth) == ChainError::bad_key_usage);
  CHECK(error_of(leaf(Role::dp_auth, nothing, Curve::brainpool_p256r1), Role::dp_auth) == ChainError::curve_mismatch);
  // An eUICC issued by a certificate that may not sign certificates.
  auto not_a_ca_key = PrivateKey::generate(Curve::nist_p256);
  CertificateRequest fake_eum;
  fake_eum.role = Role::eum;
  fake_eum.subject = {{"CN", "not a CA"}};
  fake_eum.not_before = now - 60;
  fake_eum.not_after = now + 3600;
  fake_eum.key_usage = "critical,digitalSignature";
  auto eum = pki::issue(fake_eum, not_a_ca_key, &ci, ci_key).value();
  CertificateRequest euicc_req;
  euicc_req.role = Role::euicc;
  euicc_req.subject = {{"O", "x"}, {"serialNumber", pki::default_eid()}};
  euicc_req.not_before = now - 60;
  auto euicc = pki::issue(euicc_req, PrivateKey::generate(Curve::nist_p256), &eum, not_a_ca_key).value();
  auto r = verify_chain(euicc, Role::euicc, {eum}, cis, now);
  REQUIRE_FALSE(r);
  INFO(r.error().message);
  // The EUM link fails first (checked from the CI down): its key usage does not allow signing.
  CHECK(r.error().error == ChainError::bad_key_usage);
  CHECK(r.error().certificate_role == Role::eum);
  // Another CI with the same name but another key: the signature check catches it.
  auto other_key = PrivateKey::generate(Curve::nist_p256);
  auto impostor = pki::issue(ci_req, other_key, nullptr, other_key).value();
  TrustedCis wrong;
  wrong.add(impostor);
  auto signed_by_real = leaf(Role::dp_pb, nothing);
  auto w = verify_chain(signed_by_real, Role::dp_pb, {}, wrong, now);
  REQUIRE_FALSE(w);
  CHECK(w.error().error == ChainError::unknown_ci);  // picked by key identifier: no CI has the real one
  CHECK(chain_error_name(ChainError::eid_outside_range) == "EID outside the EUM's range");
}
