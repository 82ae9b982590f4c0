// The kit's two recorded downloads from a third-party SM-DP+ (osmo-smdpp, NIST and brainpool),
// re-checked with our crypto core: every signature of the exchange, the certificate chain, ECKA
// from the recorded one-time keys, the session keys, and the BPP decrypted segment by segment.
#include <catch2/catch.hpp>

#include "rsp/crypto/bsp.hpp"
#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "support/recorded_sessions.hpp"

using namespace rsp;
using namespace rsp::crypto;
using rsp::test::hex;

namespace {

using test::RecordedSession;
using test::signature_value;

std::vector<RecordedSession> sessions() { return test::recorded_sessions(); }
time_t recording_time() { return test::kRecordingTime; }

}  // namespace

TEST_CASE("recorded sessions: every signature of the exchange verifies, and a changed byte does not") {
  for (const auto& s : sessions()) {
    INFO(s.dir.filename().string());
    auto sig1 = s.der("01-serverSignature1");
    CHECK(verify(s.key_of("01-serverCertificate"), s.der("01-serverSigned1"), signature_value(sig1)));
    auto esig1 = s.der("02-euiccSignature1");
    CHECK(verify(s.key_of("02-euiccCertificate"), s.der("02-euiccSigned1"), signature_value(esig1)));
    // smdpSignature2 covers smdpSigned2 followed by the eUICC's signature1 TLV.
    auto ssig2 = s.der("02-smdpSignature2");
    CHECK(verify(s.key_of("02-smdpCertificate"), concat({s.der("02-smdpSigned2"), esig1}), signature_value(ssig2)));
    // euiccSignature2 covers euiccSigned2 followed by the smdpSignature2 TLV.
    auto esig2 = s.der("03-euiccSignature2");
    CHECK(verify(s.key_of("02-euiccCertificate"), concat({s.der("03-euiccSigned2"), ssig2}), signature_value(esig2)));
    // ProfileInstallationResult: euiccSignPIR over the BF27 data.
    auto pir_bytes = s.der("04-profileInstallationResult");
    auto pir = tlv::read(pir_bytes).value();
    auto data = tlv::find(pir.value, 0xBF27).value();
    auto sign_pir = tlv::find(pir.value, 0x5F37).value();
    CHECK(verify(s.key_of("02-euiccCertificate"), data.whole, sign_pir.value));
    auto changed = s.der("01-serverSigned1");
    changed[8] ^= 0x01;
    CHECK_FALSE(verify(s.key_of("01-serverCertificate"), changed, signature_value(sig1)));
  }
}

TEST_CASE("recorded sessions: the eUICC and SM-DP+ chains validate against the SGP.26 CI") {
  for (const auto& s : sessions()) {
    INFO(s.dir.filename().string());
    TrustedCis cis;
    cis.add(s.cert("ci-certificate"));
    auto t = recording_time();
    CHECK(verify_chain(s.cert("02-euiccCertificate"), Role::euicc, {s.cert("02-eumCertificate")}, cis, t));
    CHECK(verify_chain(s.cert("01-serverCertificate"), Role::dp_auth, {}, cis, t));
    CHECK(verify_chain(s.cert("02-smdpCertificate"), Role::dp_pb, {}, cis, t));
    auto wrong = verify_chain(s.cert("02-smdpCertificate"), Role::dp_auth, {}, cis, t);
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().error == ChainError::wrong_role);
    CHECK(s.cert("02-euiccCertificate").subject_serial_number() == s.keys["eid"].get<std::string>());
    CHECK(s.cert("01-serverCertificate").registered_id() == "2.999.10");
  }
}

TEST_CASE("recorded sessions: ECKA, KDF and SCP03t recover the SM-DP+'s profile") {
  for (const auto& s : sessions()) {
    INFO(s.dir.filename().string());
    const auto& k = s.keys;
    auto otsk = PrivateKey::from_pem(test::read_text(s.dir / "euicc-secrets/otSK.EUICC.pem")).value();
    CHECK(otsk.point() == hex(k["otPK.EUICC"].get<std::string>()));
    auto smdp_otpk = PublicKey::from_point(otsk.curve(), hex(k["smdpOtpk"].get<std::string>())).value();
    auto z = ecka(otsk, smdp_otpk).value();
    CHECK(z == hex(k["sharedSecretZ"].get<std::string>()));
    auto info = bsp_shared_info(kKeyTypeAes, kKeyLength128, hex(k["kdf"]["hostId"].get<std::string>()),
                                hex(k["eid"].get<std::string>()));
    CHECK(info == hex(k["kdf"]["sharedInfo"].get<std::string>()));
    auto keys = derive_session_keys(z, info);
    CHECK(keys.initial_mcv == hex(k["sessionKeys"]["initialMCV"].get<std::string>()));
    CHECK(keys.s_enc == hex(k["sessionKeys"]["S-ENC"].get<std::string>()));
    CHECK(keys.s_mac == hex(k["sessionKeys"]["S-MAC"].get<std::string>()));

    auto bpp_bytes = s.der("03-boundProfilePackage");
    auto bpp = tlv::read(bpp_bytes).value();
    auto parts = tlv::read_all(bpp.value).value();
    REQUIRE(parts.size() == 5);  // BF23, A0, A1, A2, A3
    // smdpSign in BF23 covers its content up to the signature, followed by the eUICC's otPK TLV.
    auto bf23 = parts[0];
    auto sign_tlv = tlv::find(bf23.value, 0x5F37).value();
    ByteView signed_part = bf23.value.first(static_cast<size_t>(sign_tlv.whole.data() - bf23.value.data()));
    auto euicc_otpk_tlv = tlv::encode(0x5F49, otsk.point());
    CHECK(verify(s.key_of("02-smdpCertificate"), concat({signed_part, euicc_otpk_tlv}), sign_tlv.value));

    // Segment by segment with the session keys, then with the PPKs of ReplaceSessionKeys.
    auto opened = test::open_bound_profile_package(otsk, hex(k["eid"].get<std::string>()), bpp_bytes);
    CHECK(opened.smdp_otpk == hex(k["smdpOtpk"].get<std::string>()));
    CHECK(opened.configure_isdp == s.plain("A0-ConfigureISDP"));
    CHECK(opened.store_metadata == s.plain("A1-StoreMetadata"));
    CHECK(opened.replace_session_keys == s.plain("A2-ReplaceSessionKeys"));
    CHECK(opened.profile == s.plain("A3-UPP"));
  }
}
