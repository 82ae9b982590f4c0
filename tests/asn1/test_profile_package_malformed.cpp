// Profile package streams (TCA eUICC Profile Package v3.3.1 §8): well-formed handling of the
// hand-built sample, and hostile streams (truncated, garbage, wrong tags, deep nesting).
#include <catch2/catch.hpp>

#include <random>

#include "asn1/samples.hpp"
#include "rsp/asn1/profile_package.hpp"

namespace {

using namespace rsp;
using namespace rsp::test::samples;

asn1::DecodeError require_stream_error(ByteView stream) {
  auto parsed = asn1::parse_profile_package(stream);
  REQUIRE_FALSE(parsed.has_value());
  const auto& e = parsed.error();
  CHECK_THAT(e.type, Catch::StartsWith("ProfileElement"));
  REQUIRE(e.offset.has_value());
  CHECK(*e.offset <= stream.size());
  return e;
}

}  // namespace

TEST_CASE("a profile package splits into decoded and passed-through elements", "[asn1][profile-package]") {
  Bytes stream = profile_package();
  auto parsed = asn1::parse_profile_package(stream);
  REQUIRE(parsed.has_value());
  REQUIRE(parsed->size() == 3);
  const auto& header = (*parsed)[0];
  const auto& telecom = (*parsed)[1];
  const auto& end = (*parsed)[2];
  CHECK(header.tag == 0xA0);
  CHECK(header.decoded.has_value());
  CHECK(header.raw == profile_header());
  CHECK(header.offset == 0);
  CHECK(telecom.tag == 0xB2);
  CHECK_FALSE(telecom.decoded.has_value());
  CHECK(telecom.raw == profile_telecom());
  CHECK(telecom.offset == profile_header().size());
  CHECK(end.tag == 0xAA);
  CHECK(end.decoded.has_value());

  CHECK(asn1::profile_element_name(0xA0) == "header");
  CHECK(asn1::profile_element_name(0xB2) == "telecom");
  CHECK(asn1::profile_element_name(0xAA) == "end");
  CHECK(asn1::is_decoded_profile_element(0xB0));        // mf
  CHECK_FALSE(asn1::is_decoded_profile_element(0xA8));  // application: passed through
  CHECK_FALSE(asn1::is_decoded_profile_element(0x80));  // primitive: not an element at all
  CHECK_FALSE(asn1::is_decoded_profile_element(0x30));

  auto again = asn1::serialize_profile_package(*parsed);
  REQUIRE(again.has_value());
  CHECK(*again == stream);

  auto empty = asn1::parse_profile_package({});
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
}

TEST_CASE("a truncated profile package is rejected unless cut between elements", "[asn1][profile-package]") {
  Bytes stream = profile_package();
  const size_t boundaries[] = {0, profile_header().size(), profile_header().size() + profile_telecom().size()};
  for (size_t length = 0; length < stream.size(); ++length) {
    INFO("cut to " << length << " of " << stream.size());
    auto parsed = asn1::parse_profile_package(ByteView(stream).first(length));
    bool boundary = std::find(std::begin(boundaries), std::end(boundaries), length) != std::end(boundaries);
    if (boundary) {
      REQUIRE(parsed.has_value());
    } else {
      auto e = require_stream_error(ByteView(stream).first(length));
      size_t element_start = 0;
      for (size_t b : boundaries)
        if (b <= length) element_start = b;
      CHECK(*e.offset >= element_start);
      CHECK(*e.offset <= length);
    }
  }
}

TEST_CASE("garbage in a profile package is rejected with its offset", "[asn1][profile-package]") {
  const size_t second = profile_header().size();
  SECTION("a universal tag where an element belongs") {
    auto e = require_stream_error(concat({profile_header(), hex("3003020101")}));
    CHECK(e.offset == second);
  }
  SECTION("a primitive context tag") {
    auto e = require_stream_error(concat({profile_header(), hex("800100")}));
    CHECK(e.offset == second);
  }
  SECTION("a lone tag byte, a tag without length, an indefinite length") {
    CHECK(require_stream_error(concat({profile_header(), hex("A0")})).offset == second);
    CHECK(require_stream_error(concat({profile_header(), hex("BF")})).offset == second);
    CHECK(require_stream_error(concat({profile_header(), hex("A08000")})).offset == second);
  }
  SECTION("lengths claiming 2^32-1 bytes or using 5+ length bytes") {
    CHECK(require_stream_error(concat({profile_header(), hex("B284FFFFFFFF00")})).offset == second);
    CHECK(require_stream_error(concat({profile_header(), hex("B2850100000000")})).offset == second);
    CHECK(require_stream_error(hex("A088FFFFFFFFFFFFFFFF")).offset == size_t{0});
  }
  SECTION("a decoded element whose contents are not its type") {
    auto e = require_stream_error(concat({profile_telecom(), hex("A0050403010203")}));
    CHECK_THAT(e.type, Catch::Contains("header"));
    CHECK(*e.offset >= profile_telecom().size());
  }
  SECTION("a decoded element that breaks a constraint (ICCID of 9 bytes)") {
    Bytes header = wrap(0xA0, {wrap(0x80, hex("02")), wrap(0x81, hex("01")), wrap(0x83, hex("980010325476981032")),
                               wrap(0xA5, ByteView{}), wrap(0xA6, ByteView{})});
    auto e = require_stream_error(header);
    CHECK_THAT(e.reason, Catch::Contains("constraint"));
  }
  SECTION("100000 nested constructed tags inside a decoded and a passed-through element") {
    Bytes deep(2 * 100000, 0);
    for (size_t i = 0; i < 100000; ++i) {
      deep[2 * i] = 0xA0;
      deep[2 * i + 1] = 0x80;
    }
    require_stream_error(concat({hex("A080"), deep}));  // indefinite length: refused up front
    require_stream_error(wrap(0xB0, deep));             // mf with nonsense inside
    // A passed-through element is opaque: its contents are not parsed, so depth does not matter.
    auto parsed = asn1::parse_profile_package(wrap(0xB2, deep));
    REQUIRE(parsed.has_value());
    CHECK_FALSE((*parsed)[0].decoded.has_value());
  }
}

TEST_CASE("random corruption of a profile package never crashes the parser", "[asn1][profile-package]") {
  std::mt19937 rng(8);
  const Bytes stream = profile_package();
  for (int round = 0; round < 5000; ++round) {
    Bytes input = stream;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < edits && !input.empty(); ++i) {
      size_t at = rng() % input.size();
      switch (rng() % 3) {
        case 0: input[at] = static_cast<uint8_t>(rng()); break;
        case 1: input.resize(at); break;
        case 2: input.insert(input.begin() + static_cast<long>(at), static_cast<uint8_t>(rng())); break;
      }
    }
    auto parsed = asn1::parse_profile_package(input);
    if (parsed) {
      (void)asn1::serialize_profile_package(*parsed);
    } else {
      CHECK(parsed.error().offset.has_value());
    }
  }
}
