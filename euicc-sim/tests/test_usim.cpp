// The USIM of the enabled profile, driven through the card's APDU layer as a terminal drives it: the
// network's side is played with the crypto core (rsp::crypto::generate_vector, resynchronise) and with
// the 3GPP TS 35.208 Test Set 1 values themselves. Profile packages are built as DER, element by element
// (profile_package_builder.hpp), and installed as the download leaves them (package file, then the
// Profile in the state); the TS.48 test profiles of the reference kit are read and run with the
// TS 34.108 test algorithm.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "download_fixture.hpp"
#include "euicc/card.hpp"
#include "profile_package_builder.hpp"
#include "rsp/apdu.hpp"
#include "rsp/crypto/aka.hpp"
#include "rsp/crypto/milenage.hpp"
#include "rsp/crypto/test_algorithm.hpp"
#include "rsp/profile_contents.hpp"
#include "rsp/profile_maker.hpp"
#include "usim.hpp"

namespace euicc::test {
namespace {

namespace fs = std::filesystem;
using rsp::apdu::Response;
using rsp::test::hex;

// 3GPP TS 35.208 §4.3 Test Set 1: RAND, SQN, AMF and outputs for the K and OPc of profile_package_builder.hpp.
const Bytes kRand1 = hex("23553cbe9637a89d218ae64dae47bf35");
const Bytes kSqn1 = hex("ff9bb4d0b607");
const Bytes kAmf1 = hex("b9b9");
const Bytes kMacA1 = hex("4a9ffac354dfafb3");  // f1
const Bytes kRes1 = hex("a54211d5e3ba50bf");   // f2
const Bytes kCk1 = hex("b40ba9a3c58b2a05bbf0d987b21bf8cb");
const Bytes kIk1 = hex("f769bcd751044604127672711c6d3441");
const Bytes kAk1 = hex("aa689c648370");  // f5

const std::string kIccid = "89000123456789012341";
const std::string kImsi = "001010123456789";  // kEfImsi
const Bytes kAmf = hex("8000");
const Bytes kUstWithoutGsm = hex("0000000000");  // neither GSM access nor the GSM security context

Bytes xor_of(ByteView a, ByteView b) {
  Bytes out(a.size());
  for (size_t i = 0; i < a.size(); ++i) out[i] = static_cast<uint8_t>(a[i] ^ b[i]);
  return out;
}

Bytes milenage_package(const std::string& iccid = kIccid) { return usim_package(iccid); }
Bytes milenage_package(const std::string& iccid, const UsimElement& u, const AkaElement& a = {}) {
  return usim_package(iccid, u, a);
}

// The card with one profile, installed as the download leaves it, and a terminal on its basic channel.
struct UsimFixture : CardFixture {
  explicit UsimFixture(const Bytes& upp, const std::string& iccid = kIccid, bool enabled = true) {
    install(upp, iccid, enabled);
    reopen();
  }
  void install(const Bytes& upp, const std::string& iccid, bool enabled) {
    REQUIRE(card->store.write_profile_package(iccid, upp));
    Profile p;
    p.iccid = iccid;
    p.isdp_aid = hex("A0000005591010FFFFFFFF8900001000");
    p.isdp_aid[14] = static_cast<uint8_t>(0x10 + card->state.profiles.size());
    p.state = enabled ? ProfileState::enabled : ProfileState::disabled;
    card->state.profiles.push_back(p);
    REQUIRE(card->commit());
  }
  Response send(const std::string& apdu_hex) { return send(hex(apdu_hex)); }
  Response send(const Bytes& apdu) { return Response::parse(terminal->transmit(apdu)).value(); }
  Response select_usim() {
    return send(rsp::concat({hex("00A4040C"), Bytes{static_cast<uint8_t>(kAid.size())}, kAid}));
  }
  // TS 31.102 §7.1.2 AUTHENTICATE, 3G context, with Le '00'.
  Response authenticate(ByteView rand, ByteView autn) {
    return send(rsp::concat({hex("0088008122"), Bytes{0x10}, rand, Bytes{0x10}, autn, Bytes{0x00}}));
  }
};

crypto::Milenage test_set_1() { return crypto::Milenage::create(kK, kOpc).value(); }

Bytes sqn_of(uint64_t seq, uint64_t ind) { return crypto::sqn_bytes((seq << crypto::kIndBits) | ind); }

// 'DB' L RES L CK L IK ['08' Kc], split.
struct Success {
  Bytes res, ck, ik;
  std::optional<Bytes> kc;
};
Success success_of(const Response& r) {
  REQUIRE(r.sw == 0x9000);
  const Bytes& d = r.data;
  REQUIRE(d.size() > 2);
  REQUIRE(d[0] == 0xDB);
  Success s;
  size_t i = 1;
  auto take = [&](Bytes& out) {
    REQUIRE(i < d.size());
    size_t n = d[i++];
    REQUIRE(i + n <= d.size());
    out.assign(d.begin() + static_cast<std::ptrdiff_t>(i), d.begin() + static_cast<std::ptrdiff_t>(i + n));
    i += n;
  };
  take(s.res);
  take(s.ck);
  take(s.ik);
  if (i < d.size()) {
    Bytes kc;
    take(kc);
    s.kc = kc;
  }
  REQUIRE(i == d.size());
  return s;
}

Bytes child_value(ByteView contents, rsp::tlv::Tag tag) {
  auto t = rsp::tlv::find(contents, tag);
  return t ? Bytes(t->value.begin(), t->value.end()) : Bytes{};
}

Bytes auts_of(const Response& r) {
  REQUIRE(r.sw == 0x9000);
  REQUIRE(r.data.size() == 16);
  REQUIRE(r.data[0] == 0xDC);
  REQUIRE(r.data[1] == 0x0E);
  return Bytes(r.data.begin() + 2, r.data.end());
}

}  // namespace

TEST_CASE("profile contents: ICCID, AID, IMSI, EF.AD, EF.UST and Milenage parameters", "[usim]") {
  auto contents = read_profile_contents(milenage_package()).value();
  CHECK(contents.iccid == kIccid);
  REQUIRE(contents.usim);
  const UsimContents& u = *contents.usim;
  CHECK(u.aid == kAid);
  CHECK(u.file_id == 0x7FD0);
  CHECK(u.ef_imsi.content == kEfImsi);
  CHECK(u.imsi == kImsi);
  REQUIRE(u.ef_ad);
  CHECK(u.ef_ad->content == hex("00000002"));  // MNC of 2 digits
  CHECK(u.service_available(27));
  CHECK(u.service_available(38));
  CHECK_FALSE(u.service_available(1));
  CHECK(u.aka.algorithm == AkaAlgorithm::milenage);
  CHECK(u.aka.key == kK);
  CHECK(u.aka.opc == kOpc);
  CHECK(u.aka.constants == crypto::MilenageConstants{});     // absent: the TS 35.206 constants
  CHECK(u.aka.sqn_policy.delta == crypto::kSeqMax);          // as given
  CHECK(u.aka.sqn_policy.age_limit == (uint64_t{1} << 28));  // absent: '000010000000'
  CHECK(u.aka.sqn_policy.options == 0x02);
  CHECK(u.aka.sqn_init == crypto::SqnState{});
}

TEST_CASE("a made profile (rsp::make_profile_package) reads back as it was specified", "[usim][profile-maker]") {
  rsp::ProfileSpec spec;
  spec.iccid = "8944000000000000012";
  spec.imsi = "24099987654321";  // 14 digits: even count, 'F' filler
  spec.ki = hex("000102030405060708090a0b0c0d0e0f");
  spec.op = hex("cdc202d5123e20f62b6d676ac72cb318");
  spec.usim_aid = hex("A0000000871002FF33FF018900000100");
  spec.mnc_length = 3;
  auto contents = read_profile_contents(rsp::make_profile_package(spec).value()).value();
  CHECK(contents.iccid == spec.iccid);
  REQUIRE(contents.usim);
  const UsimContents& u = *contents.usim;
  CHECK(u.imsi == spec.imsi);
  CHECK(u.aid == spec.usim_aid);
  CHECK(u.ef_ad->content == hex("00000003"));
  CHECK(u.aka.algorithm == AkaAlgorithm::milenage);
  CHECK(u.aka.key == spec.ki);
  CHECK(u.aka.opc == crypto::compute_opc(spec.ki, *spec.op).value());
  CHECK(u.aka.sqn_policy.age_limit == (uint64_t{1} << 28));  // SAIP defaults
  // The tests' element helpers, left unchanged, give the library's package byte for byte.
  CHECK(usim_package(kIccid) == usim_package(kIccid, UsimElement{}));
}

TEST_CASE("a made profile with OP installs and answers AUTHENTICATE with Test Set 1's RES, CK, IK",
          "[usim][milenage][profile-maker]") {
  auto spec = test_spec(kIccid);
  spec.opc.clear();
  spec.op = hex("cdc202d5123e20f62b6d676ac72cb318");  // TS 35.208 Test Set 1 OP; its OPc is kOpc
  UsimFixture f(rsp::make_profile_package(spec).value());
  REQUIRE(f.select_usim().sw == 0x9000);
  auto s = success_of(f.authenticate(kRand1, rsp::concat({xor_of(kSqn1, kAk1), kAmf1, kMacA1})));
  CHECK(s.res == kRes1);
  CHECK(s.ck == kCk1);
  CHECK(s.ik == kIk1);
}

TEST_CASE("profile contents: where the AID and the IMSI come from", "[usim]") {
  SECTION("without a dfName the AID is EF.DIR's USIM entry") {
    UsimElement u;
    u.aid.reset();
    Bytes dir_aid = hex("A0000000871002FFFFFFFF8907090000");
    auto upp = package({profile_header(kIccid), mf_element(dir_aid), usim_element(u), aka_element({}), end_element()});
    CHECK(read_profile_contents(upp).value().usim->aid == dir_aid);
  }
  SECTION("without dfName or EF.DIR the AID is the USIM prefix") {
    UsimElement u;
    u.aid.reset();
    auto upp = package({profile_header(kIccid), usim_element(u), aka_element({}), end_element()});
    CHECK(read_profile_contents(upp).value().usim->aid == rsp::kUsimAidPrefix);
  }
  SECTION("a genericFileManagement fill of ADF.USIM/EF.IMSI overrides the template's content") {
    // FileManagement: filePath 7FD0 6F07 (the ADF by its temporary id), fillFileOffset 1, content.
    Bytes command = encode(0x30, rsp::concat({encode(0x80, hex("7FD06F07")), encode(0x02, Bytes{0x01}),
                                              encode(0x81, hex("2999100000000010"))}));
    Bytes gfm = encode(0xA1, rsp::concat({pe_header(4), encode(0xA1, command)}));
    auto upp = package({profile_header(kIccid), usim_element({}), aka_element({}), gfm, end_element()});
    auto u = read_profile_contents(upp).value().usim;
    CHECK(u->ef_imsi.content == hex("082999100000000010"));
    CHECK(u->imsi == "299010000000001");
  }
  SECTION("a profile without a USIM has none") {
    auto contents = read_profile_contents(minimal_profile_package(kIccid)).value();
    CHECK(contents.iccid == kIccid);
    CHECK_FALSE(contents.usim);
  }
}

TEST_CASE("profile contents: USIMs this card cannot run are refused", "[usim]") {
  SECTION("TUAK") {
    AkaElement a;
    a.algorithm = 2;
    auto r = read_profile_contents(milenage_package(kIccid, {}, a));
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("TUAK") != std::string::npos);
  }
  SECTION("mappingParameter") {
    AkaElement a;
    a.mapping = true;
    CHECK_FALSE(read_profile_contents(milenage_package(kIccid, {}, a)));
  }
  SECTION("a key of the wrong length") {
    AkaElement a;
    a.key = Bytes(32, 0x11);
    CHECK_FALSE(read_profile_contents(milenage_package(kIccid, {}, a)));
  }
  SECTION("an OPc of the wrong length") {
    AkaElement a;
    a.opc = Bytes(8, 0x11);
    CHECK_FALSE(read_profile_contents(milenage_package(kIccid, {}, a)));
  }
  SECTION("no akaParameter for the USIM") {
    CHECK_FALSE(read_profile_contents(package({profile_header(kIccid), usim_element({}), end_element()})));
  }
  SECTION("not a profile package") { CHECK_FALSE(read_profile_contents(hex("3003020101"))); }
}

