#pragma once
// The kit's two recorded ES9+ downloads (vectors/sessions/osmo-smdpp-{nist,brainpool}: osmo-smdpp
// and the SGP.26 test eUICC), as the tests of every layer read them: the DER objects, the eUICC's
// secrets (keys.json), the manifest, and a Bound Profile Package opened with the eUICC's one-time key.
#include <ctime>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rsp/crypto/bsp.hpp"
#include "rsp/crypto/certificate.hpp"
#include "rsp/tlv.hpp"
#include "support/kit.hpp"

namespace rsp::test {

struct RecordedSession {
  std::string name;  // the folder: osmo-smdpp-nist, osmo-smdpp-brainpool
  std::filesystem::path dir;
  nlohmann::json keys;      // euicc-secrets/keys.json
  nlohmann::json manifest;  // manifest.json

  Bytes der(const std::string& file) const { return read_file(dir / "der" / (file + ".der")); }
  Bytes plain(const std::string& file) const { return read_file(dir / "plain" / (file + ".der")); }
  std::string text(const std::string& relative) const { return read_text(dir / relative); }
  crypto::Certificate cert(const std::string& file) const { return crypto::Certificate::from_der(der(file)).value(); }
  crypto::PublicKey key_of(const std::string& file) const { return cert(file).public_key().value(); }
  Bytes key_bytes(const std::string& field) const { return hex(keys[field].get<std::string>()); }
  crypto::PrivateKey euicc_otsk() const {
    return crypto::PrivateKey::from_pem(text("euicc-secrets/otSK.EUICC.pem")).value();
  }
};

// Both recordings; skips the running test (exit 77) without the kit.
inline std::vector<RecordedSession> recorded_sessions() {
  auto kit = require_kit();
  std::vector<RecordedSession> out;
  for (const char* name : {"osmo-smdpp-nist", "osmo-smdpp-brainpool"}) {
    RecordedSession s{name, kit / "vectors/sessions" / name, {}, {}};
    s.keys = nlohmann::json::parse(read_text(s.dir / "euicc-secrets/keys.json"));
    s.manifest = nlohmann::json::parse(read_text(s.dir / "manifest.json"));
    out.push_back(std::move(s));
  }
  return out;
}

// When both sessions were recorded (2026-11-22): every RSP certificate of them was valid then.
inline constexpr time_t kRecordingTime = 1795345996;

// The 64-byte r||s inside a '5F37 40' TLV.
inline Bytes signature_value(ByteView tlv_bytes) {
  auto t = tlv::read(tlv_bytes).value();
  return Bytes(t.value.begin(), t.value.end());
}

// What an eUICC recovers from a Bound Profile Package.
struct OpenedPackage {
  Bytes smdp_otpk;             // from InitialiseSecureChannel (BF23)
  Bytes configure_isdp;        // A0, BF24
  Bytes store_metadata;        // A1, BF25
  Bytes replace_session_keys;  // A2, BF26; empty when the package has none
  Bytes profile;               // A3, the profile package
};

// Opens `bpp` (BF36) as the eUICC that holds `euicc_otsk` and has EID `eid` (16 bytes): ECKA with
// smdpOtpk, the KDF with BF23's hostId, then every segment unprotected (MACs checked), switching to
// the profile protection keys after ReplaceSessionKeys. Throws on any failure (test use).
inline OpenedPackage open_bound_profile_package(const crypto::PrivateKey& euicc_otsk, ByteView eid, ByteView bpp) {
  auto outer = tlv::read(bpp).value();
  auto parts = tlv::read_all(outer.value).value();
  auto bf23 = tlv::find(outer.value, 0xBF23).value();
  OpenedPackage opened;
  auto otpk = tlv::find(bf23.value, 0x5F49).value();
  opened.smdp_otpk.assign(otpk.value.begin(), otpk.value.end());
  auto host_id = tlv::find(tlv::find(bf23.value, 0xA6).value().value, 0x84).value();
  auto smdp_key = crypto::PublicKey::from_point(euicc_otsk.curve(), opened.smdp_otpk).value();
  auto z = crypto::ecka(euicc_otsk, smdp_key).value();
  auto keys = crypto::derive_session_keys(
      z, crypto::bsp_shared_info(crypto::kKeyTypeAes, crypto::kKeyLength128, host_id.value, eid));
  crypto::Scp03t channel(keys);
  auto unprotect_all = [&](const tlv::Tlv& group) {
    Bytes plain;
    for (const auto& segment : tlv::read_all(group.value).value()) {
      auto p = channel.unprotect(segment.whole).value();
      plain.insert(plain.end(), p.begin(), p.end());
    }
    return plain;
  };
  for (const auto& part : parts) {
    if (part.tag == 0xA0) opened.configure_isdp = unprotect_all(part);
    if (part.tag == 0xA1) opened.store_metadata = unprotect_all(part);
    if (part.tag == 0xA2) {
      opened.replace_session_keys = unprotect_all(part);
      // ReplaceSessionKeysRequest: 80 initialMacChainingValue, 81 ppkEnc, 82 ppkCmac.
      auto fields = tlv::read_all(tlv::read(opened.replace_session_keys).value().value).value();
      channel.replace_keys(fields[1].value, fields[2].value, fields[0].value);
    }
    if (part.tag == 0xA3) opened.profile = unprotect_all(part);
  }
  return opened;
}

}  // namespace rsp::test
