// Hostile input for the ASN.1 face: every malformed encoding must come back as a DecodeError that
// names the type (and, where it is known, a byte offset inside the input), never as a crash, a
// hang or a half-decoded value. Runs under ASan + UBSan (label "sanitize").
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>

#include "asn1/samples.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/asn1/primitives.hpp"
#include "rsp/asn1/types.hpp"

#include <ServerSigned1.h>  // after codec.hpp, which brings asn1c's system includes

namespace {

using namespace rsp;
using namespace rsp::test::samples;
using rsp::asn1::DecodeError;

const asn1::Type& type(const char* name) {
  const auto* t = asn1::find_type(name);
  INFO("type " << name);
  REQUIRE(t != nullptr);
  return *t;
}

// Decodes `input` as `type_name` and requires a DecodeError for that type; returns it.
DecodeError require_error(const char* type_name, ByteView input) {
  auto v = asn1::decode(type(type_name), input);
  REQUIRE_FALSE(v.has_value());
  const DecodeError& e = v.error();
  CHECK(e.type == type_name);
  if (e.offset) CHECK(*e.offset <= input.size());
  CHECK_FALSE(e.message().empty());
  return e;
}

// Encodings of `depth` nested constructed TLVs with tag `tag`, definite lengths, around `inner`.
// Built in one pass (inside-out sizes, outside-in headers) so 100000 levels stay linear.
Bytes nest_definite(tlv::Tag tag, size_t depth, ByteView inner) {
  std::vector<size_t> sizes(depth + 1);
  sizes[0] = inner.size();
  const size_t tag_size = tlv::encode_tag(tag).size();
  for (size_t i = 1; i <= depth; ++i) sizes[i] = tag_size + tlv::encode_length(sizes[i - 1]).size() + sizes[i - 1];
  Bytes out;
  out.reserve(sizes[depth]);
  for (size_t i = depth; i >= 1; --i) {
    Bytes header = tlv::encode_header(tag, sizes[i - 1]);
    out.insert(out.end(), header.begin(), header.end());
  }
  out.insert(out.end(), inner.begin(), inner.end());
  return out;
}

// `depth` nested indefinite-length constructed TLVs; `terminated` adds the end-of-contents octets.
Bytes nest_indefinite(tlv::Tag tag, size_t depth, ByteView inner, bool terminated) {
  Bytes head = tlv::encode_tag(tag);
  head.push_back(0x80);
  Bytes out;
  for (size_t i = 0; i < depth; ++i) out.insert(out.end(), head.begin(), head.end());
  out.insert(out.end(), inner.begin(), inner.end());
  if (terminated) out.insert(out.end(), 2 * depth, 0x00);
  return out;
}

constexpr size_t kDeep = 100000;

struct Sample {
  const char* type;
  Bytes der;
};

std::vector<Sample> valid_samples() {
  return {{"EUICCInfo1", euicc_info1()},
          {"ServerSigned1", server_signed1()},
          {"GetEuiccDataResponse", get_euicc_data_response()},
          {"Certificate", certificate()}};
}

}  // namespace

TEST_CASE("the hand-built samples are valid and round-trip", "[asn1][malformed]") {
  for (const auto& s : valid_samples()) {
    INFO(s.type);
    auto v = asn1::decode(type(s.type), s.der);
    REQUIRE(v.has_value());
    auto again = asn1::encode(*v);
    REQUIRE(again.has_value());
    CHECK(to_hex(*again) == to_hex(s.der));
  }
}

TEST_CASE("input truncated at every length is rejected", "[asn1][malformed]") {
  for (const auto& s : valid_samples()) {
    for (size_t length = 0; length < s.der.size(); ++length) {
      INFO(s.type << " cut to " << length << " of " << s.der.size() << " bytes");
      auto e = require_error(s.type, ByteView(s.der).first(length));
      if (e.offset) CHECK(*e.offset <= length);
    }
  }
}

TEST_CASE("a wrong outer tag is rejected at byte 0", "[asn1][malformed]") {
  Bytes info = euicc_info1();
  info[1] = 0x21;  // BF20 -> BF21 (PrepareDownloadRequest's tag)
  auto e = require_error("EUICCInfo1", info);
  CHECK(e.offset == size_t{0});

  // Each sample offered as each other type.
  auto samples = valid_samples();
  for (const auto& as : samples)
    for (const auto& s : samples)
      if (std::string(as.type) != s.type) {
        INFO(s.type << " decoded as " << as.type);
        require_error(as.type, s.der);
      }

  Bytes signed1 = server_signed1();
  signed1[0] = 0x31;  // SET instead of SEQUENCE
  require_error("ServerSigned1", signed1);
  signed1[0] = 0x10;  // primitive form of the SEQUENCE tag
  require_error("ServerSigned1", signed1);
}

