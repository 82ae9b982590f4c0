// The terminal's side of 3GPP TS 31.102 §7.1.2 AUTHENTICATE (3G context), ipa/src/usim_authenticate:
// the APDUs it builds, each answer the USIM may give, and the SELECT + AUTHENTICATE exchange on the
// basic channel against a scripted card (the real USIM answers in test_ipa_cli).
#include <catch2/catch.hpp>

#include "card_transport.hpp"
#include "rsp/profile_maker.hpp"
#include "support/kit.hpp"
#include "usim_authenticate.hpp"

namespace {

using ipa::usim::AuthenticateAnswer;
using rsp::test::hex;

const std::string kRand = "000102030405060708090A0B0C0D0E0F";
const std::string kAutn = "F0E0D0C0B0A090807060504030201000";
const std::string kRes = "1122334455667788";
const std::string kCk = "C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF";
const std::string kIk = "A0A1A2A3A4A5A6A7A8A9AAABACADAEAF";

rsp::apdu::Response answer(const std::string& data, uint16_t sw = rsp::apdu::sw::kOk) { return {hex(data), sw}; }

}  // namespace

TEST_CASE("usim authenticate: the SELECT and AUTHENTICATE APDUs", "[ipa][usim]") {
  CHECK(rsp::to_hex(ipa::usim::select_adf(rsp::kDefaultUsimAid).encode()) == "00A404040CA0000000871002FF49FF058900");
  CHECK(rsp::to_hex(ipa::usim::authenticate_3g(hex(kRand), hex(kAutn)).encode()) ==
        "008800812210" + kRand + "10" + kAutn + "00");
}

TEST_CASE("usim authenticate: the USIM's answers", "[ipa][usim]") {
  SECTION("RES, CK, IK") {
    auto a = ipa::usim::parse_authenticate_response(answer("DB08" + kRes + "10" + kCk + "10" + kIk));
    REQUIRE(a);
    CHECK(a->outcome == AuthenticateAnswer::Outcome::success);
    CHECK(rsp::to_hex(a->res) == kRes);
    CHECK(rsp::to_hex(a->ck) == kCk);
    CHECK(rsp::to_hex(a->ik) == kIk);
    CHECK_FALSE(a->kc);
  }
  SECTION("with Kc, when the USIM offers GSM access") {
    auto a =
        ipa::usim::parse_authenticate_response(answer("DB08" + kRes + "10" + kCk + "10" + kIk + "080102030405060708"));
    REQUIRE(a);
    REQUIRE(a->kc);
    CHECK(rsp::to_hex(*a->kc) == "0102030405060708");
  }
  SECTION("a synchronisation failure: AUTS") {
    auto a = ipa::usim::parse_authenticate_response(answer("DC0E00112233445566778899AABBCCDD"));
    REQUIRE(a);
    CHECK(a->outcome == AuthenticateAnswer::Outcome::synchronisation_failure);
    CHECK(rsp::to_hex(a->auts) == "00112233445566778899AABBCCDD");
  }
  SECTION("a MAC failure: 98 62") {
    auto a = ipa::usim::parse_authenticate_response(answer("", rsp::apdu::sw::kAuthenticationError));
    REQUIRE(a);
    CHECK(a->outcome == AuthenticateAnswer::Outcome::mac_failure);
  }
  SECTION("what is not an answer is an error") {
    for (const auto& bad :
         {answer("", 0x6982), answer(""), answer("DB08" + kRes), answer("DB08" + kRes + "10" + kCk + "10" + kIk + "00"),
          answer("DB08" + kRes + "10" + kCk + "10" + kIk + "0801"), answer("DC0D00112233445566778899AABBCC"),
          answer("DA00")}) {
      INFO(rsp::to_hex(bad.data) << " " << bad.sw);
      CHECK_FALSE(ipa::usim::parse_authenticate_response(bad));
    }
  }
}

TEST_CASE("usim authenticate: SELECT ADF.USIM and AUTHENTICATE on the basic channel", "[ipa][usim]") {
  SECTION("the answer after 61xx and GET RESPONSE") {
    const std::string body = "DB08" + kRes + "10" + kCk + "10" + kIk;
    ipa::test::ScriptedTransport card(
        {hex("6125"), hex("62" + std::string(70, '0') + "9000"), hex("6128"), hex(body + "9000")});
    REQUIRE(card.connect());
    ipa::Es10Channel basic(card);
    auto a = ipa::usim::authenticate(basic, rsp::kDefaultUsimAid, hex(kRand), hex(kAutn));
    INFO((a ? "" : a.error().message));
    REQUIRE(a);
    CHECK(rsp::to_hex(a->res) == kRes);
    REQUIRE(card.commands.size() == 4);
    CHECK(rsp::to_hex(card.commands[0]) == "00A404040CA0000000871002FF49FF058900");
    CHECK(rsp::to_hex(card.commands[1]) == "00C0000025");
    CHECK(rsp::to_hex(card.commands[2]).rfind("00880081", 0) == 0);
    CHECK(rsp::to_hex(card.commands[3]) == "00C0000028");
  }
  SECTION("no USIM to select: the error says so, nothing else is sent") {
    ipa::test::ScriptedTransport card({hex("6A82")});
    REQUIRE(card.connect());
    ipa::Es10Channel basic(card);
    auto a = ipa::usim::authenticate(basic, hex("A0000000871002FF33FF018900000100"), hex(kRand), hex(kAutn));
    REQUIRE_FALSE(a);
    CHECK(a.error().message.find("6A82") != std::string::npos);
    CHECK(card.commands.size() == 1);
  }
  SECTION("RAND and AUTN of 16 bytes only") {
    ipa::test::ScriptedTransport card({});
    REQUIRE(card.connect());
    ipa::Es10Channel basic(card);
    CHECK_FALSE(ipa::usim::authenticate(basic, rsp::kDefaultUsimAid, hex("0011"), hex(kAutn)));
    CHECK(card.commands.empty());
  }
}
