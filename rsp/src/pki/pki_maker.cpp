#include "rsp/eid.hpp"
#include "rsp/pki/certificate_issuer.hpp"
#include "rsp/pki/test_pki.hpp"

namespace rsp::pki {
namespace {

constexpr time_t kDay = 24 * 3600;
constexpr time_t kYear = 365 * kDay;
const std::string kEumOrganization = "Open RSP Test EUM";

bool is_ip_address(const std::string& host) {
  return !host.empty() && host.find_first_not_of("0123456789.") == std::string::npos;
}

// The TLS certificate's SAN: an IP address, or a DNS name (with 127.0.0.1 for localhost).
void add_host(CertificateRequest& r, const std::string& host) {
  if (is_ip_address(host)) {
    r.ip_addresses.push_back(host);
  } else {
    r.dns_names.push_back(host);
    if (host == "localhost") r.ip_addresses.push_back("127.0.0.1");
  }
}

CertificateRequest request(Role role, std::vector<std::pair<std::string, std::string>> subject, time_t not_before,
                           time_t not_after) {
  CertificateRequest r;
  r.role = role;
  r.subject = std::move(subject);
  r.not_before = not_before;
  r.not_after = not_after;
  return r;
}

// The eIM's signing certificate (eimPublicKeyData) and its HTTPS certificate (ESipa), both under
// the CI as the SM-DP+'s and SM-DS's are.
std::pair<CertificateRequest, CertificateRequest> eim_requests(const std::string& organization, const std::string& host,
                                                               time_t start, time_t now) {
  auto eim = request(Role::eim, {{"O", organization}, {"CN", "Test eIM"}}, start, now + 10 * kYear);
  auto eim_tls = request(Role::eim_tls, {{"O", organization}, {"CN", host}}, start, now + 2 * kYear);
  add_host(eim_tls, host);
  return {std::move(eim), std::move(eim_tls)};
}

// The curves of `pki_dir` that issue into `out_dir`, none of which may be there yet.
Expected<std::vector<Curve>> issuing_curves(const std::filesystem::path& pki_dir,
                                            const std::filesystem::path& out_dir) {
  auto curves = curves_present(pki_dir);
  if (curves.empty()) return fail(pki_dir.string() + ": no curve folder");
  for (Curve curve : curves)
    if (std::filesystem::exists(curve_dir(out_dir, curve)))
      return fail(curve_dir(out_dir, curve).string() + " exists already; choose an empty directory");
  return curves;
}

}  // namespace

std::string default_eid() { return *eid::complete("890490320000000000000000000001"); }

Status<> make(const std::filesystem::path& dir, const MakeOptions& options) {
  std::string eid_text = options.eid.empty() ? default_eid() : options.eid;
  if (!eid::valid(eid_text)) return fail("EID " + eid_text + " is not 32 digits with valid check digits");
  if (options.dp_host.empty()) return fail("the DP host name is empty");
  if (options.ds_host.empty()) return fail("the DS host name is empty");
  if (options.eim_host.empty()) return fail("the eIM host name is empty");
  if (std::filesystem::exists(curve_dir(dir, options.curve)))
    return fail(curve_dir(dir, options.curve).string() + " exists already; choose an empty directory");
  time_t now = options.now ? options.now : time(nullptr);
  time_t start = now - kDay;  // tolerate clocks a little behind

  auto ci = request(Role::ci, {{"C", "ZZ"}, {"O", "Open RSP Test"}, {"CN", "Test CI"}}, start, now + 35 * kYear);
  ci.registered_id = "2.999.1";
  auto eum = request(Role::eum, {{"C", "ZZ"}, {"O", kEumOrganization}, {"CN", "Test EUM"}}, start, now + 30 * kYear);
  eum.eid_range = crypto::EidRange{kEumOrganization, eid_text.substr(0, 8)};
  eum.registered_id = "2.999.5";
  auto euicc = request(
      Role::euicc, {{"C", "ZZ"}, {"O", kEumOrganization}, {"serialNumber", eid_text}, {"CN", "Test eUICC"}}, start, 0);
  auto dp_auth =
      request(Role::dp_auth, {{"O", "Open RSP Test SM-DP+"}, {"CN", "TEST SM-DP+"}}, start, now + 10 * kYear);
  dp_auth.registered_id = "2.999.10";
  CertificateRequest dp_pb = dp_auth;
  dp_pb.role = Role::dp_pb;
  auto dp_tls = request(Role::dp_tls, {{"O", "Open RSP Test SM-DP+"}, {"CN", options.dp_host}}, start, now + 2 * kYear);
  dp_tls.registered_id = "2.999.10";
  add_host(dp_tls, options.dp_host);
  // SGP.26 profile of the SM-DS certificates (FACTS §7.7): DSauth policy .1.7 critical, DS TLS
  // policy .1.6 with serverAuth and clientAuth (it is also the ES12 client identity towards a root SM-DS).
  auto ds_auth = request(Role::ds_auth, {{"O", "Open RSP Test SM-DS"}, {"CN", "TEST SM-DS"}}, start, now + 10 * kYear);
  ds_auth.registered_id = "2.999.15";
  auto ds_tls = request(Role::ds_tls, {{"O", "Open RSP Test SM-DS"}, {"CN", options.ds_host}}, start, now + 2 * kYear);
  ds_tls.registered_id = "2.999.15";
  add_host(ds_tls, options.ds_host);
  auto [eim, eim_tls] = eim_requests("Open RSP Test eIM", options.eim_host, start, now);

  auto ci_key = crypto::PrivateKey::generate(options.curve);
  auto ci_cert = issue(ci, ci_key, nullptr, ci_key);
  if (!ci_cert) return Unexpected{ci_cert.error()};
  if (auto s = store(dir, options.curve, Role::ci, *ci_cert, &ci_key); !s) return s;

  auto eum_key = crypto::PrivateKey::generate(options.curve);
  auto eum_cert = issue(eum, eum_key, &*ci_cert, ci_key);
  if (!eum_cert) return Unexpected{eum_cert.error()};
  if (auto s = store(dir, options.curve, Role::eum, *eum_cert, &eum_key); !s) return s;

  auto euicc_key = crypto::PrivateKey::generate(options.curve);
  auto euicc_cert = issue(euicc, euicc_key, &*eum_cert, eum_key);
  if (!euicc_cert) return Unexpected{euicc_cert.error()};
  if (auto s = store(dir, options.curve, Role::euicc, *euicc_cert, &euicc_key); !s) return s;

  for (const CertificateRequest* r : {&dp_auth, &dp_pb, &dp_tls, &ds_auth, &ds_tls, &eim, &eim_tls}) {
    auto key = crypto::PrivateKey::generate(options.curve);
    auto cert = issue(*r, key, &*ci_cert, ci_key);
    if (!cert) return Unexpected{cert.error()};
    if (auto s = store(dir, options.curve, r->role, *cert, &key); !s) return s;
  }
  return write_readme(dir, "Made by `rsp-pki make` for EID " + eid_text + ", SM-DP+ host " + options.dp_host +
                               ", SM-DS host " + options.ds_host + " and eIM host " + options.eim_host + ".");
}

Status<> issue_euicc(const std::filesystem::path& pki_dir, const std::filesystem::path& out_dir,
                     const std::string& eid_text, time_t now) {
  if (!eid::valid(eid_text)) return fail("EID " + eid_text + " is not 32 digits with valid check digits");
  auto curves = issuing_curves(pki_dir, out_dir);
  if (!curves) return Unexpected{curves.error()};
  if (!now) now = time(nullptr);
  for (Curve curve : *curves) {
    auto ci = load_certificate(pki_dir, curve, Role::ci);
    auto eum = load_certificate(pki_dir, curve, Role::eum);
    auto eum_key = load_key(pki_dir, curve, Role::eum);
    if (!ci || !eum || !eum_key)
      return fail(curve_dir(pki_dir, curve).string() + ": the CI and EUM certificates and the EUM key are needed");
    auto range = eum->permitted_eid_range();
    if (range && eid_text.rfind(range->eid_prefix, 0) != 0)
      return fail("EID " + eid_text + " is outside the EUM's range " + range->eid_prefix + "...");
    auto euicc = request(Role::euicc,
                         {{"C", "ZZ"},
                          {"O", eum->subject_organization().value_or(kEumOrganization)},
                          {"serialNumber", eid_text},
                          {"CN", "Test eUICC"}},
                         now - kDay, 0);
    auto key = crypto::PrivateKey::generate(curve);
    auto cert = issue(euicc, key, &*eum, *eum_key);
    if (!cert) return Unexpected{cert.error()};
    if (auto s = store(out_dir, curve, Role::ci, *ci, nullptr); !s) return s;
    if (auto s = store(out_dir, curve, Role::eum, *eum, nullptr); !s) return s;
    if (auto s = store(out_dir, curve, Role::euicc, *cert, &key); !s) return s;
  }
  return write_readme(out_dir,
                      "Made by `rsp-pki euicc` for EID " + eid_text + " under the EUM of " + pki_dir.string() + ".");
}

Status<> issue_eim(const std::filesystem::path& pki_dir, const std::filesystem::path& out_dir, const std::string& host,
                   const std::string& organization, time_t now) {
  if (host.empty()) return fail("the eIM host name is empty");
  if (organization.empty()) return fail("the eIM's organisation name is empty");
  auto curves = issuing_curves(pki_dir, out_dir);
  if (!curves) return Unexpected{curves.error()};
  if (!now) now = time(nullptr);
  for (Curve curve : *curves) {
    auto ci = load_certificate(pki_dir, curve, Role::ci);
    auto ci_key = load_key(pki_dir, curve, Role::ci);
    if (!ci || !ci_key) return fail(curve_dir(pki_dir, curve).string() + ": the CI certificate and key are needed");
    if (auto s = store(out_dir, curve, Role::ci, *ci, nullptr); !s) return s;
    auto [eim, eim_tls] = eim_requests(organization, host, now - kDay, now);
    for (const CertificateRequest* r : {&eim, &eim_tls}) {
      auto key = crypto::PrivateKey::generate(curve);
      auto cert = issue(*r, key, &*ci, *ci_key);
      if (!cert) return Unexpected{cert.error()};
      if (auto s = store(out_dir, curve, r->role, *cert, &key); !s) return s;
    }
  }
  return write_readme(out_dir, "Made by `rsp-pki eim` for the eIM " + organization + " at " + host +
                                   " under the CI of " + pki_dir.string() + ".");
}

}  // namespace rsp::pki
