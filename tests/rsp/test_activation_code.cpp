#include <catch2/catch.hpp>

#include "rsp/activation_code.hpp"

using rsp::ActivationCode;

TEST_CASE("activation codes with every optional field round-trip") {
  // The forms pySim's tests use, plus the LPA: prefix of the QR text.
  const char* codes[] = {
      "1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815",
      "1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$$1",
      "1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$1.3.6.1.4.1.31746$1",
      "1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$1.3.6.1.4.1.31746",
      "1$SMDP.GSMA.COM$$1.3.6.1.4.1.31746",
  };
  for (const char* text : codes) {
    auto ac = ActivationCode::parse(text);
    REQUIRE(ac);
    CHECK(ac->to_string() == text);
    CHECK(ActivationCode::parse("LPA:" + std::string(text))->to_string() == text);
  }
  auto full = ActivationCode::parse("LPA:1$smdp.example.com$MATCH-1$2.999.10$1").value();
  CHECK(full.smdp_address == "smdp.example.com");
  CHECK(full.matching_id == "MATCH-1");
  CHECK(full.smdp_oid == "2.999.10");
  CHECK(full.confirmation_code_required);
  CHECK(full.to_qr_text() == "LPA:1$smdp.example.com$MATCH-1$2.999.10$1");
  auto empty_token = ActivationCode::parse("1$SMDP.GSMA.COM$$1.3.6.1.4.1.31746").value();
  CHECK(empty_token.matching_id.empty());
  CHECK_FALSE(empty_token.confirmation_code_required);
}

TEST_CASE("malformed activation codes are refused with a reason") {
  CHECK_FALSE(ActivationCode::parse(""));
  CHECK_FALSE(ActivationCode::parse("2$smdp.example.com$X"));       // unknown format
  CHECK_FALSE(ActivationCode::parse("1$$X"));                       // no address
  CHECK_FALSE(ActivationCode::parse("1$smdp.example.com"));         // no token field
  CHECK_FALSE(ActivationCode::parse("1$smdp.example.com$X$1..2"));  // bad OID
  CHECK_FALSE(ActivationCode::parse("1$smdp.example.com$X$$2"));    // bad flag
  CHECK_FALSE(ActivationCode::parse("1$smdp.example.com$X$$1$extra"));
  CHECK_FALSE(ActivationCode::parse("1$smdp example.com$X"));
}