TEST_CASE("EF.IMSI decoding (TS 31.102 §4.2.2)", "[usim]") {
  CHECK(rsp::decode_imsi(hex("080910101032547698")).value() == "001010123456789");
  CHECK(rsp::decode_imsi(hex("080910101032540636")).value() == "001010123456063");
  CHECK(rsp::decode_imsi(hex("0801101010325476F8FFFF")).value() == "00101012345678");  // even count, 'F' filler
  CHECK_FALSE(rsp::decode_imsi(hex("080110101032547698")));                            // even parity, but no filler
  CHECK_FALSE(rsp::decode_imsi(hex("080A10101032547698")));                            // identity type 2 (IMEI)
  CHECK_FALSE(rsp::decode_imsi(hex("0809101010325476")));                              // shorter than its length byte
  CHECK_FALSE(rsp::decode_imsi(hex("FFFFFFFFFFFFFFFFFF")));                            // not personalised
  CHECK_FALSE(rsp::decode_imsi(hex("0809101010325476A8")));                            // not a digit
}

TEST_CASE("AUTHENTICATE answers TS 35.208 Test Set 1 with its published RES, CK, IK", "[usim][milenage]") {
  UsimFixture f(milenage_package());
  REQUIRE(f.select_usim().sw == 0x9000);
  // AUTN = SQN xor AK || AMF || MAC-A, all from the published test data.
  Bytes autn = rsp::concat({xor_of(kSqn1, kAk1), kAmf1, kMacA1});
  auto s = success_of(f.authenticate(kRand1, autn));
  CHECK(s.res == kRes1);
  CHECK(s.ck == kCk1);
  CHECK(s.ik == kIk1);
  REQUIRE(s.kc);
  CHECK(*s.kc == crypto::kc_from_ck_ik(kCk1, kIk1));
  // The crypto core's network side builds the same AUTN.
  CHECK(crypto::generate_vector(test_set_1(), kRand1, kSqn1, kAmf1).autn == autn);
}

