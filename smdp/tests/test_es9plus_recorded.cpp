// The kit's two recorded downloads (osmo-smdpp with the SGP.26 test eUICC, NIST and brainpool)
// against our SM-DP+'s own ES9+ code. The eUICC signed those messages for osmo-smdpp's
// transactionId, serverChallenge and smdpSignature2, so the store is seeded with the session
// osmo-smdpp held at that point (and the order its matchingId names); the functions then run
// unchanged: the eUICC's chain under the SGP.26 CI, euiccSignature1, euiccSignature2, the
// installation result's signature. Every eUICC-side object also decodes with our ASN.1 types, and
// each signature with one byte changed is refused with SGP.22's code.
#include <AuthenticateServerResponse.h>
#include <Certificate.h>
#include <CtxParams1.h>
#include <EUICCInfo1.h>
#include <EUICCInfo2.h>
#include <EUICCSigned2.h>
#include <EuiccSigned1.h>
#include <PendingNotification.h>
#include <PrepareDownloadResponse.h>
#include <ProfileInstallationResult.h>
#include <ProfileInstallationResultData.h>

#include "es9_fixture.hpp"
#include "rsp/asn1/codec.hpp"
#include "smdp/es9plus_json.hpp"
#include "support/recorded_sessions.hpp"

using namespace smdp;
using namespace smdp::test;
using rsp::test::hex;
using rsp::test::RecordedSession;

namespace {

// Our SM-DP+ (SGP.26 credentials, SQLite store, clock at the recording time) in the state
// osmo-smdpp was in after initiateAuthentication: the recorded session and the order it downloads.
struct RecordedServer {
  const RecordedSession& s;
  rsp::test::TempDir dir;
  DpIdentity identity;
  std::unique_ptr<Store> store;
  std::vector<ProgressEvent> progress;
  std::unique_ptr<Es9Plus> es9;
  std::string transaction_id, iccid, eid;

  explicit RecordedServer(const RecordedSession& session) : s(session) {
    auto pki = dir.path() / "pki";
    REQUIRE(rsp::pki::import_sgp26(rsp::test::require_kit() / "certs/sgp26-v3/sgp26", pki));
    identity = load_dp_identity(pki).value();
    store = open_store("sqlite:" + (dir.path() / "smdp.db").string()).value();
    Es9Settings settings;
    settings.smdp_address = s.manifest["smdp"]["address"].get<std::string>();
    settings.now = [] { return int64_t{rsp::test::kRecordingTime}; };
    settings.progress = [this](const ProfileRecord& p, NotificationPoint point, const FunctionStatus& status,
                               ByteView) {
      progress.push_back({p.iccid, point, status});
    };
    es9 = std::make_unique<Es9Plus>(*store, identity, settings);
    transaction_id = s.manifest["transactionId"].get<std::string>();
    iccid = s.manifest["profile"]["iccid"].get<std::string>();
    eid = s.manifest["eid"].get<std::string>();
    int64_t now = rsp::test::kRecordingTime;

    // The order: the recorded profile and metadata, released for the recorded matchingId.
    ProfileRecord p;
    p.iccid = iccid;
    p.operator_id = "operator-a";
    p.profile_type = "test";
    p.state = ProfileState::released;
    p.package = s.plain("A3-UPP");
    p.metadata = s.der("02-profileMetadata");
    const auto& ppk = s.keys["profileProtectionKeys"];
    p.ppk_enc = hex(ppk["PPK-ENC"].get<std::string>());
    p.ppk_mac = hex(ppk["PPK-MAC"].get<std::string>());
    p.ppk_initial_mcv = hex(ppk["initialMCV"].get<std::string>());
    p.matching_id = s.manifest["matchingId"].get<std::string>();
    p.released = true;
    p.order_expires = now + 86400;
    REQUIRE(store->add_profile(p));

    // The session as initiateAuthentication left it, with osmo-smdpp's identifiers and challenges.
    SessionRecord r;
    r.transaction_id = transaction_id;
    r.smdp_address = settings.smdp_address;
    r.euicc_challenge = s.key_bytes("euiccChallenge");
    r.server_challenge = s.key_bytes("serverChallenge");
    r.ci_pkid = hex(s.manifest["ciSki"].get<std::string>());
    r.euicc_ci_pkid = r.ci_pkid;
    r.created = now;
    r.expires = now + 3600;
    REQUIRE(store->add_session(r));
  }

