// ECKA, the session-key KDF and SCP03t (SGP.22 v2.5 §2.6.4, Annex G) against the kit's public
// vectors (read at test time) and against the openssl command line.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <regex>

#include "rsp/crypto/bsp.hpp"
#include "rsp/files.hpp"
#include "support/kit.hpp"

using namespace rsp;
using namespace rsp::crypto;
using rsp::test::hex;

namespace {

// The kit's vectors/README.md, and the hex value written after `label` on the same line.
std::string vectors_readme() { return test::read_text(test::require_kit() / "vectors" / "README.md"); }

Bytes hex_after(const std::string& text, const std::string& label) {
  auto pos = text.find(label);
  if (pos == std::string::npos) throw std::runtime_error("vector not found in the kit: " + label);
  auto end = text.find('\n', pos);
  auto line = text.substr(pos + label.size(), end - pos - label.size());
  return hex(line);
}

// Cells of the markdown table row that starts with `| name |`.
std::vector<std::string> table_row(const std::string& text, const std::string& name) {
  auto pos = text.find("| " + name + " |");
  if (pos == std::string::npos) throw std::runtime_error("vector row not found in the kit: " + name);
  auto line = text.substr(pos, text.find('\n', pos) - pos);
  std::vector<std::string> cells;
  std::regex cell(R"(\|\s*([^|]*?)\s*(?=\|))");
  for (std::sregex_iterator it(line.begin(), line.end(), cell), end; it != end; ++it) cells.push_back((*it)[1]);
  return cells;
}

// The first `...` quoted value after `label`.
Bytes quoted_hex_after(const std::string& text, const std::string& label, int skip = 0) {
  auto pos = text.find(label);
  if (pos == std::string::npos) throw std::runtime_error("vector not found in the kit: " + label);
  for (int i = 0;; ++i) {
    auto open = text.find('`', pos);
    auto close = text.find('`', open + 1);
    if (i == skip) return hex(text.substr(open + 1, close - open - 1));
    pos = close + 1;
  }
}

SessionKeys keys_of(ByteView mcv, ByteView enc, ByteView mac) {
  SessionKeys k;
  k.initial_mcv.assign(mcv.begin(), mcv.end());
  k.s_enc.assign(enc.begin(), enc.end());
  k.s_mac.assign(mac.begin(), mac.end());
  return k;
}

Bytes host_id_80() { return Bytes(8, 0x80); }

}  // namespace

TEST_CASE("ECKA reproduces the kit's mode51 shared secret") {
  auto text = vectors_readme();
  auto otsk_dp = hex_after(text, "otSK.DP    = ");
  auto otpk_euicc = hex_after(text, "otPK.EUICC = ");
  auto otpk_dp = hex_after(text, "otPK.DP    = ");
  auto z = hex_after(text, "shared secret Z = ");
  // A raw scalar becomes a key through its SEC1 DER form: 30 31 02 01 01 04 20 <d> A0 0A <P-256 OID>.
  auto sec1 = concat({hex("30310201010420"), otsk_dp, hex("A00A06082A8648CE3D030107")});
  auto dp_key = PrivateKey::from_der(sec1);
  REQUIRE(dp_key);
  CHECK(dp_key->point() == otpk_dp);
  auto euicc_pub = PublicKey::from_point(Curve::nist_p256, otpk_euicc);
  REQUIRE(euicc_pub);
  CHECK(ecka(*dp_key, *euicc_pub).value() == z);
}

TEST_CASE("the X9.63 KDF yields the kit's initial MCV, S-ENC and S-MAC") {
  auto text = vectors_readme();
  auto bsp = table_row(text, "BSP_Test");
  REQUIRE(bsp.size() == 6);
  auto keys = derive_session_keys(hex(bsp[1]), bsp_shared_info(kKeyTypeAes, kKeyLength128, host_id_80(), hex(bsp[2])));
  CHECK(keys.initial_mcv == hex(bsp[3]));
  CHECK(keys.s_enc == hex(bsp[4]));
  CHECK(keys.s_mac == hex(bsp[5]));

  auto mode51 = table_row(text, "mode51 (continues ECKA above)");
  auto z = hex_after(text, "shared secret Z = ");
  auto keys51 = derive_session_keys(z, bsp_shared_info(kKeyTypeAes, kKeyLength128, host_id_80(), hex(mode51[2])));
  CHECK(keys51.initial_mcv == hex(mode51[3]));
  CHECK(keys51.s_enc == hex(mode51[4]));
  CHECK(keys51.s_mac == hex(mode51[5]));
  CHECK(to_hex(bsp_shared_info(0x88, 0x10, host_id_80(), hex(bsp[2]))) ==
        "88100880808080808080801089049032123451234512345678901335");
}