TEST_CASE("AUTHENTICATE against the network: success, replay and resynchronisation, MAC failure", "[usim][milenage]") {
  AkaElement a;
  a.sqn_delta.reset();  // the SAIP default delta
  UsimFixture f(milenage_package(kIccid, {}, a));
  REQUIRE(f.select_usim().sw == 0x9000);
  auto milenage = test_set_1();
  const Bytes rand = hex("000102030405060708090a0b0c0d0e0f");

  auto av = crypto::generate_vector(milenage, rand, sqn_of(1, 3), kAmf);
  auto s = success_of(f.authenticate(av.rand, av.autn));
  CHECK(s.res == av.xres);
  CHECK(s.ck == av.ck);
  CHECK(s.ik == av.ik);

  SECTION("a replayed vector gives AUTS, from which the network recovers SQN_MS") {
    Bytes auts = auts_of(f.authenticate(av.rand, av.autn));
    auto sqn_ms = crypto::resynchronise(milenage, av.rand, auts);
    REQUIRE(sqn_ms);
    CHECK(*sqn_ms == sqn_of(1, 3));
    // The network continues from SQN_MS: the next SEQ is accepted.
    auto next = crypto::generate_vector(milenage, rand, sqn_of(2, 0), kAmf);
    CHECK(success_of(f.authenticate(next.rand, next.autn)).res == next.xres);
  }
  SECTION("a SQN too far ahead (beyond sqnDelta) is a synchronisation failure too") {
    auto far = crypto::generate_vector(milenage, rand, sqn_of(1 + (uint64_t{1} << 28) + 1, 0), kAmf);
    CHECK(crypto::resynchronise(milenage, rand, auts_of(f.authenticate(far.rand, far.autn))).value() == sqn_of(1, 3));
  }
  SECTION("a tampered AUTN is a MAC failure (98 62) and changes nothing") {
    auto next = crypto::generate_vector(milenage, rand, sqn_of(2, 0), kAmf);
    for (size_t byte : {0, 6, 8, 15}) {  // concealed SQN, AMF, MAC
      Bytes autn = next.autn;
      autn[byte] ^= 0x01;
      auto r = f.authenticate(next.rand, autn);
      CHECK(r.sw == 0x9862);
      CHECK(r.data.empty());
    }
    Bytes other_rand = next.rand;
    other_rand[0] ^= 0x80;
    CHECK(f.authenticate(other_rand, next.autn).sw == 0x9862);
    CHECK(success_of(f.authenticate(next.rand, next.autn)).res == next.xres);
  }
}

