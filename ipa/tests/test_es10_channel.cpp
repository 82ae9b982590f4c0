// The channel layer's corner cases: TERMINAL CAPABILITY on each open (and cards that refuse it),
// no logical channels (basic channel fallback), another ISD-R AID, 6Cxx and 61xx from the card,
// segment sizes out of range, and card answers that are wrong in every way a broken card manages:
// an error value each time, never a crash.
#include <catch2/catch.hpp>

#include <algorithm>

#include "ipa/es10b.hpp"
#include "ipa/es10c.hpp"
#include "ipa_fixture.hpp"
#include "support/kit.hpp"

using ipa::Es10Error;
using ipa::test::IpaFixture;
using ipa::test::ScriptedTransport;
using rsp::Bytes;
using rsp::test::hex;
namespace es10b = ipa::es10b;
namespace es10c = ipa::es10c;

namespace {
// ETSI TS 102 221 §11.1.19 TERMINAL CAPABILITY as the IPA sends it: '83' LUId, LPDd, LDSd; '84' IPAd.
const std::string kTerminalCapability = "80AA000008A906830107840101";
}  // namespace

TEST_CASE("ES10 channel: MANAGE CHANNEL refused, the ISD-R on the basic channel, and refused without fallback") {
  IpaFixture f;
  f.transport.refuse_manage_channel = true;
  auto eid = es10c::get_eid(f.channel);
  REQUIRE(eid);
  CHECK(*eid == rsp::pki::default_eid());
  CHECK(f.channel.is_open());
  CHECK(f.channel.number() == 0);
  REQUIRE(es10b::load_bound_profile_package(f.channel, f.bound_profile_package())->success);

  ipa::ChannelOptions strict;
  strict.basic_channel_fallback = false;
  ipa::Es10Channel no_fallback(f.transport, strict);
  auto refused = es10c::get_eid(no_fallback);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == Es10Error::Kind::status_word);
  CHECK(refused.error().status_word == 0x6881);
}

TEST_CASE("ES10 channel: a logical channel is closed again, and another ISD-R AID is selected when asked") {
  IpaFixture f;
  REQUIRE(es10c::get_eid(f.channel));
  uint8_t first = f.channel.number();
  f.channel.close();
  CHECK_FALSE(f.channel.is_open());
  REQUIRE(es10c::get_eid(f.channel));
  CHECK(f.channel.number() == first);  // the card gave the freed number again

  ipa::ChannelOptions vendor;
  vendor.isdr_aid = hex("A0000005591010FFFFFFFF8900000200");  // the ECASD's: not an ISD-R
  ipa::Es10Channel wrong(f.transport, vendor);
  auto refused = es10c::get_eid(wrong);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == Es10Error::Kind::status_word);
  CHECK(refused.error().message.find("SELECT ISD-R") != std::string::npos);
  CHECK_FALSE(wrong.is_open());
}

TEST_CASE("ES10 channel: segment sizes outside 6..255 are refused") {
  IpaFixture f;
  for (size_t size : {size_t{5}, size_t{256}}) {
    ipa::Es10Channel c(f.transport, IpaFixture::options(size));
    auto r = es10c::get_eid(c);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("segment size") != std::string::npos);
  }
}

TEST_CASE("ES10 channel: 6Cxx repeats the command with the right Le, and 61xx is joined with GET RESPONSE") {
  const std::string eid = "89049032123451234512345678901235";
  ScriptedTransport t({hex("9000"), hex("029000"), hex("9000"), hex("6C15"),
                       hex("BF3E125A10" + eid.substr(0, 8) + "610C"), hex(eid.substr(8) + "9000")});
  ipa::Es10Channel c(t);
  auto got = es10c::get_eid(c);
  REQUIRE(got);
  CHECK(*got == eid);
  REQUIRE(t.commands.size() == 6);
  CHECK(rsp::to_hex(t.commands[0]) == kTerminalCapability);
  CHECK(rsp::to_hex(t.commands[1]) == "0070000001");
  CHECK(rsp::to_hex(t.commands[2]) == "02A4040010A0000005591010FFFFFFFF890000010000");
  CHECK(rsp::to_hex(t.commands[3]) == "82E2910006BF3E035C015A00");
  CHECK(rsp::to_hex(t.commands[4]) == "82E2910006BF3E035C015A15");
  CHECK(rsp::to_hex(t.commands[5]) == "02C000000C");
}

TEST_CASE("ES10 channel: TERMINAL CAPABILITY first on each open, once, and the card keeps what the IPA announced") {
  IpaFixture f;
  std::vector<std::string> sent;
  f.transport.intercept = [&](rsp::ByteView apdu) -> std::optional<Bytes> {
    sent.push_back(rsp::to_hex(apdu));
    return std::nullopt;
  };
  REQUIRE(es10c::get_eid(f.channel));
  REQUIRE(es10c::get_profiles_info(f.channel));
  REQUIRE(sent.size() >= 4);
  CHECK(sent[0] == kTerminalCapability);
  CHECK(sent[1] == "0070000001");
  CHECK(std::count(sent.begin(), sent.end(), kTerminalCapability) == 1);
  REQUIRE(f.card.terminal->terminal_capability());
  CHECK(rsp::to_hex(*f.card.terminal->terminal_capability()) == "830107840101");

  // Opened again: announced again, before the new MANAGE CHANNEL.
  f.channel.close();
  sent.clear();
  REQUIRE(es10c::get_eid(f.channel));
  REQUIRE(sent.size() >= 2);
  CHECK(sent[0] == kTerminalCapability);
  CHECK(sent[1] == "0070000001");
  CHECK(std::count(sent.begin(), sent.end(), kTerminalCapability) == 1);

  // No logical channels: still first, on the basic channel, where the ISD-R then goes.
  f.channel.close();
  f.transport.refuse_manage_channel = true;
  sent.clear();
  REQUIRE(es10c::get_eid(f.channel));
  CHECK(f.channel.number() == 0);
  REQUIRE(sent.size() >= 2);
  CHECK(sent[0] == kTerminalCapability);
  CHECK(sent[1].starts_with("00A40400"));  // the refused MANAGE CHANNEL never reached the card
}

