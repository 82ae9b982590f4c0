#include <catch2/catch.hpp>

#include "rsp/apdu.hpp"
#include "support/kit.hpp"

using namespace rsp;
using namespace rsp::apdu;
using rsp::test::hex;

TEST_CASE("command APDUs of every case parse and encode back") {
  for (const char* text : {"00A40400", "00C0000010", "81E291000603BF3E035C015A", "81E2910003BF2E0000",
                           "00A4040010A0000005591010FFFFFFFF8900000100", "8070000001"}) {
    auto c = Command::parse(hex(text));
    REQUIRE(c);
    CHECK(to_hex(c->encode()) == text);
  }
  auto store_data = Command::parse(hex("81E2910006BF3E035C015A")).value();
  CHECK(store_data.channel() == 1);
  CHECK(store_data.ins == 0xE2);
  CHECK(store_data.data.size() == 6);
  CHECK_FALSE(store_data.le);
  auto le256 = Command::parse(hex("00B0000000")).value();
  CHECK(le256.le == 256u);
  Command big{0x80, 0xE2, 0x91, 0x00, Bytes(300, 0xAB), std::nullopt, false};
  auto ext = Command::parse(big.encode());
  REQUIRE(ext);
  CHECK(ext->extended);
  CHECK(ext->data.size() == 300);
}

TEST_CASE("malformed command APDUs are answered with the right status word") {
  CHECK(Command::parse(hex("00A404")).error() == sw::kWrongLength);
  CHECK(Command::parse(hex("00A4040005AABB")).error() == sw::kWrongLength);  // Lc says 5, 2 follow
  CHECK(Command::parse(hex("FFA40400")).error() == sw::kClassNotSupported);
  CHECK(Command::parse(hex("00E200000000")).error() == sw::kWrongLength);
}

TEST_CASE("logical channels map to CLA both ways") {
  for (uint8_t ch = 0; ch < 20; ++ch) {
    Command c;
    c.cla = cla_for_channel(0x80, ch);
    CHECK(c.channel() == ch);
    c.cla = cla_for_channel(0x00, ch);
    CHECK(c.channel() == ch);
  }
  CHECK(cla_for_channel(0x80, 1) == 0x81);
  CHECK(cla_for_channel(0x00, 4) == 0x40);
  CHECK(cla_for_channel(0x80, 19) == 0xCF);
}

TEST_CASE("response APDUs split data and status word") {
  auto r = Response::parse(hex("BF2E1280109000")).value();
  CHECK(r.sw == sw::kOk);
  CHECK(r.data.size() == 5);
  CHECK(to_hex(r.encode()) == "BF2E1280109000");
  CHECK_FALSE(Response::parse(hex("90")));
}
