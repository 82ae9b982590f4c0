// The BER-TLV helpers below the codec (rsp/tlv.hpp) with the same hostile input as the ASN.1
// face: truncation at every length, oversized and overlong lengths, long tags, garbage.
#include <catch2/catch.hpp>

#include <random>

#include "asn1/samples.hpp"
#include "rsp/tlv.hpp"

using namespace rsp;
using namespace rsp::test::samples;

TEST_CASE("tlv: truncation at every length of a TLV is reported", "[tlv][malformed]") {
  for (const Bytes& whole : {euicc_info1(), certificate(), get_euicc_data_response(), profile_package()}) {
    auto full = tlv::read(whole);
    REQUIRE(full.has_value());
    for (size_t length = 0; length < full->whole.size(); ++length) {
      INFO("cut to " << length << " of " << full->whole.size());
      CHECK_FALSE(tlv::read(ByteView(whole).first(length)).has_value());
    }
  }
  // read_all: a sequence cut anywhere inside its last TLV fails, with the TLV's offset in the message.
  Bytes stream = profile_package();
  const size_t last = profile_header().size() + profile_telecom().size();
  for (size_t length = last + 1; length < stream.size(); ++length) {
    auto all = tlv::read_all(ByteView(stream).first(length));
    REQUIRE_FALSE(all.has_value());
    CHECK_THAT(all.error().message, Catch::Contains("at byte " + std::to_string(last)));
  }
}

TEST_CASE("tlv: lengths of 2^32-1, 5+ length bytes, indefinite form", "[tlv][malformed]") {
  // The header alone may declare 2^32-1 (read_header does not need the contents) ...
  auto header = tlv::read_header(hex("BF2084FFFFFFFF"));
  REQUIRE(header.has_value());
  CHECK(header->tag == 0xBF20);
  CHECK(header->length == 0xFFFFFFFFu);
  CHECK(header->header_size == 7);
  // ... but a TLV that claims it is truncated.
  CHECK_FALSE(tlv::read(hex("BF2084FFFFFFFF00")).has_value());
  CHECK_FALSE(tlv::read(hex("8484FFFFFFFF")).has_value());
  CHECK_FALSE(tlv::read_all(hex("800100"
                                "8484FFFFFFFF00"))
                  .has_value());
  for (const char* bad : {"30850100000000", "3088FFFFFFFFFFFFFFFF", "30FF", "3080", "308000", "3082", "308201", ""}) {
    INFO(bad);
    CHECK_FALSE(tlv::read_header(hex(bad)).has_value());
    CHECK_FALSE(tlv::read(hex(bad)).has_value());
    if (*bad) CHECK_FALSE(tlv::read_all(hex(bad)).has_value());
  }
}

TEST_CASE("tlv: multi-byte tags that run off the end or are too long", "[tlv][malformed]") {
  CHECK_FALSE(tlv::read(hex("BF")).has_value());
  CHECK_FALSE(tlv::read(hex("BF81")).has_value());
  CHECK_FALSE(tlv::read(hex("BF8181")).has_value());
  CHECK_FALSE(tlv::read(hex("BF81818101"
                            "00"))
                  .has_value());  // 5-byte tag
  auto three =
      tlv::read(hex("BF8101"
                    "00"));
  REQUIRE(three.has_value());
  CHECK(three->tag == 0xBF8101);
  CHECK(three->value.empty());
}

TEST_CASE("tlv: lengths encode and decode at every size boundary", "[tlv]") {
  for (size_t length : {size_t{0}, size_t{0x7F}, size_t{0x80}, size_t{0xFF}, size_t{0x100}, size_t{0xFFFF},
                        size_t{0x10000}, size_t{0xFFFFFF}, size_t{0x1000000}, size_t{0xFFFFFFFF}}) {
    INFO("length " << length);
    Bytes encoded = tlv::encode_header(0x5F37, length);
    auto header = tlv::read_header(encoded);
    REQUIRE(header.has_value());
    CHECK(header->tag == 0x5F37);
    CHECK(header->length == length);
    CHECK(header->header_size == encoded.size());
  }
}

TEST_CASE("tlv: find skips nothing and tolerates garbage", "[tlv][malformed]") {
  Bytes contents = concat({hex("800101"), hex("5A0A98001032547698103214"), hex("8101FF")});
  auto eid = tlv::find(contents, 0x5A);
  REQUIRE(eid.has_value());
  CHECK(eid->value.size() == 10);
  CHECK_FALSE(tlv::find(contents, 0x82).has_value());
  CHECK_FALSE(tlv::find(concat({contents, hex("5A")}), 0x5A).has_value());  // malformed contents: no answer
  CHECK_FALSE(tlv::find({}, 0x5A).has_value());
}

TEST_CASE("tlv: random garbage never crashes the reader", "[tlv][malformed]") {
  std::mt19937 rng(42);
  for (int round = 0; round < 20000; ++round) {
    Bytes input(rng() % 16);
    for (auto& b : input) b = static_cast<uint8_t>(rng());
    if (!input.empty() && rng() % 2) input[0] |= 0x1F;  // favour multi-byte tags
    auto header = tlv::read_header(input);
    auto one = tlv::read(input);
    if (one) {
      CHECK(one->whole.size() <= input.size());
      CHECK(one->value.size() + one->header_size() == one->whole.size());
      REQUIRE(header.has_value());
      CHECK(header->length == one->value.size());
    }
    auto all = tlv::read_all(input);
    if (all) {
      size_t total = 0;
      for (const auto& t : *all) total += t.whole.size();
      CHECK(total == input.size());
    }
    (void)tlv::find(input, 0x5A);
  }
}
