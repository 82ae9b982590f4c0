// rsp::make_profile_package and rsp::make_store_metadata: the package parses element by element with the
// PE module, the StoreMetadata with RSPDefinitions, and every bad input is refused with its name.
#include <catch2/catch.hpp>

#include <algorithm>
#include "rsp/asn1/profile_package.hpp"
#include "rsp/asn1/types.hpp"
#include "rsp/crypto/milenage.hpp"
#include "rsp/profile_elements.hpp"
#include "rsp/profile_maker.hpp"
#include "support/kit.hpp"

namespace {

using namespace rsp;
using rsp::test::hex;

ProfileSpec good() {
  ProfileSpec s;
  s.iccid = "89000123456789012341";
  s.imsi = "001010123456789";
  s.ki = hex("465b5ce8b199b49faa5f0a2ee238a6bc");
  s.opc = hex("cd63cb71954a9f4e48a5994e37a02baf");
  return s;
}

bool contains(ByteView haystack, ByteView needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

void require_refused(const ProfileSpec& s, const std::string& words) {
  auto r = make_profile_package(s);
  REQUIRE_FALSE(r);
  INFO(r.error().message);
  CHECK(r.error().message.find(words) != std::string::npos);
}

}  // namespace

TEST_CASE("a made profile package parses into header, mf, usim, akaParameter, end", "[profile-maker]") {
  auto s = good();
  s.profile_type = "operational demo";
  auto package = make_profile_package(s).value();
  auto elements = asn1::parse_profile_package(package).value();
  REQUIRE(elements.size() == 5);
  const tlv::Tag tags[] = {0xA0, 0xB0, 0xB3, 0xA4, 0xAA};
  for (size_t i = 0; i < elements.size(); ++i) {
    CHECK(elements[i].tag == tags[i]);
    CHECK(elements[i].decoded);
  }
  CHECK(contains(elements[0].raw, hex("830A89000123456789012341")));  // plain BCD
  CHECK(contains(elements[0].raw, to_bytes("operational demo")));
  CHECK(contains(elements[1].raw, kDefaultUsimAid));                // EF.DIR
  CHECK(contains(elements[2].raw, hex("8309080910101032547698")));  // EF.IMSI
  CHECK(contains(elements[3].raw, rsp::concat({hex("8210"), s.ki, hex("8310"), s.opc})));
}

TEST_CASE("a padded package has the size asked for, a PE-NonStandard before PE-End", "[profile-maker]") {
  auto package = make_profile_package(good()).value();
  for (size_t size : {size_t{12257}, package.size() + 20, package.size() + 200, package.size() + 70000}) {
    INFO(size);
    auto padded = pad_profile_package(package, size).value();
    CHECK(padded.size() == size);
    auto elements = asn1::parse_profile_package(padded).value();
    REQUIRE(elements.size() == 6);
    CHECK(elements[4].tag == 0xA9);  // nonStandard
    CHECK(elements[5].tag == 0xAA);  // end
  }
  CHECK(pad_profile_package(package, package.size() - 1).value() == package);
}

TEST_CASE("OP gives the package OPc = compute_opc(Ki, OP)", "[profile-maker]") {
  auto s = good();
  s.opc.clear();
  s.op = hex("cdc202d5123e20f62b6d676ac72cb318");  // TS 35.208 Test Set 1
  CHECK(make_profile_package(s).value() == make_profile_package(good()).value());
}

TEST_CASE("EF.IMSI of odd and even digit counts (TS 31.102 §4.2.2)", "[profile-maker]") {
  CHECK(profile_elements::ef_imsi("001010123456789").value() == hex("080910101032547698"));
  CHECK(profile_elements::ef_imsi("00101012345678").value() == hex("0801101010325476F8"));
  CHECK(profile_elements::ef_imsi("001010").value() == hex("04011010F0FFFFFFFF"));
}

TEST_CASE("bad inputs are refused, naming what is wrong and never a key", "[profile-maker]") {
  auto s = good();
  SECTION("ICCID") {
    s.iccid = "8900012345678";
    require_refused(s, "ICCID");
    s.iccid = "8900012345678901234X";
    require_refused(s, "ICCID");
  }
  SECTION("IMSI") {
    s.imsi = "00101";
    require_refused(s, "IMSI");
    s.imsi = "0010101234567890";
    require_refused(s, "IMSI");
    s.imsi = "00101A123456789";
    require_refused(s, "IMSI");
  }
  SECTION("Ki") {
    s.ki = Bytes(15, 0x11);
    require_refused(s, "Ki must be 16 bytes");
  }
  SECTION("OPc") {
    s.opc = Bytes(32, 0x11);
    require_refused(s, "OPc must be 16 bytes");
    s.opc.clear();
    require_refused(s, "OPc must be 16 bytes");
  }
  SECTION("OP") {
    s.op = Bytes(16, 0x22);
    require_refused(s, "not both");
    s.opc.clear();
    s.op = Bytes(8, 0x22);
    require_refused(s, "OP must be 16 bytes");
  }
  SECTION("USIM AID") {
    s.usim_aid = hex("A0000000871004FF49FF0589");  // an ISIM's application code
    require_refused(s, "USIM AID");
    s.usim_aid = Bytes(17, 0xA0);
    require_refused(s, "USIM AID");
  }
  SECTION("MNC length, sqnDelta, profile type") {
    s.mnc_length = 4;
    require_refused(s, "MNC");
    s = good();
    s.sqn_delta = uint64_t{1} << 48;
    require_refused(s, "sqnDelta");
    s = good();
    s.profile_type = std::string(101, 'x');
    require_refused(s, "profile type");
  }
}

TEST_CASE("StoreMetadata decodes as StoreMetadataRequest", "[profile-maker]") {
  auto s = good();
  s.service_provider_name = "Demo SP";
  s.profile_name = "Demo";
  auto metadata = make_store_metadata(s).value();
  const auto* type = asn1::find_type("StoreMetadataRequest");
  REQUIRE(type);
  REQUIRE(asn1::decode(*type, metadata));
  CHECK(contains(metadata, hex("5A0A98001032547698103214")));  // swapped BCD
  CHECK(contains(metadata, hex("950102")));                    // operational
  CHECK(contains(metadata, rsp::concat({hex("9107"), to_bytes("Demo SP")})));

  SECTION("without a name the ICCID names the profile; a notification address adds B6") {
    s.profile_name.clear();
    s.notification_address = "smdp.example.com";
    metadata = make_store_metadata(s).value();
    REQUIRE(asn1::decode(*type, metadata));
    CHECK(contains(metadata, rsp::concat({hex("9214"), to_bytes(s.iccid)})));
    CHECK(contains(metadata, to_bytes("smdp.example.com")));
  }
  SECTION("icon, profile class and policy rules, in the ASN.1's order") {
    s.icon = rsp::concat({hex("89504E470D0A1A0A"), Bytes(100, 0x11)});
    s.profile_class = rsp::ProfileSpec::ProfileClass::test;
    s.ppr1_no_disable = true;
    s.ppr2_no_delete = true;
    metadata = make_store_metadata(s).value();
    REQUIRE(asn1::decode(*type, metadata));
    CHECK(contains(metadata, hex("930101 946C 89504E47")));  // png, then the bytes
    CHECK(contains(metadata, hex("950100")));                // test
    CHECK(contains(metadata, hex("99020560")));              // ppr1 + ppr2, 5 unused bits
    s.ppr2_no_delete = false;
    s.icon = rsp::concat({hex("FFD8FFE0"), Bytes(10, 0)});
    metadata = make_store_metadata(s).value();
    REQUIRE(asn1::decode(*type, metadata));
    CHECK(contains(metadata, hex("930100")));    // jpg
    CHECK(contains(metadata, hex("99020640")));  // ppr1 only
  }
  SECTION("an icon that is no image, or too large, is refused") {
    s.icon = to_bytes("GIF89a");
    CHECK_FALSE(make_store_metadata(s));
    s.icon = rsp::concat({hex("89504E47"), Bytes(1021, 0)});
    CHECK_FALSE(make_store_metadata(s));
  }
  SECTION("names too long are refused") {
    s.service_provider_name = std::string(33, 'x');
    CHECK_FALSE(make_store_metadata(s));
    s = good();
    s.profile_name = std::string(65, 'x');
    CHECK_FALSE(make_store_metadata(s));
  }
}
