#include <catch2/catch.hpp>

#include "rsp/tlv.hpp"
#include "support/kit.hpp"

using namespace rsp;
using rsp::test::hex;

TEST_CASE("TLV reads multi-byte tags and finds children") {
  auto in = hex("BF3E035C015A");
  auto t = tlv::read(in);
  REQUIRE(t);
  CHECK(t->tag == 0xBF3E);
  CHECK(t->constructed());
  CHECK(t->header_size() == 3);
  REQUIRE(tlv::find(t->value, 0x5C));
  CHECK(tlv::find(t->value, 0x5C)->value[0] == 0x5A);
  CHECK_FALSE(tlv::find(t->value, 0x4F));
  CHECK(tlv::read(hex("5F370100"))->tag == 0x5F37);
}

TEST_CASE("TLV encodes lengths in the shortest definite form") {
  CHECK(to_hex(tlv::encode_length(0x7F)) == "7F");
  CHECK(to_hex(tlv::encode_length(0x80)) == "8180");
  CHECK(to_hex(tlv::encode_length(300)) == "82012C");
  CHECK(to_hex(tlv::encode_length(0x10000)) == "83010000");
  CHECK(to_hex(tlv::encode_tag(0xBF36)) == "BF36");
  Bytes big(300, 0xAA);
  auto encoded = tlv::encode(0x86, big);
  CHECK(to_hex(ByteView(encoded).first(4)) == "8682012C");
  auto back = tlv::read(encoded);
  REQUIRE(back);
  CHECK(back->value.size() == 300);
}

TEST_CASE("TLV rejects hostile input with a message") {
  CHECK_FALSE(tlv::read(Bytes{}));
  CHECK_FALSE(tlv::read(hex("BF")));              // tag cut short
  CHECK_FALSE(tlv::read(hex("BFFFFFFF0100")));    // tag longer than 3 bytes
  CHECK_FALSE(tlv::read(hex("30")));              // no length
  CHECK_FALSE(tlv::read(hex("3080")));            // indefinite length
  CHECK_FALSE(tlv::read(hex("3085FFFFFFFFFF")));  // 5 length bytes
  CHECK_FALSE(tlv::read(hex("3084FFFFFFFF00")));  // length beyond the input
  CHECK_FALSE(tlv::read(hex("30820100")));        // length field complete, contents missing
  auto r = tlv::read_all(hex("0401AA0402BB"));
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("at byte 3") != std::string::npos);
}

TEST_CASE("TLV header can be read before the contents arrive") {
  auto h = tlv::read_header(hex("BF36823286"));
  REQUIRE(h);
  CHECK(h->tag == 0xBF36);
  CHECK(h->length == 0x3286);
  CHECK(h->header_size == 5);
}
