#include <algorithm>
#include <map>

#include "rsp/files.hpp"
#include "rsp/pki/test_pki.hpp"

namespace rsp::pki {
namespace {

struct Found {
  std::filesystem::path file;
  crypto::Certificate cert;
};

bool certificate_file(const std::filesystem::path& p) {
  auto ext = p.extension().string();
  return ext == ".der" || ext == ".pem" || ext == ".crt" || ext == ".cer";
}

// Certificates under `dir`, each once (the same certificate as .der and .pem counts once).
std::vector<Found> collect(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file() && certificate_file(entry.path())) paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  std::vector<Found> out;
  std::map<Bytes, bool> seen;
  for (const auto& p : paths) {
    auto bytes = files::read(p);
    if (!bytes) continue;
    auto cert = crypto::Certificate::parse(*bytes);
    if (!cert) continue;  // keys, signatures and other files that are not certificates
    if (!seen.emplace(cert->der(), true).second) continue;
    out.push_back({p, std::move(*cert)});
  }
  return out;
}

// The role a certificate stands in: its id-rspRole policy; the eIM's two have none, so the
// layout's file name tells them.
Role role_of(const Found& f) {
  Role r = f.cert.role();
  if (r == Role::unknown && f.file.stem() == "eim") return Role::eim;
  if (r == Role::unknown && f.file.stem() == "eim-tls") return Role::eim_tls;
  return r;
}

}  // namespace

std::vector<Verdict> check(const std::filesystem::path& dir, time_t now) {
  auto found = collect(dir);
  crypto::TrustedCis cis;
  std::vector<crypto::Certificate> eums;
  for (const auto& f : found) {
    if (role_of(f) == Role::ci && f.cert.self_issued() && crypto::verify_ci(f.cert, now)) cis.add(f.cert);
    if (role_of(f) == Role::eum) eums.push_back(f.cert);
  }
  std::vector<Verdict> verdicts;
  for (const auto& f : found) {
    Verdict v{f.file, f.cert.subject(), role_of(f), std::nullopt};
    Status<crypto::ChainFailure> result = Ok{};
    if (v.role == Role::ci) {
      result = crypto::verify_ci(f.cert, now);
    } else if (f.cert.self_issued() && f.cert.public_key() && f.cert.signed_by(*f.cert.public_key())) {
      result = Unexpected{crypto::ChainFailure{crypto::ChainError::bad_signature, v.role, v.subject,
                                               "self-signed, but not a CI: no CI or EUM in the set signed it"}};
    } else {
      result = crypto::verify_chain(f.cert, v.role, eums, cis, now);
    }
    if (!result) v.failure = result.error();
    verdicts.push_back(std::move(v));
  }
  return verdicts;
}

std::string format(const Verdict& v, const std::filesystem::path& dir) {
  std::string line = v.ok() ? "OK    " : "FAIL  ";
  std::string role(crypto::role_name(v.role));
  line += role + std::string(role.size() < 8 ? 8 - role.size() : 1, ' ');
  line += std::filesystem::relative(v.file, dir).string() + "  [" + v.subject + "]";
  if (v.failure) {
    line += "\n      " + std::string(crypto::chain_error_name(v.failure->error)) + ": " + v.failure->message;
    if (v.failure->subject != v.subject) line += " (in the chain, at " + v.failure->subject + ")";
  }
  return line;
}

}  // namespace rsp::pki
