// The eUICC role's download cases: the harness is the IPA and, in-process, the SM-DP+ the card
// trusts (--pki), built from the shared protocol code (rsp/) and the IPA's ES10 calls. Error cases
// tamper with one thing the card must check and expect the spec's error; each must leave no
// profile behind. Cases that may install a profile run only with --destructive, and delete only
// the profile they installed.

#include <algorithm>
#include <ctime>
#include <filesystem>

#include "euicc_download.hpp"
#include "ipa/es10b.hpp"
#include "ipa/es10c.hpp"
#include "rsp/bound_profile_package.hpp"
#include "rsp/common_mutual_authentication.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/pki/certificate_issuer.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/profile_maker.hpp"
#include "rsp/tlv.hpp"

namespace conformance::download {

using rsp::tlv::encode;
namespace crypto = rsp::crypto;
namespace es10b = ipa::es10b;
namespace es10c = ipa::es10c;

std::string got(const ipa::Es10Error& e) { return "got: " + e.message; }

rsp::Expected<SmdpCredentials> load_credentials(const std::filesystem::path& pki, crypto::Curve curve) {
  auto auth_key = rsp::pki::load_key(pki, curve, crypto::Role::dp_auth);
  auto pb_key = rsp::pki::load_key(pki, curve, crypto::Role::dp_pb);
  auto auth = rsp::pki::load_certificate(pki, curve, crypto::Role::dp_auth);
  auto pb = rsp::pki::load_certificate(pki, curve, crypto::Role::dp_pb);
  auto ci = rsp::pki::load_certificate(pki, curve, crypto::Role::ci);
  if (!auth_key || !pb_key || !auth || !pb || !ci) return rsp::fail("the PKI lacks dp-auth, dp-pb (with keys) or ci");
  auto ski = ci->subject_key_id();
  if (!ski) return rsp::fail("the CI certificate has no subjectKeyIdentifier");
  return SmdpCredentials{
      std::move(*auth_key), std::move(*pb_key), std::move(*auth), std::move(*pb), std::move(*ci), *ski, pki};
}

rsp::Expected<crypto::Certificate> issue(crypto::Role role, const std::string& common_name,
                                         const crypto::PrivateKey& key, const crypto::Certificate* issuer,
                                         const crypto::PrivateKey& issuer_key, time_t not_before, time_t not_after,
                                         std::optional<std::string> registered_id) {
  rsp::pki::CertificateRequest r;
  r.role = role;
  r.subject = {{"O", "rsp-conformance"}, {"CN", common_name}};
  r.not_before = not_before;
  r.not_after = not_after;
  r.registered_id = std::move(registered_id);
  return rsp::pki::issue(r, key, issuer, issuer_key);
}

namespace {

bool contains(ByteView haystack, ByteView needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

}  // namespace

rsp::Expected<SmdpCredentials> trusted_credentials(EuiccTarget& t) {
  auto info1 = es10b::get_euicc_info1(t.channel);
  if (!info1) return rsp::fail(info1.error().message);
  for (auto curve : rsp::pki::curves_present(*t.pki)) {
    auto creds = load_credentials(*t.pki, curve);
    if (creds && contains(*info1, encode(0x04, creds->ci_ski))) return creds;
  }
  return rsp::fail("no CI of --pki is in the card's euiccCiPKIdListForVerification");
}

std::optional<rsp::tlv::Tlv> child(ByteView tlv, std::initializer_list<rsp::tlv::Tag> path) {
  auto node = rsp::tlv::read(tlv);
  if (!node) return std::nullopt;
  std::optional<rsp::tlv::Tlv> at = *node;
  for (auto tag : path) {
    at = rsp::tlv::find(at->value, tag);
    if (!at) return std::nullopt;
  }
  return at;
}

void flip_last(Bytes& tlv) { tlv.back() ^= 0x01; }

// SGP.22 v2.5 §5.7.13 ES10b.AuthenticateServer with the SM-DP+'s serverSigned1 (§3.1.2).
ipa::Es10Expected<es10b::RelayedResponse> authenticate(ipa::Es10Channel& channel, const SmdpCredentials& dp, Session& s,
                                                       const Tamper& tamper) {
  auto challenge = es10b::get_euicc_challenge(channel);
  if (!challenge) return rsp::Unexpected{challenge.error()};
  if (tamper.euicc_challenge) flip_last(*challenge);
  const SmdpCredentials& signer = tamper.foreign_auth ? *tamper.foreign_auth : dp;
  es10b::AuthenticateServerInput in;
  in.server_signed1 =
      rsp::authentication::server_signed1(s.transaction_id, *challenge, kServerAddress, s.server_challenge);
  in.server_signature1 =
      encode(0x5F37, crypto::sign(tamper.auth_signer ? *tamper.auth_signer : signer.auth_key, in.server_signed1));
  if (tamper.server_signature1) flip_last(in.server_signature1);
  in.euicc_ci_pkid_to_be_used = encode(0x04, signer.ci_ski);
  in.server_certificate = tamper.dp_auth_der.value_or(signer.auth.der());
  in.matching_id = "";
  auto answer = es10b::authenticate_server(channel, in);
  if (tamper.replayed && answer && answer->ok()) answer = es10b::authenticate_server(channel, in);
  if (answer && answer->ok()) {
    auto signature = child(answer->tlv, {0xA0, 0x5F37});
    if (!signature) return rsp::Unexpected{ipa::Es10Error{ipa::Es10Error::Kind::malformed, 0, 0, "no euiccSignature1"}};
    s.euicc_signature1 = encode(0x5F37, signature->value);
  }
  return answer;
}

ipa::Es10Expected<es10b::RelayedResponse> authenticate(EuiccTarget& t, const SmdpCredentials& dp, Session& s,
                                                       const Tamper& tamper) {
  return authenticate(t.channel, dp, s, tamper);
}

rsp::Expected<std::string> verify_euicc(const SmdpCredentials& dp, const Session& s,
                                        ByteView authenticate_server_response) {
  crypto::TrustedCis cis;
  cis.add(dp.ci);
  rsp::authentication::SessionExpectation expected{s.transaction_id, s.server_challenge, kServerAddress, dp.ci_ski};
  auto euicc = rsp::authentication::verify_authenticate_server_response(authenticate_server_response, expected, cis,
                                                                        std::time(nullptr));
  if (!euicc) return rsp::fail(euicc.error().message);
  return euicc->eid;
}

// SGP.22 v2.5 §5.7.5 ES10b.PrepareDownload: smdpSignature2 covers smdpSigned2 and euiccSignature1.
ipa::Es10Expected<es10b::RelayedResponse> prepare(EuiccTarget& t, const SmdpCredentials& dp, Session& s,
                                                  const Tamper& tamper) {
  es10b::PrepareDownloadInput in;
  in.smdp_signed2 =
      encode(0x30, rsp::concat({encode(0x80, tamper.smdp_signed2_transaction_id.value_or(s.transaction_id)),
                                encode(0x01, Bytes{0x00})}));
  const crypto::PrivateKey& signer = tamper.pb_signer ? *tamper.pb_signer : dp.pb_key;
  in.smdp_signature2 = encode(0x5F37, crypto::sign(signer, rsp::concat({in.smdp_signed2, s.euicc_signature1})));
  if (tamper.smdp_signature2) flip_last(in.smdp_signature2);
  in.smdp_certificate = tamper.dp_pb_der.value_or(dp.pb.der());
  auto answer = es10b::prepare_download(t.channel, in);
  if (answer && answer->ok()) {
    auto otpk = child(answer->tlv, {0xA0, 0x30, 0x5F49});
    if (!otpk)
      return rsp::Unexpected{
          ipa::Es10Error{ipa::Es10Error::Kind::malformed, 0, 0, "no otPK.EUICC.ECKA in euiccSigned2"}};
    s.euicc_otpk.assign(otpk->value.begin(), otpk->value.end());
  }
  return answer;
}

rsp::Expected<TestProfile> test_profile() {
  rsp::ProfileSpec spec;
  spec.iccid = kTestIccid;
  spec.imsi = "999990000000018";
  spec.ki = Bytes(16, 0x11);
  spec.opc = Bytes(16, 0x22);
  spec.service_provider_name = "rsp-conformance";
  spec.profile_name = "conformance test profile";
  auto upp = rsp::make_profile_package(spec);
  auto metadata = rsp::make_store_metadata(spec);
  if (!upp || !metadata) return rsp::fail("cannot make the test profile");
  return TestProfile{std::move(*upp), std::move(*metadata)};
}

namespace {

rsp::Expected<Bytes> test_bpp(const SmdpCredentials& dp, const Session& s, ByteView otpk_point) {
  auto profile = test_profile();
  if (!profile) return rsp::Unexpected{profile.error()};
  auto otpk = crypto::PublicKey::from_point(dp.pb_key.curve(), otpk_point);
  auto eid = rsp::from_hex(s.eid);
  if (!otpk || !eid) return rsp::fail("the card's otPK or EID is malformed");
  rsp::bpp::BindingInput in;
  in.transaction_id = s.transaction_id;
  in.host_id = rsp::to_bytes("rsp-conformance");
  in.eid = *eid;
  in.dp_pb_key = &dp.pb_key;
  in.euicc_otpk = &*otpk;
  in.configure_isdp = encode(0xBF24, Bytes{});
  in.store_metadata = profile->store_metadata;
  in.profile_package = profile->profile_package;
  in.protection = rsp::bpp::ProfileProtectionKeys{Bytes(16, 0x01), Bytes(16, 0x02), Bytes(16, 0x03)};
  return rsp::bpp::build(in);
}

// How a case alters the BPP after binding it.
enum class BppTamper { none, bad_mac, other_otpk, replayed_segment };

// The BPP with its first 86 segment (in A3) changed: its MAC's last byte flipped, or sent twice.
Bytes alter_first_segment(ByteView bpp, BppTamper how) {
  auto top = rsp::tlv::read(bpp);
  auto parts = rsp::tlv::read_all(top->value);
  Bytes body;
  for (auto& part : *parts) {
    Bytes whole(part.whole.begin(), part.whole.end());
    if (part.tag == 0xA3) {
      auto segments = rsp::tlv::read_all(part.value);
      Bytes first((*segments)[0].whole.begin(), (*segments)[0].whole.end());
      Bytes inner = how == BppTamper::bad_mac ? (flip_last(first), first) : rsp::concat({first, first});
      for (size_t i = 1; i < segments->size(); ++i) inner = rsp::concat({inner, (*segments)[i].whole});
      whole = encode(0xA3, inner);
    }
    body = rsp::concat({body, whole});
  }
  return encode(0xBF36, body);
}

// The test BPP as `how` alters it.
BppMaker tampered_bpp(BppTamper how) {
  return [how](const SmdpCredentials& dp, const Session& s) -> rsp::Expected<Bytes> {
    Bytes otpk = how == BppTamper::other_otpk ? crypto::PrivateKey::generate(dp.pb_key.curve()).point() : s.euicc_otpk;
    auto bpp = test_bpp(dp, s, otpk);
    if (bpp && (how == BppTamper::bad_mac || how == BppTamper::replayed_segment)) return alter_first_segment(*bpp, how);
    return bpp;
  };
}

}  // namespace

bool test_profile_present(EuiccTarget& t) {
  auto profiles = es10c::get_profiles_info(t.channel);
  return profiles &&
         std::any_of(profiles->begin(), profiles->end(), [](const auto& p) { return p.iccid == kTestIccid; });
}

// The notifications this harness caused: installation results (to its SM-DP+ address, with or
// without an ICCID) and those of the test profile.
void remove_test_notifications(EuiccTarget& t) {
  if (auto list = es10b::list_notification(t.channel))
    for (const auto& n : *list)
      if (n.iccid == kTestIccid || n.address == kServerAddress)
        (void)es10b::remove_notification_from_list(t.channel, n.seq_number);
}

std::optional<std::string> delete_test_profile(EuiccTarget& t) {
  if (!test_profile_present(t)) return std::nullopt;
  auto deleted = es10c::delete_profile(t.channel, es10c::ProfileIdentifier::by_iccid(kTestIccid));
  remove_test_notifications(t);
  if (!deleted) return "cannot delete the test profile it installed: " + deleted.error().message;
  if (test_profile_present(t)) return "the test profile is still there after DeleteProfile";
  return std::nullopt;
}

std::optional<Outcome> preconditions(EuiccTarget& t, bool destructive) {
  if (!t.pki) return not_applicable("needs --pki (the SM-DP+ credentials the card trusts)");
  if (destructive && !t.destructive) return not_applicable("needs --destructive");
  if (destructive && test_profile_present(t))
    return not_applicable(std::string("the card already holds a profile with the test ICCID ") + kTestIccid);
  return std::nullopt;
}

Outcome authenticate_error(EuiccTarget& t, const Tamper& tamper, std::vector<long> codes, const std::string& expected) {
  if (auto skip = preconditions(t, false)) return *skip;
  auto dp = trusted_credentials(t);
  if (!dp) return not_applicable(dp.error().message);
  Session s;
  auto answer = authenticate(t, *dp, s, tamper);
  if (!answer) return fail("expected authenticateResponseError " + expected + ", " + got(answer.error()));
  if (answer->ok()) {
    (void)es10b::cancel_session(t.channel, s.transaction_id, es10b::CancelSessionReason::undefinedReason);
    return fail("expected authenticateResponseError " + expected + ", got authenticateResponseOk");
  }
  if (std::find(codes.begin(), codes.end(), *answer->error_code) == codes.end())
    return fail("expected authenticateResponseError " + expected + ", got code " + std::to_string(*answer->error_code));
  return pass("authenticateResponseError " + std::to_string(*answer->error_code));
}

std::variant<Authenticated, Outcome> authenticated(EuiccTarget& t, Session& s) {
  if (auto skip = preconditions(t, false)) return *skip;
  auto dp = trusted_credentials(t);
  if (!dp) return not_applicable(dp.error().message);
  auto auth = authenticate(t, *dp, s, {});
  if (!auth || !auth->ok()) return fail("AuthenticateServer: expected authenticateResponseOk first");
  return Authenticated{std::move(*dp), std::move(*auth)};
}

Outcome prepare_error(EuiccTarget& t, const Tamper& tamper, std::vector<long> codes, const std::string& expected) {
  Session s;
  auto session = authenticated(t, s);
  if (auto* o = std::get_if<Outcome>(&session)) return *o;
  auto answer = prepare(t, std::get<Authenticated>(session).dp, s, tamper);
  (void)es10b::cancel_session(t.channel, s.transaction_id, es10b::CancelSessionReason::undefinedReason);
  remove_test_notifications(t);
  if (!answer) return fail("expected downloadResponseError " + expected + ", " + got(answer.error()));
  if (answer->ok()) return fail("expected downloadResponseError " + expected + ", got downloadResponseOk");
  if (std::find(codes.begin(), codes.end(), *answer->error_code) == codes.end())
    return fail("expected downloadResponseError " + expected + ", got code " + std::to_string(*answer->error_code));
  return pass("downloadResponseError " + std::to_string(*answer->error_code));
}

Loaded download(EuiccTarget& t, const SmdpCredentials& dp, const BppMaker& make) {
  Loaded out;
  auto auth = authenticate(t, dp, out.session, {});
  if (!auth || !auth->ok())
    return {fail("AuthenticateServer: expected authenticateResponseOk, got " +
                 (auth ? "error code " + std::to_string(*auth->error_code) : auth.error().message)),
            {},
            {}};
  // As the SM-DP+ does before going on (§3.1.2): the card's chain and euiccSignature1.
  auto eid = verify_euicc(dp, out.session, auth->tlv);
  if (!eid) return {fail("AuthenticateServerResponse: expected it to verify, got " + eid.error().message), {}, {}};
  out.session.eid = *eid;
  auto prep = prepare(t, dp, out.session, {});
  if (!prep || !prep->ok())
    return {fail("PrepareDownload: expected downloadResponseOk, got " +
                 (prep ? "error code " + std::to_string(*prep->error_code) : prep.error().message)),
            {},
            {}};
  auto bpp = make(dp, out.session);
  if (!bpp) return {fail(bpp.error().message), {}, {}};
  auto result = es10b::load_bound_profile_package(t.channel, *bpp);
  if (!result) return {fail("LoadBoundProfilePackage: " + result.error().message), {}, {}};
  out.result = *result;
  return out;
}

Outcome load_error(EuiccTarget& t, const BppMaker& make, const std::set<long>& commands, const std::set<long>& reasons,
                   const std::string& expected) {
  if (auto skip = preconditions(t, true)) return *skip;
  auto dp = trusted_credentials(t);
  if (!dp) return not_applicable(dp.error().message);
  auto loaded = download(t, *dp, make);
  std::optional<std::string> cleanup = delete_test_profile(t);  // only if this case's BPP installed it
  remove_test_notifications(t);
  if (loaded.ended) return *loaded.ended;
  const auto& r = loaded.result;
  if (r.success)
    return fail("expected " + expected + ", got successResult (the profile was installed" +
                (cleanup ? ": " + *cleanup : ", then deleted") + ")");
  if (!r.bpp_command_id || !r.error_reason || !commands.count(*r.bpp_command_id) || !reasons.count(*r.error_reason))
    return fail("expected " + expected + ", got bppCommandId " + std::to_string(r.bpp_command_id.value_or(-1)) +
                " errorReason " + std::to_string(r.error_reason.value_or(-1)));
  if (cleanup) return fail(*cleanup);
  // The card ended the session with the errorResult: a CancelSession now names no session.
  auto cancel = es10b::cancel_session(t.channel, loaded.session.transaction_id,
                                      es10b::CancelSessionReason::loadBppExecutionError);
  if (cancel && cancel->ok())
    return fail("expected the session to end with the errorResult, got a CancelSession accepted after it");
  return pass("errorResult bppCommandId " + std::to_string(*r.bpp_command_id) + " errorReason " +
              std::to_string(*r.error_reason));
}

Outcome with_test_profile(EuiccTarget& t, const std::function<Outcome()>& body) {
  if (auto skip = preconditions(t, true)) return *skip;
  auto dp = trusted_credentials(t);
  if (!dp) return not_applicable(dp.error().message);
  auto before = es10c::get_profiles_info(t.channel);
  auto notifications = es10b::list_notification(t.channel);
  if (!before || !notifications) return fail("GetProfilesInfo/ListNotification before the download failed");
  auto loaded = download(t, *dp, tampered_bpp(BppTamper::none));
  std::optional<Outcome> outcome = loaded.ended;
  if (!outcome && !loaded.result.success)
    outcome = fail("the test download: expected successResult, got an errorResult");
  if (!outcome) outcome = body();
  // Back as it was: the test profile disabled and deleted, the profiles enabled before enabled again,
  // and no notification the case caused.
  (void)es10c::disable_profile(t.channel, es10c::ProfileIdentifier::by_iccid(kTestIccid));
  for (const auto& p : *before)
    if (p.state == es10c::ProfileState::enabled)
      (void)es10c::enable_profile(t.channel, es10c::ProfileIdentifier::by_iccid(p.iccid));
  std::optional<std::string> cleanup = delete_test_profile(t);
  if (auto after = es10b::list_notification(t.channel))
    for (const auto& n : *after)
      if (std::none_of(notifications->begin(), notifications->end(),
                       [&](const auto& m) { return m.seq_number == n.seq_number; }))
        (void)es10b::remove_notification_from_list(t.channel, n.seq_number);
  if (cleanup && outcome->verdict != Verdict::fail) return fail(*cleanup);
  return *outcome;
}

namespace {

Outcome nominal_download(EuiccTarget& t) {
  if (auto skip = preconditions(t, true)) return *skip;
  auto dp = trusted_credentials(t);
  if (!dp) return not_applicable(dp.error().message);
  auto loaded = download(t, *dp, tampered_bpp(BppTamper::none));
  bool present = test_profile_present(t);
  std::optional<std::string> cleanup = delete_test_profile(t);
  if (loaded.ended) return *loaded.ended;
  if (!loaded.result.success)
    return fail("expected successResult, got errorResult bppCommandId " +
                std::to_string(loaded.result.bpp_command_id.value_or(-1)) + " errorReason " +
                std::to_string(loaded.result.error_reason.value_or(-1)));
  if (!present) return fail("expected the test profile in GetProfilesInfo after successResult, got none");
  if (cleanup) return fail(*cleanup);
  return pass("installed " + std::string(kTestIccid) + ", then deleted");
}

Outcome prepare_download_bad_signature(EuiccTarget& t) {
  Tamper tamper;
  tamper.smdp_signature2 = true;
  return prepare_error(t, tamper, {kInvalidSignature}, "invalidSignature (2)");
}

// CERT.DPauth under a CI of a PKI made here, unknown to the card.
Outcome foreign_ci(EuiccTarget& t) {
  if (auto skip = preconditions(t, false)) return *skip;
  auto dp = trusted_credentials(t);
  if (!dp) return not_applicable(dp.error().message);
  // A CI of the harness's own and a CERT.DPauth under it (only what AuthenticateServer sends).
  auto curve = dp->pb_key.curve();
  auto ci_key = crypto::PrivateKey::generate(curve);
  auto auth_key = crypto::PrivateKey::generate(curve);
  time_t now = std::time(nullptr);
  auto ci = issue(crypto::Role::ci, "Unknown CI", ci_key, nullptr, ci_key, now - 86400, now + 86400);
  auto auth = ci ? issue(crypto::Role::dp_auth, "SM-DP+ of an unknown CI", auth_key, &*ci, ci_key, now - 86400,
                         now + 86400, dp->auth.registered_id())
                 : rsp::Expected<crypto::Certificate>(rsp::fail("no CI"));
  auto ski = ci ? ci->subject_key_id() : std::nullopt;
  if (!ci || !auth || !ski) return fail("cannot make the unknown CI and its CERT.DPauth");
  auto pb = crypto::Certificate::from_der(auth->der());
  SmdpCredentials foreign{
      std::move(auth_key), crypto::PrivateKey::generate(curve), std::move(*auth), std::move(*pb), *ci, *ski, {}};
  Tamper tamper;
  tamper.foreign_auth = &foreign;
  return authenticate_error(t, tamper, {kCiPkUnknown, kInvalidCertificate},
                            "ciPKUnknown (7) or invalidCertificate (1)");
}

}  // namespace

}  // namespace conformance::download

namespace conformance {

std::vector<Case> euicc_download_cases() {
  using namespace download;
  const std::string role = "euicc";
  return {
      {"ES10b.Download.Nominal", role, "SGP.22 v2.5 §5.7.13, §5.7.5, §5.7.6",
       "AuthenticateServer, PrepareDownload, LoadBoundProfilePackage of a test profile; then DeleteProfile (--destructive)",
       "authenticateResponseOk, downloadResponseOk, successResult; the profile listed, then gone", nominal_download},
      {"ES10b.AuthenticateServer.InvalidServerSignature", role, "SGP.22 v2.5 §5.7.13",
       "serverSignature1 with its last byte altered", "authenticateResponseError invalidSignature (2)",
       [](EuiccTarget& t) {
         Tamper tamper;
         tamper.server_signature1 = true;
         return authenticate_error(t, tamper, {kInvalidSignature}, "invalidSignature (2)");
       }},
      {"ES10b.AuthenticateServer.EuiccChallengeMismatch", role, "SGP.22 v2.5 §5.7.13",
       "serverSigned1 (validly signed) carrying another euiccChallenge than the card gave",
       "authenticateResponseError euiccChallengeMismatch (6)",
       [](EuiccTarget& t) {
         Tamper tamper;
         tamper.euicc_challenge = true;
         return authenticate_error(t, tamper, {kEuiccChallengeMismatch}, "euiccChallengeMismatch (6)");
       }},
      {"ES10b.AuthenticateServer.UnknownCi", role, "SGP.22 v2.5 §5.7.13",
       "CERT.DPauth and euiccCiPKIdToBeUsed of a CI the card does not know",
       "authenticateResponseError ciPKUnknown (7) or invalidCertificate (1)", foreign_ci},
      {"ES10b.PrepareDownload.InvalidSmdpSignature", role, "SGP.22 v2.5 §5.7.5",
       "smdpSignature2 with its last byte altered (after a valid AuthenticateServer)",
       "downloadResponseError invalidSignature (2)", prepare_download_bad_signature},
      {"ES10b.LoadBoundProfilePackage.BadSegmentMac", role, "SGP.22 v2.5 §5.7.6",
       "the first profile element segment (86) with its MAC altered (--destructive)",
       "errorResult loadProfileElements (5) scp03tSecurityError (8); no profile; session ended",
       [](EuiccTarget& t) {
         return load_error(t, tampered_bpp(BppTamper::bad_mac), {kLoadProfileElements}, {kScp03tSecurityError},
                           "errorResult loadProfileElements (5) scp03tSecurityError (8)");
       }},
      {"ES10b.LoadBoundProfilePackage.OtherOtpk", role, "SGP.22 v2.5 §5.7.6",
       "a BPP bound to another otPK.EUICC.ECKA than the card's (--destructive)",
       "errorResult initialiseSecureChannel (0) invalidSignature (2); no profile; session ended",
       [](EuiccTarget& t) {
         return load_error(t, tampered_bpp(BppTamper::other_otpk), {kInitialiseSecureChannel},
                           {kReasonInvalidSignature}, "errorResult initialiseSecureChannel (0) invalidSignature (2)");
       }},
      {"ES10b.LoadBoundProfilePackage.ReplayedSegment", role, "SGP.22 v2.5 §5.7.6",
       "the first profile element segment (86) sent twice (--destructive)",
       "errorResult loadProfileElements (5) scp03tSecurityError (8); no profile; session ended",
       [](EuiccTarget& t) {
         return load_error(t, tampered_bpp(BppTamper::replayed_segment), {kLoadProfileElements}, {kScp03tSecurityError},
                           "errorResult loadProfileElements (5) scp03tSecurityError (8)");
       }},
  };
}

}  // namespace conformance