TEST_CASE("the SQN array survives a restart, and an old card state means sqnInit", "[usim][milenage]") {
  UsimFixture f(milenage_package());
  auto milenage = test_set_1();
  const Bytes rand = hex("0f0e0d0c0b0a09080706050403020100");
  // A state written before the USIM existed has no usimSqnState: the package's sqnInit (zero) applies.
  CHECK(f.card->state.find_profile(kIccid)->usim_sqn_state.empty());
  auto av = crypto::generate_vector(milenage, rand, sqn_of(7, 5), kAmf);
  f.select_usim();
  success_of(f.authenticate(av.rand, av.autn));
  CHECK(rsp::test::read_text(f.dir.path() / "card" / "state.json").find("usimSqnState") != std::string::npos);

  f.reopen();  // power cycle
  REQUIRE(f.select_usim().sw == 0x9000);
  Bytes auts = auts_of(f.authenticate(av.rand, av.autn));
  CHECK(crypto::resynchronise(milenage, av.rand, auts).value() == sqn_of(7, 5));
  auto next = crypto::generate_vector(milenage, rand, sqn_of(8, 5), kAmf);
  CHECK(success_of(f.authenticate(next.rand, next.autn)).res == next.xres);
}

TEST_CASE("a SQN that cannot be stored gives no RES and changes nothing", "[usim][milenage]") {
  UsimFixture f(milenage_package());
  auto milenage = test_set_1();
  auto av = crypto::generate_vector(milenage, kRand1, sqn_of(3, 0), kAmf);
  f.select_usim();
  // A directory where state.json was: the atomic rename fails (for root too).
  const fs::path state = f.dir.path() / "card" / "state.json";
  const Bytes saved = rsp::test::read_file(state);
  fs::remove(state);
  fs::create_directories(state / "blocker");
  auto r = f.authenticate(av.rand, av.autn);
  fs::remove_all(state);
  std::ofstream(state, std::ios::binary)
      .write(reinterpret_cast<const char*>(saved.data()), static_cast<std::streamsize>(saved.size()));
  CHECK(r.sw == 0x6F00);
  CHECK(r.data.empty());
  CHECK(f.card->state.find_profile(kIccid)->usim_sqn_state.empty());
  // Written now, the same vector is still fresh.
  CHECK(success_of(f.authenticate(av.rand, av.autn)).res == av.xres);
}