  SessionRecord session() { return store->session(transaction_id).value().value(); }
  ProfileRecord profile() { return store->profile(iccid).value().value(); }

  // The smdpSignature2 the eUICC countersigned in euiccSignature2 is osmo-smdpp's, not ours.
  void use_recorded_smdp_signature2() {
    auto r = session();
    r.smdp_signature2 = s.der("02-smdpSignature2");
    REQUIRE(store->update_session(r).value());
  }

  Es9Result<smdp::AuthenticateClientResponse> authenticate_client(const Bytes& response) {
    return es9->authenticate_client({transaction_id, response});
  }
  Es9Result<smdp::GetBoundProfilePackageResponse> get_bound_profile_package(const Bytes& response) {
    return es9->get_bound_profile_package({transaction_id, response});
  }
  void authenticate() {
    auto r = authenticate_client(s.der("02-authenticateServerResponse"));
    if (!r) FAIL(r.error().subject_code + "/" + r.error().reason_code + " " + r.error().message);
    use_recorded_smdp_signature2();
  }
  void download() {
    authenticate();
    auto r = get_bound_profile_package(s.der("03-prepareDownloadResponse"));
    if (!r) FAIL(r.error().subject_code + "/" + r.error().reason_code + " " + r.error().message);
  }
};

// `container` with the last byte of `part` (found inside it) changed: for a '5F37 40 r||s' TLV or a
// certificate, the last byte of its signature.
Bytes with_signature_byte_changed(const Bytes& container, const Bytes& part) {
  auto at = std::search(container.begin(), container.end(), part.begin(), part.end());
  REQUIRE(at != container.end());
  Bytes changed = container;
  changed[static_cast<size_t>(at - container.begin()) + part.size() - 1] ^= 0x01;
  return changed;
}

void check_decodes(const rsp::asn1::Type& type, const Bytes& der, const std::string& what) {
  INFO(what << " as " << type.name);
  auto decoded = rsp::asn1::decode(type, der);
  if (!decoded) FAIL(decoded.error().message());
  CHECK(rsp::asn1::encode(*decoded).value() == der);  // DER in, the same DER out
}

Bytes cut(ByteView container, rsp::tlv::Tag tag) {
  auto t = find(container, tag).value();
  return Bytes(t.whole.begin(), t.whole.end());
}

}  // namespace

// Every kit file, both directions, is round-tripped by tests/asn1/test_asn1_roundtrip.cpp; here the
// eUICC-side messages as the SM-DP+ reads them, down to the parts it takes out of them.
TEST_CASE("recorded sessions: every eUICC-side DER object decodes with our ASN.1 types and re-encodes identically",
          "[es9][recorded]") {
  for (const auto& s : rsp::test::recorded_sessions()) {
    INFO(s.name);
    check_decodes(asn_DEF_EUICCInfo1, s.der("01-euiccInfo1"), "euiccInfo1");
    check_decodes(asn_DEF_AuthenticateServerResponse, s.der("02-authenticateServerResponse"),
                  "authenticateServerResponse");
    auto signed1 = s.der("02-euiccSigned1");
    check_decodes(asn_DEF_EuiccSigned1, signed1, "euiccSigned1");
    ByteView signed1_fields = rsp::tlv::read(signed1)->value;
    check_decodes(asn_DEF_EUICCInfo2, cut(signed1_fields, 0xBF22), "euiccInfo2");
    check_decodes(asn_DEF_CtxParams1, cut(signed1_fields, 0xA0), "ctxParams1");
    check_decodes(asn_DEF_Certificate, s.der("02-euiccCertificate"), "CERT.EUICC");
    check_decodes(asn_DEF_Certificate, s.der("02-eumCertificate"), "CERT.EUM");
    check_decodes(asn_DEF_PrepareDownloadResponse, s.der("03-prepareDownloadResponse"), "prepareDownloadResponse");
    check_decodes(asn_DEF_EUICCSigned2, s.der("03-euiccSigned2"), "euiccSigned2");
    auto result = s.der("04-profileInstallationResult");
    check_decodes(asn_DEF_ProfileInstallationResult, result, "profileInstallationResult");
    check_decodes(asn_DEF_PendingNotification, result, "pendingNotification");
    check_decodes(asn_DEF_ProfileInstallationResultData, cut(rsp::tlv::read(result)->value, 0xBF27),
                  "profileInstallationResultData");
    for (const char* signature : {"02-euiccSignature1", "03-euiccSignature2"}) {
      INFO(signature);
      auto t = rsp::tlv::read(s.der(signature)).value();
      CHECK(t.tag == 0x5F37);
      CHECK(t.value.size() == 64);
    }
  }
}

