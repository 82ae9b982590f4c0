// The checks every JSON server function shares at the door (rsp/server/http_json.hpp): the media
// type compared as RFC 9110 has it (no case, no parameters, spaces around it ignored), nothing
// looser; X-Admin-Protocol's v2 prefix.
#include <catch2/catch.hpp>

#include "rsp/server/http_json.hpp"
#include "rsp/untrusted_json.hpp"

namespace {

rsp::http::Request with(std::string name, std::string value) {
  rsp::http::Request r;
  r.headers.set(std::move(name), std::move(value));
  return r;
}

}  // namespace

TEST_CASE("content_type_is compares media types without case or parameters", "[http][json]") {
  using rsp::server::content_type_is;
  using rsp::server::json_content;
  for (const char* accepted : {"application/json", "APPLICATION/JSON", "Application/Json;charset=UTF-8",
                               "application/json; charset=utf-8", " application/json "}) {
    INFO(accepted);
    CHECK(json_content(with("Content-Type", accepted)));
    CHECK(json_content(with("content-type", accepted)));
  }
  for (const char* refused :
       {"", "application/jsonx", "application/json-seq", "text/json", "application/xjson;charset=UTF-8", "json"}) {
    INFO(refused);
    CHECK_FALSE(json_content(with("Content-Type", refused)));
  }
  CHECK_FALSE(json_content(rsp::http::Request{}));
  CHECK(content_type_is(with("Content-Type", "Application/X-GSMA-RSP-ASN1"), "application/x-gsma-rsp-asn1"));
  CHECK_FALSE(content_type_is(with("Content-Type", "application/x-gsma-rsp-asn1x"), "application/x-gsma-rsp-asn1"));
}

TEST_CASE("admin_protocol_ok takes gsma/rsp/v2.x.y only", "[http][json]") {
  CHECK(rsp::server::admin_protocol_ok(with("X-Admin-Protocol", "gsma/rsp/v2.5.0")));
  CHECK(rsp::server::admin_protocol_ok(with("X-Admin-Protocol", "gsma/rsp/v2.1.0")));
  CHECK_FALSE(rsp::server::admin_protocol_ok(with("X-Admin-Protocol", "gsma/rsp/v3.0.0")));
  CHECK_FALSE(rsp::server::admin_protocol_ok(rsp::http::Request{}));
}

TEST_CASE("json_out_of_bounds: depth and values counted in the text, strings skipped", "[http][json]") {
  using rsp::json_out_of_bounds;
  CHECK_FALSE(json_out_of_bounds(std::string(16, '[') + std::string(16, ']')));
  CHECK(json_out_of_bounds(std::string(17, '[')));
  CHECK(json_out_of_bounds(std::string(17, '{')));
  CHECK_FALSE(json_out_of_bounds(
      R"({"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"[[[[[[[[[[[[[[[[[[[["})"));  // in a string, an escaped quote too
  CHECK(json_out_of_bounds(R"({"a":"\\"}[[[[[[[[[[[[[[[[[[[[)"));  // an escaped backslash ends no string early
  CHECK_FALSE(json_out_of_bounds("[1,2,3]", 16, 4));
  CHECK(json_out_of_bounds("[1,2,3,4]", 16, 4));
  CHECK(rsp::parse_untrusted_json(R"({"transactionId":"AB"})").value()["transactionId"] == "AB");
  CHECK_FALSE(rsp::parse_untrusted_json("{\"a\":"));
  CHECK(rsp::parse_untrusted_json(std::string(40, '[')).error().message.find("deeper than 16") != std::string::npos);
}
