#pragma once
// Test PKIs, as `rsp-pki` and the components make them. The three jobs of `rsp-pki`: make a fresh test PKI, import a
// published SGP.26 set into the same layout, and check every certificate under a directory.
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/pki/pki_layout.hpp"

namespace rsp::pki {

struct MakeOptions {
  Curve curve = Curve::nist_p256;
  std::string eid;                     // empty: default_eid()
  std::string dp_host = "localhost";   // DP TLS subject and SAN
  std::string ds_host = "localhost";   // DS TLS subject and SAN (the SM-DS's FQDN)
  std::string eim_host = "localhost";  // eIM TLS subject and SAN (the eIM's FQDN, ESipa)
  time_t now = 0;                      // 0: the current time
};

// A valid test EID (check digits right) under the EUM prefix 89049032.
std::string default_eid();
Status<> make(const std::filesystem::path& dir, const MakeOptions& options);

// Another eUICC of `pki_dir`'s EUM, as a factory personalises one card after another: for each
// curve folder of pki_dir, its ci and eum certificates and a new eUICC key and certificate naming
// `eid` (within the EUM's EID range) go into out_dir, the layout `euicc-sim --pki` reads.
Status<> issue_euicc(const std::filesystem::path& pki_dir, const std::filesystem::path& out_dir, const std::string& eid,
                     time_t now = 0);

// Another eIM under `pki_dir`'s CI (a new owner's eIM, with its own keys): for each curve folder,
// the ci certificate and a new eim and eim-tls key and certificate (TLS for `host`) go into
// out_dir, the layout `eim serve --pki` reads.
Status<> issue_eim(const std::filesystem::path& pki_dir, const std::filesystem::path& out_dir, const std::string& host,
                   const std::string& organization, time_t now = 0);

// Copies CERT_*/SK_* files of an SGP.26 set (CertificateIssuer/, EUM/, eUICC/, DPauth/, DPpb/,
// DPtls/) into the layout; returns what it copied, one line per file, and what was absent.
Expected<std::vector<std::string>> import_sgp26(const std::filesystem::path& source, const std::filesystem::path& dir);

struct Verdict {
  std::filesystem::path file;
  std::string subject;
  Role role = Role::unknown;
  std::optional<crypto::ChainFailure> failure;  // empty = valid
  bool ok() const { return !failure; }
};
// One verdict per distinct certificate found under `dir` (PEM or DER, recursively), checked
// against the self-signed CIs found there at time `now`.
std::vector<Verdict> check(const std::filesystem::path& dir, time_t now);
std::string format(const Verdict& v, const std::filesystem::path& dir);

}  // namespace rsp::pki