TEST_CASE("Kc and the GSM context follow EF.UST", "[usim][milenage]") {
  auto milenage = test_set_1();
  SECTION("with GSM access: SRES = c2(RES), Kc = c3(CK, IK)") {
    UsimFixture f(milenage_package());
    f.select_usim();
    auto r = f.send(rsp::concat({hex("0088008011"), Bytes{0x10}, kRand1, Bytes{0x00}}));
    REQUIRE(r.sw == 0x9000);
    Bytes sres = xor_of(ByteView(kRes1).first(4), ByteView(kRes1).subspan(4));
    CHECK(r.data == rsp::concat({Bytes{0x04}, sres, Bytes{0x08}, crypto::kc_from_ck_ik(kCk1, kIk1)}));
  }
  SECTION("without: no Kc in the 3G answer, GSM context not supported (98 64)") {
    UsimElement u;
    u.ef_ust = kUstWithoutGsm;
    UsimFixture f(milenage_package(kIccid, u));
    f.select_usim();
    auto av = crypto::generate_vector(milenage, kRand1, sqn_of(1, 0), kAmf);
    CHECK_FALSE(success_of(f.authenticate(av.rand, av.autn)).kc);
    CHECK(f.send(rsp::concat({hex("0088008011"), Bytes{0x10}, kRand1})).sw == 0x9864);
  }
}

TEST_CASE("AUTHENTICATE refuses malformed commands with the right status word", "[usim]") {
  UsimFixture f(milenage_package());
  f.select_usim();
  const Bytes body = rsp::concat({Bytes{0x10}, kRand1, Bytes{0x10}, Bytes(16, 0)});
  CHECK(f.send(rsp::concat({hex("0088018122"), body})).sw == 0x6A86);  // P1 not '00'
  CHECK(f.send(rsp::concat({hex("0088000122"), body})).sw == 0x6A86);  // P2 without specific reference
  CHECK(f.send(rsp::concat({hex("0088008422"), body})).sw == 0x9864);  // GBA context: not offered
  CHECK(f.send(rsp::concat({hex("0088008121"), ByteView(body).first(33)})).sw == 0x6700);
  CHECK(f.send("00880081").sw == 0x6700);
  Bytes bad_length = body;
  bad_length[17] = 0x0F;
  CHECK(f.send(rsp::concat({hex("0088008122"), bad_length})).sw == 0x6A80);
  CHECK(f.send(rsp::concat({hex("8088008122"), body})).sw == 0x6E00);  // proprietary class
  CHECK(f.send("00CA00FF00").sw == 0x6D00);
}