TEST_CASE("SCP03t protects ConfigureISDP, StoreMetadata and ReplaceSessionKeys as the kit's vectors") {
  auto text = vectors_readme();
  auto mode51 = table_row(text, "mode51 (continues ECKA above)");
  auto keys = keys_of(hex(mode51[3]), hex(mode51[4]), hex(mode51[5]));
  Scp03t sender(keys);
  Scp03t receiver(keys);

  auto configure_isdp = quoted_hex_after(text, "1. encrypt+MAC, tag 87, plaintext");
  auto expected1 = quoted_hex_after(text, "1. encrypt+MAC, tag 87, plaintext", 1);
  auto seg1 = sender.protect(0x87, configure_isdp);
  CHECK(seg1 == expected1);
  CHECK(receiver.unprotect(seg1).value() == configure_isdp);

  auto metadata = quoted_hex_after(text, "2. MAC-only, tag 88, plaintext");
  auto mac2 = quoted_hex_after(text, "2. MAC-only, tag 88, plaintext", 2);
  auto seg2 = sender.protect(0x88, metadata);
  CHECK(seg2 == concat({hex("8838"), metadata, mac2}));
  CHECK(receiver.unprotect(seg2).value() == metadata);

  // ReplaceSessionKeys with MCV 00..0F, PPK-ENC 01 01 02..0F, PPK-MAC 02 01 02..0F (item 3/4).
  Bytes mcv(16), ppk_enc(16), ppk_mac(16);
  for (int i = 0; i < 16; ++i) mcv[i] = ppk_enc[i] = ppk_mac[i] = static_cast<uint8_t>(i);
  ppk_enc[0] = 0x01;
  ppk_mac[0] = 0x02;
  auto rsk = concat({hex("BF2636 8010"), mcv, hex("8110"), ppk_enc, hex("8210"), ppk_mac});
  auto seg3 = sender.protect(0x87, rsk);
  CHECK(seg3 == quoted_hex_after(text, "3. encrypt+MAC, tag 87, ReplaceSessionKeys", 1));
  CHECK(receiver.unprotect(seg3).value() == rsk);
}

TEST_CASE("SCP03t refuses a bad MAC without losing its place in the chain") {
  SessionKeys keys = keys_of(Bytes(16, 0x22), Bytes(16, 0x00), Bytes(16, 0x11));
  Scp03t sender(keys);
  Scp03t receiver(keys);
  auto seg1 = sender.protect(0x86, Bytes(1008, 0x5A));
  CHECK(seg1.size() == 1036);  // 86 82 04 08 + 1024 ciphertext + 8 MAC: the largest normal segment
  auto tampered = seg1;
  tampered[100] ^= 0x01;
  auto r = receiver.unprotect(tampered);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("MAC") != std::string::npos);
  CHECK(receiver.unprotect(seg1).value() == Bytes(1008, 0x5A));
  auto seg2 = sender.protect(0x86, Bytes(16, 0x01));  // aligned input gets a whole padding block
  CHECK(seg2.size() == 2 + 32 + 8);
  CHECK_FALSE(receiver.unprotect(seg1));  // a replayed segment fails: the chain has moved on
  CHECK(receiver.unprotect(seg2).value() == Bytes(16, 0x01));
  CHECK_FALSE(receiver.unprotect(test::hex("8605AABBCCDDEE")));  // shorter than its MAC
}