TEST_CASE(
    "recorded sessions: authenticateClient, getBoundProfilePackage and handleNotification accept the eUICC's messages",
    "[es9][recorded]") {
  for (const auto& s : rsp::test::recorded_sessions()) {
    INFO(s.name);
    RecordedServer server(s);

    // Step 1: the chain CI -> EUM -> eUICC, euiccSignature1, the session's challenge, the order.
    auto authenticated = server.authenticate_client(s.der("02-authenticateServerResponse"));
    if (!authenticated)
      FAIL(authenticated.error().subject_code + "/" + authenticated.error().reason_code + " " +
           authenticated.error().message);
    CHECK(authenticated->transaction_id == server.transaction_id);
    CHECK(authenticated->profile_metadata == s.der("02-profileMetadata"));
    CHECK(authenticated->smdp_signed2 == s.der("02-smdpSigned2"));  // same transactionId, no confirmation code
    auto dp_pb = rsp::crypto::Certificate::from_der(authenticated->smdp_certificate).value();
    CHECK(rsp::crypto::verify(dp_pb.public_key().value(),
                              rsp::concat({authenticated->smdp_signed2, s.der("02-euiccSignature1")}),
                              rsp::test::signature_value(authenticated->smdp_signature2)));
    auto session = server.session();
    CHECK(session.state == SessionState::authenticated);
    CHECK(session.eid == server.eid);
    CHECK(session.iccid == server.iccid);
    CHECK(session.euicc_certificate == s.der("02-euiccCertificate"));
    CHECK(server.profile().eid == server.eid);

    // Step 2: euiccSignature2 covers osmo-smdpp's smdpSignature2; then the package for otPK.EUICC.
    server.use_recorded_smdp_signature2();
    auto bpp = server.get_bound_profile_package(s.der("03-prepareDownloadResponse"));
    if (!bpp) FAIL(bpp.error().subject_code + "/" + bpp.error().reason_code + " " + bpp.error().message);
    CHECK(server.session().euicc_otpk == s.key_bytes("otPK.EUICC"));
    CHECK(server.profile().state == ProfileState::downloaded);
    // The recorded eUICC's one-time secret opens our package to the recorded profile.
    auto opened = rsp::test::open_bound_profile_package(s.euicc_otsk(), hex(server.eid), bpp->bound_profile_package);
    CHECK(opened.configure_isdp == s.plain("A0-ConfigureISDP"));
    CHECK(opened.store_metadata == s.plain("A1-StoreMetadata"));
    CHECK(opened.replace_session_keys == s.plain("A2-ReplaceSessionKeys"));
    CHECK(opened.profile == s.plain("A3-UPP"));
    // smdpSign in BF23: its content up to the signature, then the eUICC's otPK TLV, under our DPpb.
    auto bf23 = find(rsp::tlv::read(bpp->bound_profile_package)->value, 0xBF23).value();
    auto smdp_sign = find(bf23.value, 0x5F37).value();
    ByteView signed_part = bf23.value.first(static_cast<size_t>(smdp_sign.whole.data() - bf23.value.data()));
    CHECK(rsp::crypto::verify(dp_pb.public_key().value(),
                              rsp::concat({signed_part, encode(0x5F49, s.key_bytes("otPK.EUICC"))}), smdp_sign.value));

    // Step 3: the installation result, signed by the eUICC over ProfileInstallationResultData.
    auto handled = server.es9->handle_notification(s.der("04-profileInstallationResult"));
    INFO(handled.message);
    CHECK(handled.ok());
    CHECK(server.profile().state == ProfileState::installed);
    CHECK(server.session().state == SessionState::finished);
    auto notes = server.store->notifications(server.iccid).value();
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].event == "install");
    CHECK(notes[0].success);
    CHECK(notes[0].eid == server.eid);
    CHECK(notes[0].transaction_id == server.transaction_id);
    std::vector<NotificationPoint> points;
    for (const auto& e : server.progress) {
      CHECK(e.status.ok());
      points.push_back(e.point);
    }
    CHECK(points == std::vector<NotificationPoint>{NotificationPoint::eligibility_and_retry_limit,
                                                   NotificationPoint::bpp_download,
                                                   NotificationPoint::bpp_installation});
  }
}