TEST_CASE("a terminal selects the ADF and reads EF.IMSI, EF.AD and EF.UST", "[usim]") {
  UsimFixture f(milenage_package());
  auto fcp = f.send(rsp::concat({hex("00A40404"), Bytes{static_cast<uint8_t>(kAid.size())}, kAid, Bytes{0x00}}));
  REQUIRE(fcp.sw == 0x9000);
  auto template_62 = rsp::tlv::read(fcp.data).value();
  CHECK(template_62.tag == 0x62);
  CHECK(child_value(template_62.value, 0x84) == kAid);
  // A partial AID (the USIM prefix) selects it too.
  CHECK(f.send(rsp::concat({hex("00A4040C07"), rsp::kUsimAidPrefix})).sw == 0x9000);

  SECTION("SELECT by file id, then READ BINARY") {
    auto ef = f.send("00A40004026F0700");
    REQUIRE(ef.sw == 0x9000);
    auto ef_fcp = rsp::tlv::read(ef.data).value();
    CHECK(child_value(ef_fcp.value, 0x83) == hex("6F07"));  // file identifier
    CHECK(child_value(ef_fcp.value, 0x80) == hex("0009"));  // file size
    CHECK(child_value(ef_fcp.value, 0x88) == hex("38"));    // SFI 07
    auto r = f.send("00B0000009");
    REQUIRE(r.sw == 0x9000);
    CHECK(r.data == kEfImsi);
    CHECK(rsp::decode_imsi(r.data).value() == kImsi);
    CHECK(f.send("00B0000300").data == Bytes(kEfImsi.begin() + 3, kEfImsi.end()));  // Le '00': to the end
  }
  SECTION("READ BINARY by short file id") {
    CHECK(f.send("00B0870009").data == kEfImsi);          // SFI 07
    CHECK(f.send("00B0830004").data == hex("00000002"));  // SFI 03: EF.AD
    CHECK(f.send("00B0000004").data == hex("00000002"));  // and EF.AD is now the current EF
  }
  SECTION("SELECT by path") {
    CHECK(f.send("00A4080C047FFF6F07").sw == 0x9000);
    CHECK(f.send("00B0000009").data == kEfImsi);
    CHECK(f.send("00A4090C026FAD").sw == 0x9000);
    CHECK(f.send("00B0000004").data == hex("00000002"));
    CHECK(f.send("00A4080C047FD06F38").sw == 0x9000);  // the ADF's own file id
    CHECK(f.send("00B0000005").data == kUstWithGsm);
  }
  SECTION("errors") {
    CHECK(f.send("00B0000009").sw == 0x6986);          // no current EF
    CHECK(f.send("00A4000C026F99").sw == 0x6A82);      // no such EF
    CHECK(f.send("00A4000C036F0700").sw == 0x6700);    // a file id is 2 bytes
    CHECK(f.send("00A4001C026F07").sw == 0x6A86);      // P2 upper bits
    CHECK(f.send("00A4080C046F076F07").sw == 0x6A82);  // a path from the MF goes through the ADF
    REQUIRE(f.send("00A4000C026F07").sw == 0x9000);
    CHECK(f.send("00B0000020").sw == 0x6C09);  // Le beyond the end: the right Le
    CHECK(f.send("00B0000900").sw == 0x6B00);  // offset beyond the end
    CHECK(f.send("00B00000").sw == 0x6700);    // no Le
    CHECK(f.send("00B0E70009").sw == 0x6A86);  // P1 '111xxxxx'
    CHECK(f.send("00B0990009").sw == 0x6A82);  // no EF with SFI 19
    CHECK(f.send("80B0000009").sw == 0x6E00);
  }
  SECTION("STATUS") {
    CHECK(f.send("80F2000C00").sw == 0x9000);
    CHECK(f.send("80F2000100").data == encode(0x84, kAid));
    CHECK(f.send("80F2000000").data == fcp.data);
    CHECK(f.send("00F2000000").sw == 0x6E00);
  }
  SECTION("re-selecting the ADF forgets the current EF") {
    REQUIRE(f.send("00A4000C026F07").sw == 0x9000);
    // With its FCP: the card's APDU layer asks the USIM for one (with P2 '0C' it does not call it).
    REQUIRE(f.send(rsp::concat({hex("00A40404"), Bytes{static_cast<uint8_t>(kAid.size())}, kAid, Bytes{0x00}})).sw ==
            0x9000);
    CHECK(f.send("00B0000009").sw == 0x6986);
    REQUIRE(f.send("00A4000C027FFF").sw == 0x9000);  // the ADF by '7FFF'
    CHECK(f.send("00B0000009").sw == 0x6986);
  }
}

