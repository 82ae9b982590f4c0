// The kit's two recorded downloads from a third-party SM-DP+ (osmo-smdpp, NIST and brainpool),
// re-checked with our crypto core: every signature of the exchange, the certificate chain, ECKA
// from the recorded one-time keys, the session keys, and the BPP decrypted segment by segment.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "rsp/crypto/bsp.hpp"
#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "support/kit.hpp"

using namespace rsp;
using namespace rsp::crypto;
using rsp::test::hex;

namespace {

struct Session {
  std::filesystem::path dir;
  nlohmann::json keys;
  Bytes der(const std::string& name) const { return test::read_file(dir / "der" / (name + ".der")); }
  Bytes plain(const std::string& name) const { return test::read_file(dir / "plain" / (name + ".der")); }
  Certificate cert(const std::string& name) const { return Certificate::from_der(der(name)).value(); }
  PublicKey key_of(const std::string& name) const { return cert(name).public_key().value(); }
};

std::vector<Session> sessions() {
  auto kit = test::require_kit();
  std::vector<Session> out;
  for (const char* name : {"osmo-smdpp-nist", "osmo-smdpp-brainpool"}) {
    Session s{kit / "vectors/sessions" / name, {}};
    s.keys = nlohmann::json::parse(test::read_text(s.dir / "euicc-secrets/keys.json"));
    out.push_back(std::move(s));
  }
  return out;
}

// The 64-byte r||s inside a recorded '5F37 40' TLV.
Bytes signature_value(const Bytes& tlv_bytes) {
  auto t = tlv::read(tlv_bytes).value();
  return Bytes(t.value.begin(), t.value.end());
}

time_t recording_time() { return 1795345996; }  // 2026-11-22, when the sessions were recorded

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

    Scp03t channel(keys);
    auto segments = [](const tlv::Tlv& group) { return tlv::read_all(group.value).value(); };
    CHECK(channel.unprotect(segments(parts[1])[0].whole).value() == s.plain("A0-ConfigureISDP"));
    Bytes metadata;
    for (const auto& seg : segments(parts[2])) {
      auto p = channel.unprotect(seg.whole).value();
      metadata.insert(metadata.end(), p.begin(), p.end());
    }
    CHECK(metadata == s.plain("A1-StoreMetadata"));
    auto rsk = channel.unprotect(segments(parts[3])[0].whole).value();
    CHECK(rsk == s.plain("A2-ReplaceSessionKeys"));
    auto rsk_fields = tlv::read_all(tlv::read(rsk).value().value).value();
    channel.replace_keys(rsk_fields[1].value, rsk_fields[2].value, rsk_fields[0].value);
    Bytes upp;
    for (const auto& seg : segments(parts[4])) {
      auto p = channel.unprotect(seg.whole);
      REQUIRE(p);
      upp.insert(upp.end(), p->begin(), p->end());
    }
    CHECK(upp == s.plain("A3-UPP"));
  }
}