TEST_CASE("SCP03t encryption and MAC agree with the openssl command line") {
  if (std::system("openssl mac -help >/dev/null 2>&1") != 0) {
    std::printf("skipped: openssl command line not installed\n");
    std::_Exit(77);
  }
  SessionKeys keys = keys_of(hex("00112233445566778899AABBCCDDEEFF"), hex("000102030405060708090A0B0C0D0E0F"),
                             hex("F0E0D0C0B0A090807060504030201000"));
  Scp03t sender(keys);
  Bytes plain = to_bytes("A profile segment of some length");
  auto seg = sender.protect(0x87, plain);
  test::TempDir dir;
  auto d = dir.path().string();
  // IV for block counter 1 = AES-ECB(S-ENC, 00..01); then AES-CBC over plain||80 00...
  REQUIRE(files::write_atomic(dir.path() / "ctr", hex("00000000000000000000000000000001")));
  REQUIRE(std::system(("openssl enc -aes-128-ecb -nopad -K 000102030405060708090A0B0C0D0E0F -in " + d + "/ctr -out " +
                       d + "/iv")
                          .c_str()) == 0);
  auto iv = files::read(dir.path() / "iv").value();
  Bytes padded = plain;
  padded.push_back(0x80);
  while (padded.size() % 16) padded.push_back(0);
  REQUIRE(files::write_atomic(dir.path() / "plain", padded));
  REQUIRE(std::system(("openssl enc -aes-128-cbc -nopad -K 000102030405060708090A0B0C0D0E0F -iv " + to_hex(iv) +
                       " -in " + d + "/plain -out " + d + "/ct")
                          .c_str()) == 0);
  auto ct = files::read(dir.path() / "ct").value();
  auto mac_input = concat({keys.initial_mcv, hex("87"), tlv::encode_length(ct.size() + 8), ct});
  REQUIRE(files::write_atomic(dir.path() / "macin", mac_input));
  REQUIRE(std::system(("openssl mac -cipher AES-128-CBC -macopt hexkey:F0E0D0C0B0A090807060504030201000 -in " + d +
                       "/macin -out " + d + "/mac CMAC")
                          .c_str()) == 0);
  auto mac_hex = test::read_text(dir.path() / "mac");
  auto expected = concat({hex("87"), tlv::encode_length(ct.size() + 8), ct, ByteView(hex(mac_hex)).first(8)});
  CHECK(seg == expected);
}

TEST_CASE("the pySim test BPP decrypts with its published keys to its published plaintext") {
  auto kit = test::require_kit();
  auto text = vectors_readme();
  auto bpp = test::read_file(kit / "vectors/bsp/bpp_testbspdecode.der");
  auto plain_upp = test::read_file(kit / "vectors/bsp/bpp_testbspdecode_plain_upp.der");
  auto bf36 = tlv::read(bpp).value();
  auto parts = tlv::read_all(bf36.value).value();
  REQUIRE(parts.size() == 4);  // BF23, A0, A1, A3
  // Keys as vectors/README.md gives them for this BPP.
  auto line_pos = text.find("ConfigureISDP/StoreMetadata keys:");
  auto line = text.substr(line_pos, text.find("MCV", line_pos) + 40 - line_pos);
  std::smatch m;
  REQUIRE(
      std::regex_search(line, m, std::regex(R"(S-ENC ([0-9a-f]{32}), S-MAC ([0-9a-f]{32}),\s*MCV ([0-9a-f]{32}))")));
  Scp03t session(keys_of(hex(m[3].str()), hex(m[1].str()), hex(m[2].str())));
  // The vector wraps every segment a second time (vectors/README.md): unwrap the outer TLV first.
  auto inner = [](const tlv::Tlv& outer) { return tlv::read(outer.value).value().whole; };
  auto seg87 = tlv::read_all(parts[1].value).value();
  CHECK(session.unprotect(inner(seg87[0])).value() == hex("bf2400"));
  auto seg88 = tlv::read_all(parts[2].value).value();
  auto metadata = session.unprotect(inner(seg88[0]));
  REQUIRE(metadata);
  CHECK((*metadata)[0] == 0xBF);
  CHECK((*metadata)[1] == 0x25);
  Scp03t profile(keys_of(Bytes(16, 0x22), Bytes(16, 0x00), Bytes(16, 0x11)));
  Bytes upp;
  auto segs86 = tlv::read_all(parts[3].value).value();
  CHECK(segs86.size() == 13);
  for (const auto& s : segs86) {
    auto p = profile.unprotect(inner(s));
    REQUIRE(p);
    upp.insert(upp.end(), p->begin(), p->end());
  }
  CHECK(upp == plain_upp);
}