TEST_CASE("each logical channel has its own current EF in the ADF", "[usim]") {
  UsimFixture f(milenage_package());
  auto on = [&](uint8_t channel, const std::string& apdu) {
    Bytes command = hex(apdu);
    command[0] = rsp::apdu::cla_for_channel(command[0], channel);
    return f.send(command);
  };
  const std::string select_adf = "00A4040C" + rsp::to_hex(Bytes{static_cast<uint8_t>(kAid.size())}) + rsp::to_hex(kAid);
  REQUIRE(f.send("0070000001").data == Bytes{1});
  REQUIRE(on(1, select_adf).sw == 0x9000);
  REQUIRE(on(1, "00A4000C026F07").sw == 0x9000);
  REQUIRE(on(1, "0070000001").data == Bytes{2});  // opened from channel 1: in the ADF, no current EF
  CHECK(on(2, "00B0000009").sw == 0x6986);
  REQUIRE(on(2, "00A4000C026F38").sw == 0x9000);
  CHECK(on(2, "00B0000005").data == kUstWithGsm);
  CHECK(on(1, "00B0000009").data == kEfImsi);
  CHECK(f.send("00B0000009").sw == 0x6986);  // the basic channel is at the MF
  // Channel 2 closed, then opened again from the ADF's channel: nothing of the old one remains.
  REQUIRE(f.send("0070800200").sw == 0x9000);
  REQUIRE(on(1, "0070000001").data == Bytes{2});
  CHECK(on(2, "00B0000005").sw == 0x6986);
  CHECK(on(1, "00B0000009").data == kEfImsi);
}

TEST_CASE("EF.ICCID under the MF is the enabled profile's ICCID, USIM or not", "[usim]") {
  SECTION("with a USIM") {
    UsimFixture f(milenage_package());
    REQUIRE(f.send("00A4000C022FE2").sw == 0x9000);
    auto r = f.send("00B000000A");
    REQUIRE(r.sw == 0x9000);
    CHECK(rsp::to_hex(r.data) == "98001032547698103214");  // 89000123456789012341, nibbles swapped
    f.card->state.find_profile(kIccid)->state = ProfileState::disabled;
    CHECK(f.send("00B000000A").sw == 0x6985);
    CHECK(f.send("00A4000C022FE2").sw == 0x6A82);
  }
  SECTION("without one") {
    UsimFixture f(minimal_profile_package("8944000000000000011"), "8944000000000000011");
    CHECK_FALSE(f.usim->aid());
    CHECK(rsp::to_hex(f.send("00B082000A").data) == "984400000000000010F1");  // by SFI '02'; 'F' padded
  }
}

TEST_CASE("the USIM is there only while its profile is enabled", "[usim]") {
  UsimFixture f(milenage_package(), kIccid, false);
  CHECK_FALSE(f.usim->aid());
  CHECK(f.select_usim().sw == 0x6A82);
  f.card->state.find_profile(kIccid)->state = ProfileState::enabled;
  CHECK(f.usim->aid() == kAid);
  CHECK(f.select_usim().sw == 0x9000);
  // Disabled under the terminal's selection: commands to the ADF are refused until it selects again.
  f.card->state.find_profile(kIccid)->state = ProfileState::disabled;
  CHECK(f.send("00A4000C026F07").sw == 0x6985);

  SECTION("a TUAK profile has no USIM on this card") {
    AkaElement a;
    a.algorithm = 2;
    f.install(milenage_package("89000123456789012358", {}, a), "89000123456789012358", true);
    CHECK_FALSE(f.usim->aid());
  }
}

// ---- The TS.48 test profiles (GSMA TS.48 Generic eUICC Test Profile) -------------------------------