TEST_CASE("lengths that overflow or claim 2^32-1 bytes are rejected", "[asn1][malformed]") {
  // Outer length: 4 bytes claiming 2^32-1, 5 and 9 length bytes, and the indefinite form without end.
  for (const char* header :
       {"BF2084FFFFFFFF", "BF20850100000000", "BF2088FFFFFFFFFFFFFFFF", "BF2089010000000000000000", "BF2080"}) {
    INFO("header " << header);
    Bytes input = concat({hex(header), ByteView(euicc_info1()).subspan(3)});
    require_error("EUICCInfo1", input);
  }
  // An inner length that claims more than its parent holds.
  Bytes inner =
      hex("BF200C"
          "8284FFFFFFFF020202"
          "A900"
          "AA00");
  require_error("EUICCInfo1", inner);
  Bytes inner_small =
      hex("BF2009"
          "820402020202"
          "A900"
          "AA00");  // 4-byte svn (VersionType is SIZE(3))
  require_error("EUICCInfo1", inner_small);
  // An INTEGER whose length claims the maximum: the certificate serial number.
  Bytes cert = certificate();
  Bytes serial =
      hex("0209"
          "00B874F3ABFA6C44D3");
  auto at = std::search(cert.begin(), cert.end(), serial.begin(), serial.end());
  REQUIRE(at != cert.end());
  *(at + 1) = 0x84;  // 02 84 00 B8 74 F3 ...: a 4-byte length of 0x00B874F3
  require_error("Certificate", cert);
}

TEST_CASE("100000 nested constructed tags are rejected without exhausting the stack", "[asn1][malformed]") {
  SECTION("nested SEQUENCEs where a Certificate is expected") {
    require_error("Certificate", nest_definite(0x30, kDeep, hex("0500")));
    require_error("Certificate", nest_indefinite(0x30, kDeep, hex("0500"), true));
    require_error("Certificate", nest_indefinite(0x30, kDeep, {}, false));
  }
  SECTION("inside the ANY of a certificate's issuer name (AttributeValue)") {
    // Unterminated or inconsistent nesting inside an open type must fail; a well-formed deep
    // value inside ANY is valid BER, so it may decode, but then it must re-encode intact.
    require_error("Certificate", certificate(name_with_value(nest_indefinite(0x30, kDeep, hex("0C0141"), false))));
    Bytes broken = nest_definite(0x30, kDeep, hex("0C0541"));  // innermost claims 5 bytes, has 1
    require_error("Certificate", certificate(name_with_value(broken)));
    Bytes well_formed = certificate(name_with_value(nest_definite(0x30, kDeep, hex("0C0141"))));
    auto v = asn1::decode(type("Certificate"), well_formed);
    if (v) {
      auto again = asn1::encode(*v);
      REQUIRE(again.has_value());
      CHECK(*again == well_formed);
    } else {
      CHECK(v.error().type == "Certificate");
    }
  }
  SECTION("inside a SEQUENCE OF (EUICCInfo1 euiccCiPKIdListForVerification)") {
    auto with_list = [](ByteView list_contents) {
      return wrap(0xBF20, {wrap(0x82, hex("020200")), wrap(0xA9, list_contents), wrap(0xAA, ByteView{})});
    };
    require_error("EUICCInfo1", with_list(nest_definite(0x30, kDeep, {})));
    require_error("EUICCInfo1", with_list(nest_indefinite(0xA9, kDeep, {}, true)));
    // Constructed OCTET STRING segments nested 100000 deep (BER allows the constructed form).
    require_error("EUICCInfo1", with_list(nest_indefinite(0x24, kDeep, hex("0401AA"), false)));
  }
  SECTION("inside a constrained OCTET STRING (ServerSigned1 euiccChallenge, SIZE(16))") {
    Bytes deep = nest_definite(0x24, kDeep, hex("0401AA"));
    Bytes input =
        wrap(0x30, {wrap(0x80, repeat(0x3F, 16)), wrap(0xA1, deep), text(0x83, "x"), wrap(0x84, repeat(0x22, 16))});
    require_error("ServerSigned1", input);
  }
}

TEST_CASE("trailing garbage after a complete value is rejected with its offset", "[asn1][malformed]") {
  for (const auto& s : valid_samples()) {
    for (const char* garbage : {"00", "0000", "FF", "9000"}) {
      INFO(s.type << " + " << garbage);
      auto e = require_error(s.type, concat({s.der, hex(garbage)}));
      CHECK(e.offset == s.der.size());
    }
    INFO(s.type << " twice");
    auto e = require_error(s.type, concat({s.der, s.der}));
    CHECK(e.offset == s.der.size());
  }
  // decode_prefix reports the value and how much it used instead.
  Bytes two = concat({euicc_info1(), hex("00")});
  auto p = asn1::decode_prefix(type("EUICCInfo1"), two);
  REQUIRE(p.has_value());
  CHECK(p->consumed == two.size() - 1);
}

