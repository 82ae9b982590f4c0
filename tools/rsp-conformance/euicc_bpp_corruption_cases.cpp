// The eUICC role's corrupted downloads, beyond the bad MAC, replayed segment and other otPK of
// euicc_download_cases.cpp: BPPs the harness builds with their groups reordered or missing (each
// segment still MACed in the order it is sent, so only the card's structure check can catch
// them), segments reordered or truncated, a BPP of another transaction, and certificates the card
// must refuse (expired, with a broken signature, of the wrong role, SGP.26's invalid set).
// SGP.22 v2.5 §2.5.5-§2.5.6 (the BPP and its loading), §5.7.6 ES10b.LoadBoundProfilePackage,
// §5.5 ES8+, §5.7.13 AuthenticateServer and §5.7.5 PrepareDownload (their certificate checks).
#include <algorithm>
#include <ctime>
#include <fstream>
#include <sstream>

#include "euicc_case.hpp"
#include "euicc_download.hpp"
#include "rsp/bound_profile_package.hpp"
#include "rsp/crypto/bsp.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/files.hpp"
#include "rsp/pki/pki_layout.hpp"

namespace conformance {
namespace {

using namespace download;
using rsp::tlv::encode;
namespace crypto = rsp::crypto;

// A BPP the harness binds itself: its groups in the order given, each segment protected in the
// order it is sent (so the MAC chain holds whatever the order), the profile elements cut into
// segments of `segment_plaintext` bytes, and InitialiseSecureChannel naming `transaction_id`.
struct Plan {
  std::vector<rsp::tlv::Tag> groups = {0xA0, 0xA1, 0xA2, 0xA3};
  size_t segment_plaintext = rsp::bpp::kMaxSegmentPlaintext;
  std::optional<Bytes> transaction_id;
};

const rsp::bpp::ProfileProtectionKeys kPpk{Bytes(16, 0x01), Bytes(16, 0x02), Bytes(16, 0x03)};

Bytes protect_chunks(crypto::Scp03t& channel, rsp::tlv::Tag tag, ByteView plain, size_t size) {
  Bytes out;
  for (size_t offset = 0; offset < plain.size(); offset += size) {
    Bytes segment = channel.protect(tag, plain.subspan(offset, std::min(size, plain.size() - offset)));
    out.insert(out.end(), segment.begin(), segment.end());
  }
  return out;
}

BppMaker planned(Plan plan) {
  return [plan](const SmdpCredentials& dp, const Session& s) -> rsp::Expected<Bytes> {
    auto profile = test_profile();
    auto euicc_otpk = crypto::PublicKey::from_point(dp.pb_key.curve(), s.euicc_otpk);
    auto eid = rsp::from_hex(s.eid);
    if (!profile || !euicc_otpk || !eid)
      return rsp::fail("cannot make the test profile, or the card's otPK or EID is malformed");
    Bytes host_id = rsp::to_bytes("rsp-conformance");
    auto otsk = crypto::PrivateKey::generate(dp.pb_key.curve());
    // SGP.22 v2.5 §5.5.1 ES8+.InitialiseSecureChannel, smdpSign over it and the card's otPK.
    Bytes crt = encode(0xA6, rsp::concat({encode(0x80, Bytes{crypto::kKeyTypeAes}),
                                          encode(0x81, Bytes{crypto::kKeyLength128}), encode(0x84, host_id)}));
    Bytes signed_part =
        rsp::concat({encode(0x82, Bytes{0x01}), encode(0x80, plan.transaction_id.value_or(s.transaction_id)), crt,
                     encode(0x5F49, otsk.point())});
    Bytes sign = crypto::sign(dp.pb_key, rsp::concat({signed_part, encode(0x5F49, s.euicc_otpk)}));
    Bytes body = encode(0xBF23, rsp::concat({signed_part, encode(0x5F37, sign)}));
    auto z = crypto::ecka(otsk, *euicc_otpk);
    if (!z) return rsp::Unexpected{z.error()};
    crypto::Scp03t channel(crypto::derive_session_keys(
        *z, crypto::bsp_shared_info(crypto::kKeyTypeAes, crypto::kKeyLength128, host_id, *eid)));
    for (auto group : plan.groups) {
      Bytes segments;
      if (group == 0xA0) segments = channel.protect(0x87, encode(0xBF24, Bytes{}));
      if (group == 0xA1)
        segments = protect_chunks(channel, 0x88, profile->store_metadata, rsp::bpp::kMaxSegmentPlaintext);
      if (group == 0xA2) {
        segments = channel.protect(
            0x87, encode(0xBF26, rsp::concat({encode(0x80, kPpk.initial_mcv), encode(0x81, kPpk.ppk_enc),
                                              encode(0x82, kPpk.ppk_mac)})));
        channel.replace_keys(kPpk.ppk_enc, kPpk.ppk_mac, kPpk.initial_mcv);
      }
      if (group == 0xA3) segments = protect_chunks(channel, 0x86, profile->profile_package, plan.segment_plaintext);
      body = rsp::concat({body, encode(group, segments)});
    }
    return encode(0xBF36, body);
  };
}

// The BPP `make` builds with the segments of its profile elements (A3) rewritten by `alter`.
BppMaker with_segments(BppMaker make, std::function<void(std::vector<Bytes>&)> alter) {
  return [make, alter](const SmdpCredentials& dp, const Session& s) -> rsp::Expected<Bytes> {
    auto bpp = make(dp, s);
    if (!bpp) return bpp;
    auto parts = rsp::tlv::read_all(rsp::tlv::read(*bpp)->value);
    Bytes body;
    for (const auto& part : *parts) {
      Bytes whole(part.whole.begin(), part.whole.end());
      if (part.tag == 0xA3) {
        auto read = rsp::tlv::read_all(part.value);
        if (!read) return rsp::fail("the BPP's A3 does not parse");
        std::vector<Bytes> segments;
        for (const auto& segment : *read) segments.emplace_back(segment.whole.begin(), segment.whole.end());
        alter(segments);
        Bytes joined;
        for (const auto& segment : segments) joined.insert(joined.end(), segment.begin(), segment.end());
        whole = encode(0xA3, joined);
      }
      body = rsp::concat({body, whole});
    }
    return encode(0xBF36, body);
  };
}

Plan groups(std::vector<rsp::tlv::Tag> order) {
  Plan p;
  p.groups = std::move(order);
  return p;
}

// Profile elements in 200-byte segments, so that there are several to reorder or cut.
Plan small_segments() {
  Plan p;
  p.segment_plaintext = 200;
  return p;
}

Outcome reordered_segments(EuiccTarget& t) {
  auto swap = [](std::vector<Bytes>& segments) {
    if (segments.size() > 1) std::swap(segments[0], segments[1]);
  };
  return load_error(t, with_segments(planned(small_segments()), swap), {kLoadProfileElements}, {kScp03tSecurityError},
                    "errorResult loadProfileElements (5) scp03tSecurityError (8)");
}

Outcome truncated_segment(EuiccTarget& t) {
  // The first 86 segment without its last 8 bytes (its MAC), its length adjusted.
  auto cut = [](std::vector<Bytes>& segments) {
    auto first = rsp::tlv::read(segments[0]);
    segments[0] = encode(0x86, first->value.first(first->value.size() - 8));
  };
  return load_error(t, with_segments(planned(small_segments()), cut), {kLoadProfileElements},
                    {kScp03tStructureError, kScp03tSecurityError},
                    "errorResult loadProfileElements (5) scp03tStructureError (7) or scp03tSecurityError (8)");
}

Outcome other_transaction(EuiccTarget& t) {
  Plan p;
  p.transaction_id = Bytes{0xC0, 0x4F, 0x0A, 0x11, 0xFF, 0xFF, 0xFF, 0xFF};
  return load_error(t, planned(p), {kInitialiseSecureChannel}, {kReasonInvalidTransactionId},
                    "errorResult initialiseSecureChannel (0) invalidTransactionId (3)");
}

// A second download of the test profile while the first is installed (SGP.22 v2.5 §5.5.3).
Outcome iccid_already_exists(EuiccTarget& t) {
  return with_test_profile(t, [&]() -> Outcome {
    auto dp = trusted_credentials(t);
    if (!dp) return fail(dp.error().message);
    auto again = download::download(t, *dp, planned(Plan{}));
    if (again.ended) return *again.ended;
    const auto& r = again.result;
    if (r.success) return fail("expected errorResult storeMetadata (2) iccidAlreadyExists (9), got successResult");
    if (r.bpp_command_id != kStoreMetadata || r.error_reason != 9)
      return fail("expected errorResult storeMetadata (2) iccidAlreadyExists (9), got bppCommandId " +
                  std::to_string(r.bpp_command_id.value_or(-1)) + " errorReason " +
                  std::to_string(r.error_reason.value_or(-1)));
    return pass("errorResult storeMetadata (2) iccidAlreadyExists (9)");
  });
}

// A structure error, whichever of the groups involved the card names.
Outcome structure_error(EuiccTarget& t, std::vector<rsp::tlv::Tag> order, std::set<long> commands,
                        const std::string& names) {
  return load_error(t, planned(groups(std::move(order))), commands, {kIncorrectInputValues, kScp03tStructureError},
                    "errorResult " + names + " incorrectInputValues (1) or scp03tStructureError (7)");
}

// A certificate of `role` for `key`, issued by --pki's CI with the validity given; n/a without the
// CI's private key.
rsp::Expected<crypto::Certificate> issue_by_ci(const SmdpCredentials& dp, crypto::Role role,
                                               const crypto::PrivateKey& key, time_t not_before, time_t not_after) {
  auto ci_key = rsp::pki::load_key(dp.pki, dp.pb_key.curve(), crypto::Role::ci);
  if (!ci_key) return rsp::fail("--pki has no CI private key to issue an expired certificate with");
  return download::issue(role, "expired SM-DP+", key, &dp.ci, *ci_key, not_before, not_after, dp.auth.registered_id());
}

constexpr time_t kDay = 24 * 3600;

// CERT.DPauth (auth: in AuthenticateServer) or CERT.DPpb (!auth: in PrepareDownload) as `alter`
// makes it from --pki's credentials: refused with invalidCertificate (1). `alter` may end the case
// (not applicable).
using CertificateAlteration = std::function<std::optional<Outcome>(const SmdpCredentials&, Tamper&)>;
Outcome refused_certificate(EuiccTarget& t, bool auth, const CertificateAlteration& alter) {
  if (auto skip = preconditions(t, false)) return *skip;
  auto dp = trusted_credentials(t);
  if (!dp) return not_applicable(dp.error().message);
  Tamper tamper;
  if (auto ended = alter(*dp, tamper)) return *ended;
  return auth ? authenticate_error(t, tamper, {kInvalidCertificate}, "invalidCertificate (1)")
              : prepare_error(t, tamper, {kInvalidCertificate}, "invalidCertificate (1)");
}

// Issued by the CI for the same key, expired a day ago.
Outcome expired(EuiccTarget& t, bool auth) {
  return refused_certificate(t, auth, [auth](const SmdpCredentials& dp, Tamper& tamper) -> std::optional<Outcome> {
    time_t now = std::time(nullptr);
    auto cert = issue_by_ci(dp, auth ? crypto::Role::dp_auth : crypto::Role::dp_pb, auth ? dp.auth_key : dp.pb_key,
                            now - 400 * kDay, now - kDay);
    if (!cert) return not_applicable(cert.error().message);
    (auth ? tamper.dp_auth_der : tamper.dp_pb_der) = cert->der();
    return std::nullopt;
  });
}

// The PKI's certificate with the last byte of its signature changed.
Outcome broken_signature(EuiccTarget& t, bool auth) {
  return refused_certificate(t, auth, [auth](const SmdpCredentials& dp, Tamper& tamper) -> std::optional<Outcome> {
    Bytes der = (auth ? dp.auth : dp.pb).der();
    der.back() ^= 0x01;  // the last byte of the ECDSA signature's s
    (auth ? tamper.dp_auth_der : tamper.dp_pb_der) = der;
    return std::nullopt;
  });
}

// The other role's certificate, the message signed with its key.
Outcome wrong_role(EuiccTarget& t, bool auth) {
  return refused_certificate(t, auth, [auth](const SmdpCredentials& dp, Tamper& tamper) -> std::optional<Outcome> {
    if (auth) {
      tamper.dp_auth_der = dp.pb.der();
      tamper.auth_signer = &dp.pb_key;
    } else {
      tamper.dp_pb_der = dp.auth.der();
      tamper.pb_signer = &dp.auth_key;
    }
    return std::nullopt;
  });
}

// The folder of SGP.26's invalid certificates next to the set `rsp-pki import-sgp26` imported --pki
// from (the source it names in --pki's README.md).
std::optional<std::filesystem::path> sgp26_invalid_folder(const std::filesystem::path& pki) {
  std::ifstream readme(pki / "README.md");
  std::stringstream text;
  text << readme.rdbuf();
  const std::string marker = "from the published SGP.26 set at ";
  std::string s = text.str();
  auto at = s.find(marker);
  if (at == std::string::npos) return std::nullopt;
  at += marker.size();
  std::filesystem::path source = s.substr(at, s.find(". Files absent", at) - at);
  for (const auto& candidate : {source / "InvalidTestCases", source.parent_path() / "InvalidTestCases"})
    if (std::filesystem::is_directory(candidate)) return candidate;
  return std::nullopt;
}

// Each SGP.26 invalid CERT.DPauth and CERT.DPpb of the card's curve, sent in place of the valid one.
Outcome sgp26_invalid(EuiccTarget& t) {
  if (auto skip = preconditions(t, false)) return *skip;
  auto folder = sgp26_invalid_folder(*t.pki);
  if (!folder)
    return not_applicable("--pki was not made by rsp-pki import-sgp26 from a set with its InvalidTestCases folder");
  auto dp = trusted_credentials(t);
  if (!dp) return not_applicable(dp.error().message);
  std::string curve = dp->pb_key.curve() == crypto::Curve::nist_p256 ? "_NIST" : "_BRP";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(*folder)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<std::string> checked, other;
  for (const auto& file : files) {
    std::string name = file.filename().string();
    bool auth = name.find("DPauth") != std::string::npos, pb = name.find("DPpb") != std::string::npos;
    if (file.extension() != ".der" || name.find(curve) == std::string::npos || (!auth && !pb)) {
      other.push_back(name);
      continue;
    }
    auto der = rsp::files::read(file);
    if (!der) return fail("cannot read " + file.string());
    Tamper tamper;
    (auth ? tamper.dp_auth_der : tamper.dp_pb_der) = *der;
    Outcome o = auth ? authenticate_error(t, tamper, {kInvalidCertificate, kCiPkUnknown},
                                          "invalidCertificate (1) or ciPKUnknown (7)")
                     : prepare_error(t, tamper, {kInvalidCertificate}, "invalidCertificate (1)");
    if (o.verdict != Verdict::pass) return o.verdict == Verdict::fail ? fail(name + ": " + o.detail) : o;
    checked.push_back(name);
  }
  if (checked.empty())
    return not_applicable("SGP.26's InvalidTestCases hold no CERT.DPauth or CERT.DPpb for " + curve.substr(1) +
                          " (only certificates an SM-DP+ checks: " + std::to_string(other.size()) + " files)");
  std::string list;
  for (const auto& c : checked) list += (list.empty() ? "" : ", ") + c;
  return pass("refused: " + list);
}

}  // namespace

std::vector<Case> euicc_bpp_corruption_cases() {
  const std::string load = "SGP.22 v2.5 §5.7.6, §2.5.5";
  const std::string structure =
      "errorResult naming the group, incorrectInputValues (1) or scp03tStructureError (7); no profile; session ended";
  return {
      euicc("ES10b.LoadBoundProfilePackage.ReorderedGroups", load,
            "a BPP with StoreMetadata (A1) before ConfigureISDP (A0), each MACed in the order sent (--destructive)",
            structure,
            [](EuiccTarget& t) {
              return structure_error(t, {0xA1, 0xA0, 0xA2, 0xA3}, {kConfigureIsdp, kStoreMetadata},
                                     "configureISDP (1) or storeMetadata (2)");
            }),
      euicc("ES10b.LoadBoundProfilePackage.MissingConfigureIsdp", load,
            "a BPP without ConfigureISDP (A0) (--destructive)", structure,
            [](EuiccTarget& t) {
              return structure_error(t, {0xA1, 0xA2, 0xA3}, {kConfigureIsdp, kStoreMetadata},
                                     "configureISDP (1) or storeMetadata (2)");
            }),
      euicc("ES10b.LoadBoundProfilePackage.MissingStoreMetadata", load,
            "a BPP without StoreMetadata (A1) (--destructive)", structure,
            [](EuiccTarget& t) {
              return structure_error(t, {0xA0, 0xA2, 0xA3}, {kStoreMetadata, kLoadProfileElements},
                                     "storeMetadata (2) or loadProfileElements (5)");
            }),
      euicc("ES10b.LoadBoundProfilePackage.MissingProfileElements", load,
            "a BPP without profile elements (A3) (--destructive)", structure,
            [](EuiccTarget& t) {
              return structure_error(t, {0xA0, 0xA1, 0xA2}, {kLoadProfileElements}, "loadProfileElements (5)");
            }),
      euicc("ES10b.LoadBoundProfilePackage.ReorderedSegments", load,
            "profile elements in 200-byte segments, the first two swapped (--destructive)",
            "errorResult loadProfileElements (5) scp03tSecurityError (8); no profile; session ended",
            reordered_segments),
      euicc("ES10b.LoadBoundProfilePackage.TruncatedSegment", load,
            "the first profile element segment without its MAC (--destructive)",
            "errorResult loadProfileElements (5) scp03tStructureError (7) or scp03tSecurityError (8); no profile",
            truncated_segment),
      euicc("ES10b.LoadBoundProfilePackage.OtherTransaction", "SGP.22 v2.5 §5.7.6, §5.5.1",
            "InitialiseSecureChannel (validly signed) naming another transactionId (--destructive)",
            "errorResult initialiseSecureChannel (0) invalidTransactionId (3); no profile", other_transaction),
      euicc("ES10b.LoadBoundProfilePackage.IccidAlreadyExists", "SGP.22 v2.5 §5.7.6, §5.5.3",
            "the test profile downloaded again while it is installed (--pki --destructive)",
            "errorResult storeMetadata (2) installFailedDueToIccidAlreadyExistsOnEuicc (9); the first copy kept",
            iccid_already_exists),
      euicc("ES10b.AuthenticateServer.ExpiredDpAuth", "SGP.22 v2.5 §5.7.13, §4.5.2",
            "CERT.DPauth issued by the CI for the same key, expired a day ago (needs the CI key in --pki)",
            "authenticateResponseError invalidCertificate (1)", [](EuiccTarget& t) { return expired(t, true); }),
      euicc("ES10b.PrepareDownload.ExpiredDpPb", "SGP.22 v2.5 §5.7.5, §4.5.2",
            "CERT.DPpb issued by the CI for the same key, expired a day ago (needs the CI key in --pki)",
            "downloadResponseError invalidCertificate (1)", [](EuiccTarget& t) { return expired(t, false); }),
      euicc("ES10b.AuthenticateServer.DpAuthBadCertificateSignature", "SGP.22 v2.5 §5.7.13",
            "CERT.DPauth with the last byte of the CI's signature changed",
            "authenticateResponseError invalidCertificate (1)",
            [](EuiccTarget& t) { return broken_signature(t, true); }),
      euicc("ES10b.PrepareDownload.DpPbBadCertificateSignature", "SGP.22 v2.5 §5.7.5",
            "CERT.DPpb with the last byte of the CI's signature changed",
            "downloadResponseError invalidCertificate (1)", [](EuiccTarget& t) { return broken_signature(t, false); }),
      euicc("ES10b.PrepareDownload.DpAuthAsDpPb", "SGP.22 v2.5 §5.7.5, §4.5.2.1",
            "CERT.DPauth in place of CERT.DPpb, smdpSignature2 made with its key",
            "downloadResponseError invalidCertificate (1)", [](EuiccTarget& t) { return wrong_role(t, false); }),
      euicc("ES10b.AuthenticateServer.DpPbAsDpAuth", "SGP.22 v2.5 §5.7.13, §4.5.2.1",
            "CERT.DPpb in place of CERT.DPauth, serverSignature1 made with its key",
            "authenticateResponseError invalidCertificate (1)", [](EuiccTarget& t) { return wrong_role(t, true); }),
      euicc("ES10b.PrepareDownload.OtherTransactionId", "SGP.22 v2.5 §5.7.5",
            "smdpSigned2 (validly signed) naming another transactionId than AuthenticateServer's",
            "downloadResponseError invalidTransactionId (5)",
            [](EuiccTarget& t) {
              Tamper tamper;
              tamper.smdp_signed2_transaction_id = Bytes{0xC0, 0x4F, 0x0A, 0x11, 0xEE, 0xEE, 0xEE, 0xEE};
              return prepare_error(t, tamper, {5}, "invalidTransactionId (5)");
            }),
      euicc("ES10b.AuthenticateServer.Sgp26InvalidCertificates",
            "SGP.22 v2.5 §5.7.13, §5.7.5; SGP.26 invalid test certificates",
            "each SGP.26 invalid CERT.DPauth / CERT.DPpb of the card's curve (--pki from rsp-pki import-sgp26)",
            "invalidCertificate (1) (ciPKUnknown (7) for CERT.DPauth) for each", sgp26_invalid),
  };
}

}  // namespace conformance