namespace {

struct Ts48Profile {
  const char* file;
  const char* iccid;
};
const Ts48Profile kTs48[] = {
    {"TS48V2-SAIP2-1-NOBERTLV-UNIQUE.der", "8949449999999990007"},
    {"TS48v2_SAIP2.1_NoBERTLV.der", "89000123456789012358"},
    {"TS48v2_SAIP2.3_BERTLV.der", "89000123456789012341"},
    {"TS48v4_SAIP2.1A_NoBERTLV.der", "89000123456789012341"},
    {"TS48v5_SAIP2.1A_NoBERTLV.der", "89000123456789012341"},
    {"TS48v5_SAIP2.3_BERTLV_SUCI.der", "89000123456789012341"},
};

// The test algorithm computed here from TS 34.108 §8.1.2, apart from the card's implementation.
struct TestAlgorithmVector {
  Bytes autn, res, ck, ik, kc;
};
TestAlgorithmVector test_algorithm_vector(ByteView k, ByteView rand, ByteView sqn, ByteView amf) {
  Bytes xdout = xor_of(k, rand);
  TestAlgorithmVector v;
  Bytes ak(xdout.begin() + 3, xdout.begin() + 9);                         // bits 24..71
  Bytes mac = xor_of(ByteView(xdout).first(8), rsp::concat({sqn, amf}));  // XDOUT[0..63] xor CDOUT
  v.autn = rsp::concat({xor_of(sqn, ak), amf, mac});
  v.res = xdout;                                                               // n = 128
  v.ck = rsp::concat({ByteView(xdout).subspan(1), ByteView(xdout).first(1)});  // XDOUT <<< 8
  v.ik = rsp::concat({ByteView(xdout).subspan(2), ByteView(xdout).first(2)});  // XDOUT <<< 16
  for (size_t i = 0; i < 8; ++i) v.kc.push_back(static_cast<uint8_t>(v.ck[i] ^ v.ck[i + 8] ^ v.ik[i] ^ v.ik[i + 8]));
  return v;
}

}  // namespace

TEST_CASE("the kit's TS.48 profiles: ICCID, IMSI, AID and the test algorithm", "[usim][kit]") {
  auto dir = rsp::test::require_kit() / "vectors" / "saip";
  for (const auto& p : kTs48) {
    INFO(p.file);
    auto contents = read_profile_contents(rsp::test::read_file(dir / p.file));
    REQUIRE(contents);
    CHECK(contents->iccid == p.iccid);
    REQUIRE(contents->usim);
    const UsimContents& u = *contents->usim;
    CHECK(u.aid == kAid);
    CHECK(u.file_id == 0x7FD0);
    CHECK(u.imsi == "001010123456063");
    CHECK(u.aka.algorithm == AkaAlgorithm::usim_test_algorithm);
    CHECK(u.aka.key == hex("000102030405060708090a0b0c0d0e0f"));
    CHECK(u.aka.sqn_init == crypto::SqnState{});
    CHECK(u.service_available(27));
  }
}

TEST_CASE("a TS.48 profile's USIM answers AUTHENTICATE with the TS 34.108 test algorithm", "[usim][kit]") {
  auto dir = rsp::test::require_kit() / "vectors" / "saip";
  UsimFixture f(rsp::test::read_file(dir / "TS48v5_SAIP2.1A_NoBERTLV.der"), "89000123456789012341");
  REQUIRE(f.select_usim().sw == 0x9000);
  REQUIRE(f.send("00A4000C026F07").sw == 0x9000);
  CHECK(rsp::decode_imsi(f.send("00B0000009").data).value() == "001010123456063");

  const Bytes k = hex("000102030405060708090a0b0c0d0e0f");
  const Bytes rand = hex("8d5e8a7e3c2b1a09f8e7d6c5b4a39281");
  auto v = test_algorithm_vector(k, rand, sqn_of(1, 0), kAmf);
  auto s = success_of(f.authenticate(rand, v.autn));
  CHECK(s.res == v.res);
  CHECK(s.ck == v.ck);
  CHECK(s.ik == v.ik);
  CHECK(s.kc == v.kc);

  // Replayed: AUTS = SQN_MS xor AK || XDOUT[0..63] xor (SQN_MS || '0000').
  Bytes auts = auts_of(f.authenticate(rand, v.autn));
  Bytes xdout = xor_of(k, rand);
  Bytes sqn_ms = xor_of(ByteView(auts).first(6), ByteView(xdout).subspan(3, 6));
  CHECK(sqn_ms == sqn_of(1, 0));
  CHECK(Bytes(auts.begin() + 6, auts.end()) == xor_of(ByteView(xdout).first(8), rsp::concat({sqn_ms, Bytes{0, 0}})));
  // The crypto core's network side on the same algorithm set recovers it too.
  CHECK(crypto::resynchronise(crypto::TestAlgorithm::create(k).value(), rand, auts).value() == sqn_of(1, 0));

  Bytes tampered = v.autn;
  tampered[15] ^= 0x01;
  CHECK(f.authenticate(rand, tampered).sw == 0x9862);
}

}  // namespace euicc::test