TEST_CASE("ES10 channel: a card or reader refusing TERMINAL CAPABILITY does not stop the IPA; the trace shows it") {
  // 6D00 from cards that predate it, 6E00 / 6A80 / 6700 from cards that dislike it, and a reader
  // that garbles the answer (no status word: a transport error).
  for (const std::string refusal : {"6D00", "6E00", "6A80", "6700", "90"}) {
    INFO(refusal);
    IpaFixture f;
    int refused = 0;
    f.transport.intercept = [&](rsp::ByteView apdu) -> std::optional<Bytes> {
      if (apdu.size() < 2 || apdu[1] != 0xAA) return std::nullopt;
      ++refused;
      return hex(refusal);
    };
    std::vector<std::string> trace;
    f.transport.set_trace([&](std::string_view line) { trace.emplace_back(line); });
    auto eid = es10c::get_eid(f.channel);
    REQUIRE(eid);
    CHECK(*eid == rsp::pki::default_eid());
    CHECK(refused == 1);
    CHECK_FALSE(f.card.terminal->terminal_capability());  // the card never saw it
    REQUIRE(trace.size() >= 2);
    CHECK(trace[0] == "-> " + kTerminalCapability);
    CHECK(trace[1].find(refusal) != std::string::npos);
    // A whole download after it, and no second announcement on the same open channel.
    REQUIRE(es10b::load_bound_profile_package(f.channel, f.bound_profile_package())->success);
    CHECK(refused == 1);
  }
}

TEST_CASE("ES10 channel: malformed card answers are errors, not crashes") {
  IpaFixture f;
  REQUIRE(es10c::get_eid(f.channel));  // channel open and ISD-R selected
  Bytes answer;
  f.transport.intercept = [&](rsp::ByteView apdu) -> std::optional<Bytes> {
    if (apdu.size() > 2 && apdu[1] == 0xE2) return answer;
    return std::nullopt;
  };
  struct Case {
    const char* what;
    std::string hex_answer;
    Es10Error::Kind kind;
  };
  for (const Case& c : {Case{"no status word", "90", Es10Error::Kind::transport},
                        Case{"a status word only, no data", "9000", Es10Error::Kind::malformed},
                        Case{"truncated TLV", "BF3E125A109000", Es10Error::Kind::malformed},
                        Case{"EID of one byte", "BF3E035A01019000", Es10Error::Kind::malformed},
                        Case{"another function's answer", "BF2D02A0009000", Es10Error::Kind::malformed},
                        Case{"indefinite length",
                             "BF3E805A1089049032123451234512345678901235000090"
                             "00",
                             Es10Error::Kind::malformed},
                        Case{"a refusal", "6A88", Es10Error::Kind::status_word}}) {
    INFO(c.what);
    answer = hex(c.hex_answer);
    auto r = es10c::get_eid(f.channel);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == c.kind);
    CHECK_FALSE(r.error().message.empty());
  }
  // A broken constraint is named by its type and what failed, without asn1c's __FILE__:__LINE__,
  // a path of the machine that built the IPA (issue 13, finding 9).
  answer = hex("BF3E115A0F" + std::string(30, '8') + "9000");  // an EID of 15 bytes
  auto short_eid = es10c::get_eid(f.channel);
  REQUIRE_FALSE(short_eid);
  CHECK_THAT(short_eid.error().message,
             Catch::EndsWith("GetEuiccDataResponse: constraint violated: Octet16: constraint failed"));
  CHECK(short_eid.error().message.find('/') == std::string::npos);
  // Every decoded call, each handed garbage that is valid BER of the wrong shape.
  answer = hex("BF2D0581030000009000");
  CHECK_FALSE(es10c::get_profiles_info(f.channel));
  answer = hex("BF28038101FF9000");
  CHECK_FALSE(es10b::list_notification(f.channel));
  answer = hex("BF3703A001009000");
  CHECK_FALSE(es10b::get_euicc_challenge(f.channel));
  answer =
      hex("BF3100"
          "9000");
  CHECK_FALSE(es10c::enable_profile(f.channel, es10c::ProfileIdentifier::by_iccid("8949449999999990049")));
  // A card that keeps announcing more data.
  f.transport.intercept = [](rsp::ByteView apdu) -> std::optional<Bytes> {
    if (apdu.size() > 2 && (apdu[1] == 0xE2 || apdu[1] == 0xC0)) return hex("00016101");
    return std::nullopt;
  };
  auto endless = es10c::get_eid(f.channel);
  REQUIRE_FALSE(endless);
  CHECK(endless.error().message.find("61xx") != std::string::npos);
}