TEST_CASE("constraint violations are decode errors", "[asn1][malformed]") {
  SECTION("transactionId of 17 bytes and of 0 bytes (TransactionId is SIZE(1..16))") {
    for (size_t size : {size_t{17}, size_t{0}, size_t{200}}) {
      INFO("transactionId size " << size);
      auto e = require_error("ServerSigned1", server_signed1(size));
      CHECK_THAT(e.reason, Catch::Contains("constraint"));
    }
    CHECK(asn1::decode(type("ServerSigned1"), server_signed1(1)).has_value());
    CHECK(asn1::decode(type("ServerSigned1"), server_signed1(16)).has_value());
  }
  SECTION("euiccChallenge of 15 and 17 bytes (Octet16)") {
    require_error("ServerSigned1", server_signed1(16, 15));
    require_error("ServerSigned1", server_signed1(16, 17));
  }
  SECTION("EID of 15 and 17 bytes (Octet16)") {
    auto e = require_error("GetEuiccDataResponse", get_euicc_data_response(15));
    CHECK_THAT(e.reason, Catch::Contains("constraint"));
    require_error("GetEuiccDataResponse", get_euicc_data_response(17));
    require_error("GetEuiccDataResponse", get_euicc_data_response(0));
  }
  SECTION("svn of 2 bytes (VersionType is SIZE(3))") {
    require_error("EUICCInfo1", euicc_info1(2));
    require_error("EUICCInfo1", euicc_info1(4));
  }
  SECTION("encode refuses a value that breaks a constraint") {
    auto v = asn1::decode(type("ServerSigned1"), server_signed1());
    REQUIRE(v.has_value());
    // Shrink euiccChallenge to 15 bytes: encoding must now fail, not emit bad DER.
    auto& signed1 = v->as<ServerSigned1_t>();
    asn1::set_octets(signed1.euiccChallenge, Bytes(15, 0x11));
    auto der = asn1::encode(*v);
    REQUIRE_FALSE(der.has_value());
    CHECK_THAT(der.error().message, Catch::Contains("constraint"));
  }
}

TEST_CASE("random corruption never crashes the decoder", "[asn1][malformed]") {
  std::mt19937 rng(20261122);
  for (const auto& s : valid_samples()) {
    for (int round = 0; round < 3000; ++round) {
      Bytes input = s.der;
      std::uniform_int_distribution<size_t> where(0, input.size() - 1);
      int edits = 1 + static_cast<int>(rng() % 4);
      for (int i = 0; i < edits; ++i) {
        switch (rng() % 4) {
          case 0: input[where(rng)] = static_cast<uint8_t>(rng()); break;
          case 1: input[where(rng)] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
          case 2: input.resize(where(rng)); break;
          case 3: input.insert(input.begin() + static_cast<long>(where(rng)), static_cast<uint8_t>(rng())); break;
        }
        if (input.empty()) break;
        where = std::uniform_int_distribution<size_t>(0, input.size() - 1);
      }
      auto v = asn1::decode(type(s.type), input);
      if (v) {
        (void)asn1::encode(*v);  // may differ from the input (BER in, DER out) but must not crash
        (void)asn1::dump(*v);
      } else {
        CHECK(v.error().type == s.type);
      }
    }
  }
}

// asn1c's checkers end their text with "(%s:%d)" of __FILE__ and __LINE__: the build machine's
// paths, which an IPA printed for a malformed card answer (issue 13, finding 9).
TEST_CASE("constraint errors name the type and what failed, not a source file", "[asn1][malformed]") {
  auto no_location = [](const std::string& text, const char* what) {
    INFO(text);
    CHECK(text.find(what) != std::string::npos);
    CHECK(text.find('/') == std::string::npos);
    CHECK(text.find(".c:") == std::string::npos);
    CHECK(text.find(RSP_BINARY_DIR) == std::string::npos);
  };
  no_location(require_error("ServerSigned1", server_signed1(17)).message(), "TransactionId: constraint failed");
  no_location(require_error("GetEuiccDataResponse", get_euicc_data_response(15)).message(),
              "Octet16: constraint failed");
  auto v = asn1::decode(type("ServerSigned1"), server_signed1());
  REQUIRE(v.has_value());
  asn1::set_octets(v->as<ServerSigned1_t>().euiccChallenge, Bytes(15, 0x11));
  auto der = asn1::encode(*v);
  REQUIRE_FALSE(der.has_value());
  no_location(der.error().message, "Octet16: constraint failed");
}