TEST_CASE("recorded sessions: the recorded JSON bodies, byte for byte, through the ES9+ JSON binding",
          "[es9][recorded]") {
  for (const auto& s : rsp::test::recorded_sessions()) {
    INFO(s.name);
    RecordedServer server(s);
    auto call = [&](const char* function, const char* file) {
      INFO(function);
      auto reply = es9plus_json(*server.es9, function, s.text(std::string("es9p/") + file));
      REQUIRE(reply);
      INFO(reply->status.message);
      CHECK(reply->status.ok());
      return *reply;
    };
    auto authenticated = call("authenticateClient", "02-authenticateClient.request.json");
    CHECK(authenticated.http_status == 200);
    auto body = nlohmann::json::parse(authenticated.body);
    CHECK(body["header"]["functionExecutionStatus"]["status"] == "Executed-Success");
    CHECK(body["smdpSigned2"] ==
          nlohmann::json::parse(s.text("es9p/02-authenticateClient.response.json"))["smdpSigned2"]);
    server.use_recorded_smdp_signature2();
    auto bpp = call("getBoundProfilePackage", "03-getBoundProfilePackage.request.json");
    CHECK(bpp.http_status == 200);
    CHECK(nlohmann::json::parse(bpp.body)["header"]["functionExecutionStatus"]["status"] == "Executed-Success");
    auto handled = call("handleNotification", "04-handleNotification.request.json");
    CHECK(handled.http_status == 204);
    CHECK(server.profile().state == ProfileState::installed);
  }
}

TEST_CASE("recorded sessions: one changed signature byte is refused with SGP.22's code, and the state stays",
          "[es9][recorded]") {
  for (const auto& s : rsp::test::recorded_sessions()) {
    INFO(s.name);
    auto response = s.der("02-authenticateServerResponse");
    auto prepared = s.der("03-prepareDownloadResponse");
    auto result = s.der("04-profileInstallationResult");

    {  // authenticateClient
      RecordedServer server(s);
      // euiccSignature1 (8.1 eUICC, 6.1 verification failed), the EUM's signature on CERT.EUICC
      // (8.1.3 eUICC certificate) and the CI's on CERT.EUM (8.1.2 EUM certificate).
      check_refused(server.authenticate_client(with_signature_byte_changed(response, s.der("02-euiccSignature1"))),
                    "8.1", "6.1");
      check_refused(server.authenticate_client(with_signature_byte_changed(response, s.der("02-euiccCertificate"))),
                    "8.1.3", "6.1");
      check_refused(server.authenticate_client(with_signature_byte_changed(response, s.der("02-eumCertificate"))),
                    "8.1.2", "6.1");
      CHECK(server.session().state == SessionState::initiated);
      CHECK_FALSE(server.profile().eid);
      CHECK(server.progress.empty());
      // A session with another serverChallenge than the one the eUICC signed.
      auto other = server.session();
      other.server_challenge[0] ^= 0x01;
      REQUIRE(server.store->update_session(other).value());
      check_refused(server.authenticate_client(response), "8.1", "6.1");
    }
    {  // getBoundProfilePackage
      RecordedServer server(s);
      auto authenticated = server.authenticate_client(response);
      REQUIRE(authenticated);
      // Our own smdpSignature2 is not the one the eUICC countersigned.
      check_refused(server.get_bound_profile_package(prepared), "8.1", "6.1");
      server.use_recorded_smdp_signature2();
      check_refused(
          server.get_bound_profile_package(with_signature_byte_changed(prepared, s.der("03-euiccSignature2"))), "8.1",
          "6.1");
      CHECK(server.session().state == SessionState::authenticated);
      CHECK(server.profile().state == ProfileState::released);
      CHECK(server.get_bound_profile_package(prepared));  // the genuine message still goes through
    }
    {  // handleNotification
      RecordedServer server(s);
      server.download();
      auto signature = rsp::tlv::find(rsp::tlv::read(result)->value, 0x5F37).value();
      check_status(server.es9->handle_notification(
                       with_signature_byte_changed(result, Bytes(signature.whole.begin(), signature.whole.end()))),
                   "8.1", "6.1");
      CHECK(server.profile().state == ProfileState::downloaded);
      CHECK(server.session().state == SessionState::bpp_sent);
      CHECK(server.store->notifications(server.iccid).value().empty());
      CHECK(server.es9->handle_notification(result).ok());
      CHECK(server.profile().state == ProfileState::installed);
    }
  }
}
