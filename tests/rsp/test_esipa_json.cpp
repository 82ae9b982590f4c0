// rsp_esipa: the JSON binding of ESipa as a translation of the ASN.1 binding's DER messages.
// Every DER message here is built by hand from the schema and checked with rsp::asn1::decode
// before it is used.
#include <EsipaMessageFromEimToIpa.h>
#include <EsipaMessageFromIpaToEim.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "rsp/asn1/codec.hpp"
#include "rsp/esipa/esipa.hpp"
#include "rsp/esipa/esipa_json.hpp"
#include "rsp/pki/certificate_issuer.hpp"
#include "rsp/refusals.hpp"
#include "rsp/tlv.hpp"
#include "support/kit.hpp"

using namespace rsp;
using esipa::Function;
using nlohmann::json;
using rsp::test::hex;

namespace {

Bytes tl(tlv::Tag tag, std::initializer_list<ByteView> parts = {}) { return tlv::encode(tag, concat(parts)); }
Bytes text(tlv::Tag tag, std::string_view s) { return tlv::encode(tag, to_bytes(s)); }
Bytes repeat(uint8_t byte, size_t n) { return Bytes(n, byte); }

const Bytes kTransactionId = hex("0123456789ABCDEF0123456789ABCDEF");
const Bytes kEimTransactionId = hex("A1B2C3D4");
const Bytes kEid = hex("89049032123451234512345678901235");
const Bytes kIccid = hex("98001032547698103214");
const Bytes kOid = hex("2B0601040182F418");  // 1.3.6.1.4.1.47640...
const Bytes kSignature = tl(0x5F37, {repeat(0x33, 64)});

Bytes certificate() {
  static const Bytes der = [] {
    auto key = crypto::PrivateKey::generate(crypto::Curve::nist_p256);
    pki::CertificateRequest request;
    request.role = crypto::Role::dp_auth;
    request.subject = {{"CN", "smdp.example.com"}};
    return pki::issue(request, key, nullptr, key).value().der();
  }();
  return der;
}

// The messages the IPA sends (EsipaMessageFromIpaToEim alternatives) and their parts.
Bytes euicc_info1() {
  Bytes ski = tl(0x04, {repeat(0xAA, 20)});
  return tl(0xBF20, {hex("82 03 020500"), tl(0xA9, {ski}), tl(0xAA, {ski})});
}
Bytes profile_installation_result() {
  Bytes metadata = tl(0xBF2F, {hex("800101 81020780"), text(0x0C, "smdp.example.com"), tl(0x5A, {kIccid})});
  Bytes success = tl(0xA0, {tl(0x4F, {hex("A0000005591010FFFFFFFF8900001000")}), hex("04023000")});
  return tl(0xBF37,
            {tl(0xBF27, {tl(0x80, {kTransactionId}), metadata, tl(0x06, {kOid}), tl(0xA2, {success})}), kSignature});
}
Bytes other_signed_notification() {
  Bytes metadata = tl(0xBF2F, {hex("800102 81020640"), text(0x0C, "smdp.example.com"), tl(0x5A, {kIccid})});
  return tl(0x30, {metadata, kSignature, certificate(), certificate()});
}
Bytes euicc_package_result() {
  Bytes signed_data = tl(0x30, {text(0x80, "eim.example.com"), hex("810105"), tl(0x82, {kEimTransactionId}),
                                hex("830101"), tl(0x30, {hex("830100")})});
  return tl(0xBF51, {tl(0xA0, {signed_data, kSignature})});
}
Bytes cancel_session_response() {
  return tl(0xBF41, {tl(0xA0, {tl(0x30, {tl(0x80, {kTransactionId}), tl(0x81, {kOid}), hex("820100")}), kSignature})});
}
Bytes provide_eim_package_result(ByteView result, bool with_eid = true) {
  return with_eid ? tl(0xBF50, {tl(0x5A, {kEid}), result}) : tl(0xBF50, {result});
}

std::vector<Bytes> requests() {
  Bytes challenge = repeat(0x42, 16);
  Bytes authenticate_server_response = tl(0xBF38, {tl(0xA1, {tl(0x80, {kTransactionId}), hex("020102")})});
  Bytes prepare_download_response =
      tl(0xBF21,
         {tl(0xA0, {tl(0x30, {tl(0x80, {kTransactionId}), tl(0x5F49, {hex("04"), repeat(0x5A, 64)})}), kSignature})});
  Bytes ipa_euicc_data =
      tl(0xBF52, {tl(0xA0, {text(0x81, "smdp.example.com"), hex("840101"), tl(0x87, {kEimTransactionId})})});
  Bytes download_error = tl(0xBF54, {tl(0x82, {kEimTransactionId}), tl(0x30, {hex("80017F"), hex("0403010203")})});
  return {
      tl(0xBF39, {tl(0x81, {challenge}), text(0x83, "smdp.example.com"), euicc_info1(), tl(0x82, {kEimTransactionId})}),
      tl(0xBF39, {tl(0x81, {challenge})}),
      tl(0xBF3B, {tl(0x80, {kTransactionId}), authenticate_server_response}),
      tl(0xBF3A, {tl(0x80, {kTransactionId}), prepare_download_response}),
      tl(0xBF41, {tl(0x80, {kTransactionId}), tl(0xA1, {tlv::read(cancel_session_response())->value})}),
      tl(0xBF3D, {tl(0xA0, {profile_installation_result()})}),
      tl(0xBF3D, {tl(0xA0, {other_signed_notification()})}),
      tl(0xBF3D, {provide_eim_package_result(euicc_package_result())}),
      tl(0xBF4F, {tl(0x5A, {kEid}), hex("8000 810106 820362F210")}),
      tl(0xBF4F, {tl(0x5A, {kEid})}),
      provide_eim_package_result(euicc_package_result()),
      provide_eim_package_result(euicc_package_result(), false),
      provide_eim_package_result(tl(0x30, {euicc_package_result(), tl(0xA0, {profile_installation_result()})})),
      provide_eim_package_result(ipa_euicc_data),
      provide_eim_package_result(tl(0xBF54, {tl(0x82, {kEimTransactionId}), profile_installation_result()})),
      provide_eim_package_result(download_error),
      provide_eim_package_result(tl(0xA0, {tl(0x80, {kEimTransactionId}), hex("020102")})),
  };
}

// The eIM's answers (EsipaMessageFromEimToIpa alternatives), by function.
struct Answer {
  Function function;
  Bytes der;
};

Bytes server_signed1() {
  return tl(0x30, {tl(0x80, {kTransactionId}), tl(0x81, {repeat(0x42, 16)}), text(0x83, "smdp.example.com"),
                   tl(0x84, {repeat(0x24, 16)})});
}
Bytes ctx_params1() {
  Bytes device_info = tl(0xA1, {hex("800435290611"), tl(0xA1, {hex("8003110000")})});
  return tl(0xA0, {text(0x80, "MATCHING-1"), device_info});
}
Bytes initiate_authentication_ok(bool optional_members) {
  Bytes ski = tl(0x04, {repeat(0xAA, 20)});
  if (!optional_members) return tl(0xBF39, {tl(0xA0, {server_signed1(), kSignature, ski, certificate()})});
  return tl(0xBF39, {tl(0xA0, {tl(0x80, {kTransactionId}), server_signed1(), kSignature, ski, certificate(),
                               text(0x0C, "MATCHING-1"), tl(0xA2, {ctx_params1()})})});
}
Bytes smdp_signed2() { return tl(0x30, {tl(0x80, {kTransactionId}), hex("010100")}); }
Bytes authenticate_client_ok(bool optional_members) {
  if (!optional_members) return tl(0xBF3B, {tl(0xA0, {smdp_signed2(), kSignature, certificate()})});
  Bytes metadata = tl(0xBF25, {tl(0x5A, {kIccid}), text(0x91, "Operator"), text(0x92, "Profile 1"), hex("950102")});
  return tl(0xBF3B, {tl(0xA0, {tl(0x80, {kTransactionId}), metadata, smdp_signed2(), kSignature, certificate(),
                               tl(0x04, {repeat(0xCC, 32)})})});
}
Bytes bound_profile_package() {
  Bytes crt = tl(0xA6, {hex("800188 810110"), text(0x84, "hostid01")});
  Bytes initialise = tl(
      0xBF23, {hex("820101"), tl(0x80, {kTransactionId}), crt, tl(0x5F49, {hex("04"), repeat(0x5B, 64)}), kSignature});
  Bytes segment = repeat(0x77, 16);
  return tl(0xBF36, {initialise, tl(0xA0, {tl(0x87, {segment})}), tl(0xA1, {tl(0x88, {segment})}),
                     tl(0xA3, {tl(0x86, {segment})})});
}
Bytes euicc_package_request() {
  Bytes signed_data = tl(0x30, {text(0x80, "eim.example.com"), tl(0x5A, {kEid}), hex("810105"),
                                tl(0x82, {kEimTransactionId}), tl(0xA0, {tl(0xA3, {tl(0x5A, {kIccid})})})});
  return tl(0xBF51, {signed_data, kSignature});
}
Bytes ipa_euicc_data_request() { return tl(0xBF52, {hex("5C04BF20A5A6"), tl(0x83, {kEimTransactionId})}); }
Bytes profile_download_trigger() {
  return tl(0xBF54, {tl(0xA0, {text(0x80, "1$smdp.example.com$MATCHING-1")}), tl(0x82, {kEimTransactionId})});
}
Bytes error(tlv::Tag function_tag, tlv::Tag error_tag, int value) {
  return tl(function_tag, {tlv::encode(error_tag, Bytes{static_cast<uint8_t>(value)})});
}

std::vector<Answer> answers() {
  std::vector<Answer> out = {
      {Function::initiate_authentication, initiate_authentication_ok(true)},
      {Function::initiate_authentication, initiate_authentication_ok(false)},
      {Function::authenticate_client, authenticate_client_ok(true)},
      {Function::authenticate_client, authenticate_client_ok(false)},
      {Function::get_bound_profile_package,
       tl(0xBF3A, {tl(0xA0, {tl(0x80, {kTransactionId}), bound_profile_package()})})},
      {Function::get_bound_profile_package, tl(0xBF3A, {tl(0xA0, {bound_profile_package()})})},
      {Function::cancel_session, hex("BF4102A000")},
      {Function::get_eim_package, tl(0xBF4F, {euicc_package_request()})},
      {Function::get_eim_package, tl(0xBF4F, {ipa_euicc_data_request()})},
      {Function::get_eim_package, tl(0xBF4F, {profile_download_trigger()})},
      {Function::provide_eim_package_result, tl(0xBF50, {hex("BF5306 800101 800102")})},
      {Function::provide_eim_package_result, hex("BF50023000")},
  };
  auto errors = [&](Function f, tlv::Tag function_tag, tlv::Tag error_tag, std::initializer_list<int> values) {
    for (int v : values) out.push_back({f, error(function_tag, error_tag, v)});
  };
  errors(Function::initiate_authentication, 0xBF39, 0x81, {1, 2, 3, 50, 51, 52, 127});
  errors(Function::authenticate_client, 0xBF3B, 0x82, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 50, 56, 127});
  errors(Function::get_bound_profile_package, 0xBF3A, 0x81, {1, 2, 3, 4, 5, 6, 50, 95, 127});
  errors(Function::cancel_session, 0xBF41, 0x81, {1, 2, 127});
  errors(Function::get_eim_package, 0xBF4F, 0x02, {1, 2, 3, 4, 127});
  errors(Function::provide_eim_package_result, 0xBF50, 0x02, {2, 3, 4, 127});
  return out;
}

void require_schema(const asn1::Type& type, ByteView der) {
  auto decoded = asn1::decode(type, der);
  INFO(to_hex(der));
  REQUIRE(decoded);
}

json parsed(const Expected<std::string>& body) {
  REQUIRE(body);
  return json::parse(*body);
}

std::string success(json members = json::object()) {
  members["header"] = {{"functionExecutionStatus", {{"status", "Executed-Success"}}}};
  return members.dump();
}
std::string failed(const char* subject, const char* reason) {
  json status = {{"status", "Failed"}, {"statusCodeData", {{"subjectCode", subject}, {"reasonCode", reason}}}};
  return json{{"header", {{"functionExecutionStatus", status}}}}.dump();
}

// The error's message contains `part`.
template <class T>
void refused(const Expected<T>& result, const std::string& part) {
  REQUIRE_FALSE(result);
  INFO(result.error().message);
  CHECK(result.error().message.find(part) != std::string::npos);
}

}  // namespace

TEST_CASE("ESipa functions: names, request tags, constants, User-Agent") {
  for (auto f : {Function::initiate_authentication, Function::authenticate_client, Function::get_bound_profile_package,
                 Function::cancel_session, Function::handle_notification, Function::get_eim_package,
                 Function::provide_eim_package_result})
    CHECK(esipa::function_named(esipa::function_name(f)) == f);
  CHECK(esipa::function_name(Function::get_eim_package) == "getEimPackage");
  CHECK(esipa::function_name(Function::provide_eim_package_result) == "provideEimPackageResult");
  CHECK_FALSE(esipa::function_named("transferEimPackage"));
  CHECK_FALSE(esipa::function_named("GetEimPackage"));
  CHECK(esipa::request_function(hex("BF4F125A10"
                                    "89049032123451234512345678901235")) == Function::get_eim_package);
  CHECK(esipa::request_function(hex("BF3D00")) == Function::handle_notification);
  CHECK_FALSE(esipa::request_function(hex("BF4E00")));  // TransferEimPackageResponse: the push, not a function here
  CHECK_FALSE(esipa::request_function({}));
  CHECK(esipa::ipa_user_agent("gsma-rsp-ipad"));
  CHECK(esipa::ipa_user_agent("gsma-rsp-ipad; acme-ipa 1.0"));
  CHECK(esipa::ipa_user_agent("gsma-rsp-ipae;x"));
  CHECK_FALSE(esipa::ipa_user_agent("gsma-rsp-lpad"));
  CHECK_FALSE(esipa::ipa_user_agent("gsma-rsp-ipadx"));
  CHECK_FALSE(esipa::ipa_user_agent(""));
}

TEST_CASE("every request: DER -> JSON -> DER is byte-identical") {
  for (const Bytes& der : requests()) {
    require_schema(asn_DEF_EsipaMessageFromIpaToEim, der);
    auto f = esipa::request_function(der);
    REQUIRE(f);
    auto body = esipa::request_to_json(der);
    INFO(to_hex(der));
    REQUIRE(body);
    INFO(*body);
    CHECK_FALSE(json::parse(*body).contains("header"));  // ESipa requests carry no header
    auto back = esipa::request_from_json(*f, *body);
    REQUIRE(back);
    CHECK(to_hex(*back) == to_hex(der));
  }
}

TEST_CASE("every answer and error value: DER -> JSON -> DER is byte-identical") {
  for (const Answer& a : answers()) {
    require_schema(asn_DEF_EsipaMessageFromEimToIpa, a.der);
    auto body = esipa::response_to_json(a.function, a.der);
    INFO(to_hex(a.der));
    REQUIRE(body);
    INFO(*body);
    json j = json::parse(*body);
    REQUIRE(j.contains("header"));
    if (j["header"]["functionExecutionStatus"]["status"] == "Failed") {
      CHECK(j.size() == 1);  // no payload with a failure
      CHECK(j["header"]["functionExecutionStatus"]["statusCodeData"].contains("subjectCode"));
    }
    auto back = esipa::response_from_json(a.function, *body);
    REQUIRE(back);
    CHECK(to_hex(*back) == to_hex(a.der));
  }
}

TEST_CASE("the JSON members have the forms of FACTS §8.2") {
  auto request = parsed(esipa::request_to_json(requests()[0]));
  CHECK(request["euiccChallenge"] == to_base64(repeat(0x42, 16)));
  CHECK(request["smdpAddress"] == "smdp.example.com");
  CHECK(request["euiccInfo1"] == to_base64(euicc_info1()));
  CHECK(request["eimTransactionId"] == "A1B2C3D4");

  auto poll = parsed(esipa::request_to_json(requests()[8]));
  CHECK(poll == json{{"eidValue", "89049032123451234512345678901235"},
                     {"notifyStateChange", true},
                     {"stateChangeCause", 6},
                     {"rPlmn", "YvIQ"}});

  auto cancel = parsed(esipa::request_to_json(requests()[4]));
  CHECK(cancel["cancelSessionResponse"] == to_base64(cancel_session_response()));  // the eUICC's BF41, not the A1

  auto notification = parsed(esipa::request_to_json(requests()[5]));
  CHECK(notification == json{{"pendingNotification", to_base64(profile_installation_result())}});
  auto result_as_notification = parsed(esipa::request_to_json(requests()[7]));
  CHECK(result_as_notification == json{{"provideEimPackageResult", to_base64(requests()[10])}});

  auto result = parsed(esipa::request_to_json(requests()[10]));
  CHECK(result == json{{"eidValue", "89049032123451234512345678901235"},
                       {"eimPackageResult", to_base64(euicc_package_result())}});

  auto ok = parsed(esipa::response_to_json(Function::initiate_authentication, initiate_authentication_ok(true)));
  CHECK(ok["transactionId"] == "0123456789ABCDEF0123456789ABCDEF");
  CHECK(ok["serverSignature1"] == to_base64(kSignature));  // the whole 5F37 TLV, as ES9+
  CHECK(ok["euiccCiPKIdentifierToBeUsed"] == to_base64(tl(0x04, {repeat(0xAA, 20)})));
  CHECK(ok["matchingId"] == "MATCHING-1");
  CHECK(ok["ctxParams1"] == to_base64(tl(0xA2, {ctx_params1()})));

  auto nothing = parsed(esipa::response_to_json(Function::get_eim_package, hex("BF4F03020101")));
  CHECK(nothing == json::parse(success({{"eimPackageError", 1}})));
  auto unknown_eid = parsed(esipa::response_to_json(Function::get_eim_package, hex("BF4F03020102")));
  CHECK(unknown_eid["header"]["functionExecutionStatus"]["status"] == "Failed");
  CHECK(unknown_eid["header"]["functionExecutionStatus"]["statusCodeData"]["subjectCode"] == "8.1.1");
  CHECK(unknown_eid["header"]["functionExecutionStatus"]["statusCodeData"]["reasonCode"] == "3.9");
  CHECK_FALSE(unknown_eid.contains("eimPackageError"));

  auto empty = parsed(esipa::response_to_json(Function::provide_eim_package_result, hex("BF50023000")));
  CHECK(empty == json::parse(success()));
  auto cancelled = parsed(esipa::response_to_json(Function::cancel_session, hex("BF4102A000")));
  CHECK(cancelled == json::parse(success()));
  auto ppr = parsed(esipa::response_to_json(Function::authenticate_client, error(0xBF3B, 0x82, 50)));
  CHECK(ppr["header"]["functionExecutionStatus"]["statusCodeData"]["subjectCode"] == "8.2.8");
  CHECK(ppr["header"]["functionExecutionStatus"]["statusCodeData"]["reasonCode"] == "1.2");

  // handleNotification has no answer: an empty body (HTTP 204)
  CHECK(esipa::response_to_json(Function::handle_notification, {}).value().empty());
}

TEST_CASE("hand-written JSON of a third-party IPA translates to the expected DER") {
  auto poll = esipa::request_from_json(Function::get_eim_package,
                                       R"({"eidValue":"89049032123451234512345678901235","notifyStateChange":true,)"
                                       R"("stateChangeCause":6,"rPlmn":"YvIQ"})");
  REQUIRE(poll);
  CHECK(*poll == tl(0xBF4F, {tl(0x5A, {kEid}), hex("8000 810106 820362F210")}));
  // notifyStateChange false is the member left out
  CHECK(esipa::request_from_json(Function::get_eim_package,
                                 R"({"eidValue":"89049032123451234512345678901235","notifyStateChange":false})")
            .value() == tl(0xBF4F, {tl(0x5A, {kEid})}));

  // eimPackageResult: the bare EimPackageResult, or a whole BF50
  Bytes with_eid = provide_eim_package_result(euicc_package_result());
  Bytes without_eid = provide_eim_package_result(euicc_package_result(), false);
  json bare = {{"eidValue", "89049032123451234512345678901235"},
               {"eimPackageResult", to_base64(euicc_package_result())}};
  CHECK(esipa::request_from_json(Function::provide_eim_package_result, bare.dump()).value() == with_eid);
  json whole = {{"eimPackageResult", to_base64(with_eid)}};
  CHECK(esipa::request_from_json(Function::provide_eim_package_result, whole.dump()).value() == with_eid);
  json whole_without_eid = {{"eimPackageResult", to_base64(without_eid)}};
  CHECK(esipa::request_from_json(Function::provide_eim_package_result, whole_without_eid.dump()).value() ==
        without_eid);
  whole_without_eid["eidValue"] = "89049032123451234512345678901235";
  CHECK(esipa::request_from_json(Function::provide_eim_package_result, whole_without_eid.dump()).value() == with_eid);
  whole["eidValue"] = "89049032123451234512345678901335";
  refused(esipa::request_from_json(Function::provide_eim_package_result, whole.dump()), "eidValue differs");

  // lower-case hex is read as well
  json cancel = {{"transactionId", "0123456789abcdef0123456789abcdef"},
                 {"cancelSessionResponse", to_base64(cancel_session_response())}};
  CHECK(esipa::request_from_json(Function::cancel_session, cancel.dump()).value() == requests()[4]);
}

TEST_CASE("hand-written eIM answers: both error forms of getEimPackage, signatures with and without 5F37") {
  auto gep = [](const std::string& body) {
    return to_hex(esipa::response_from_json(Function::get_eim_package, body).value());
  };
  CHECK(gep(success({{"eimPackageError", 1}})) == "BF4F03020101");
  CHECK(gep(failed("8.1.1", "3.7")) == "BF4F03020101");
  CHECK(gep(failed("8.1.1", "3.9")) == "BF4F03020102");
  CHECK(gep(failed("8.1.1", "2.1")) == "BF4F03020103");
  CHECK(gep(failed("8.1.1", "2.2")) == "BF4F03020104");
  CHECK(gep(failed("8.1", "6.1")) == "BF4F0302017F");
  CHECK(gep(R"({"header":{"functionExecutionStatus":{"status":"Failed"}}})") == "BF4F0302017F");
  CHECK(gep(success({{"eimPackageError", 2}})) == "BF4F03020102");
  CHECK(gep(success({{"euiccPackageRequest", to_base64(euicc_package_request())}})) ==
        to_hex(tl(0xBF4F, {euicc_package_request()})));
  // A failed answer's members are not read.
  json failed_with_member = json::parse(failed("8.1.1", "3.9"));
  failed_with_member["euiccPackageRequest"] = to_base64(euicc_package_request());
  CHECK(gep(failed_with_member.dump()) == "BF4F03020102");

  auto pepr = [](const std::string& body) {
    return to_hex(esipa::response_from_json(Function::provide_eim_package_result, body).value());
  };
  CHECK(pepr(success()) == "BF50023000");
  CHECK(pepr(success({{"eimAcknowledgements", to_base64(hex("BF5303800101"))}})) == "BF5006BF5303800101");
  CHECK(pepr(failed("8.1.1", "2.2")) == "BF5003020104");
  CHECK(pepr(failed("8.1.1", "3.7")) == "BF500302017F");

  CHECK(to_hex(esipa::response_from_json(Function::initiate_authentication, failed("8.31.2", "3.10")).value()) ==
        "BF3903810134");
  CHECK(to_hex(esipa::response_from_json(Function::initiate_authentication, failed("8.9.4", "3.7")).value()) ==
        "BF3903810103");
  CHECK(to_hex(esipa::response_from_json(Function::get_bound_profile_package, failed("8.2.9", "3.11")).value()) ==
        "BF3A03810132");
  CHECK(to_hex(esipa::response_from_json(Function::cancel_session, failed("9.9", "9.9")).value()) == "BF410381017F");

  Bytes expected = initiate_authentication_ok(false);
  json ia = {{"serverSigned1", to_base64(server_signed1())},
             {"serverSignature1", to_base64(kSignature)},
             {"euiccCiPKIdentifierToBeUsed", to_base64(tl(0x04, {repeat(0xAA, 20)}))},
             {"serverCertificate", to_base64(certificate())}};
  CHECK(esipa::response_from_json(Function::initiate_authentication, success(ia)).value() == expected);
  ia["serverSignature1"] = to_base64(repeat(0x33, 64));
  CHECK(esipa::response_from_json(Function::initiate_authentication, success(ia)).value() == expected);
  ia["serverSignature1"] = to_base64(repeat(0x33, 63));
  refused(esipa::response_from_json(Function::initiate_authentication, success(ia)), "serverSignature1");

  json ac = {{"smdpSigned2", to_base64(smdp_signed2())},
             {"smdpSignature2", to_base64(repeat(0x33, 64))},
             {"smdpCertificate", to_base64(certificate())}};
  CHECK(esipa::response_from_json(Function::authenticate_client, success(ac)).value() == authenticate_client_ok(false));
  ac["smdpSignature2"] = to_base64(kSignature);
  CHECK(esipa::response_from_json(Function::authenticate_client, success(ac)).value() == authenticate_client_ok(false));

  // ctxParams1: the bare CtxParams1 is wrapped in its explicit [2]
  json ctx = {{"transactionId", "0123456789ABCDEF0123456789ABCDEF"},
              {"serverSigned1", to_base64(server_signed1())},
              {"serverSignature1", to_base64(kSignature)},
              {"euiccCiPKIdentifierToBeUsed", to_base64(tl(0x04, {repeat(0xAA, 20)}))},
              {"serverCertificate", to_base64(certificate())},
              {"matchingId", "MATCHING-1"},
              {"ctxParams1", to_base64(ctx_params1())}};
  CHECK(esipa::response_from_json(Function::initiate_authentication, success(ctx)).value() ==
        initiate_authentication_ok(true));

  // handleNotification: 204 without a body, or a body saying Executed-Success; Failed is an error
  CHECK(esipa::response_from_json(Function::handle_notification, "").value().empty());
  CHECK(esipa::response_from_json(Function::handle_notification, success()).value().empty());
  refused(esipa::response_from_json(Function::handle_notification, failed("8.1", "6.1")), "Failed 8.1/6.1");
}

TEST_CASE("refusals say what is wrong") {
  const auto gep = Function::get_eim_package;
  const std::string eid = R"("eidValue":"89049032123451234512345678901235")";
  refused(esipa::request_from_json(gep, "{"), "not JSON");
  refused(esipa::request_from_json(gep, "eidValue"), "not JSON");
  refused(esipa::request_from_json(gep, "[1,2]"), "not a JSON object");
  refused(esipa::request_from_json(gep, R"("x")"), "not a JSON object");
  refused(esipa::request_from_json(gep, R"({"eidValue":89049032})"), "eidValue is not a string");
  refused(esipa::request_from_json(gep, R"({"eidValue":"8904903212345123451234567890123"})"),
          "eidValue is not 32 hex digits");
  refused(esipa::request_from_json(gep, R"({"eidValue":"8904903212345123451234567890123Z"})"),
          "eidValue is not 32 hex digits");
  refused(esipa::request_from_json(gep, "{" + eid + R"(,"notifyStateChange":"yes"})"),
          "notifyStateChange is not a boolean");
  refused(esipa::request_from_json(gep, "{" + eid + R"(,"stateChangeCause":"6"})"),
          "stateChangeCause is not an integer");
  refused(esipa::request_from_json(gep, "{" + eid + R"(,"stateChangeCause":-1})"), "stateChangeCause is out of range");
  refused(esipa::request_from_json(gep, "{" + eid + R"(,"rPlmn":"YvIQAA=="})"), "rPlmn is not 3 bytes");
  // A getEimPackage without eidValue, whatever else it carries, is the eIM's missingEid to answer:
  // the empty BF4F.
  CHECK(esipa::request_from_json(gep, "{}").value() == Bytes{0xBF, 0x4F, 0x00});
  CHECK(esipa::request_from_json(gep, R"({"notifyStateChange":true})").value() == Bytes{0xBF, 0x4F, 0x00});
  refused(esipa::request_from_json(Function::authenticate_client, R"({"transactionId":"0G"})"),
          "transactionId is not 2 to 32 hex digits");
  refused(esipa::request_from_json(Function::authenticate_client, R"({"transactionId":"012"})"), "transactionId");
  refused(esipa::request_from_json(Function::authenticate_client,
                                   R"({"transactionId":"01","authenticateServerResponse":"***"})"),
          "authenticateServerResponse is not base64");
  refused(esipa::request_from_json(Function::provide_eim_package_result, R"({"eimPackageResult":"!!!!"})"),
          "eimPackageResult is not base64");
  refused(esipa::request_from_json(Function::handle_notification, "{}"), "none of the alternatives");
  json both = {{"pendingNotification", to_base64(profile_installation_result())},
               {"provideEimPackageResult", to_base64(provide_eim_package_result(euicc_package_result()))}};
  refused(esipa::request_from_json(Function::handle_notification, both.dump()), "two alternatives at once");

  // DER members that fail the schema
  refused(esipa::request_from_json(Function::provide_eim_package_result,
                                   json{{"eimPackageResult", to_base64(hex("BF5105A0038001FF"))}}.dump()),
          "member eimPackageResult");
  refused(esipa::response_from_json(gep, success({{"euiccPackageRequest", to_base64(hex("BF5103800141"))}})),
          "member euiccPackageRequest: EuiccPackageRequest");
  refused(esipa::response_from_json(gep, success({{"euiccPackageRequest", to_base64(ipa_euicc_data_request())}})),
          "member euiccPackageRequest");
  refused(esipa::response_from_json(gep, success({{"ipaEuiccDataRequest", to_base64(hex("BF5205"))}})),
          "member ipaEuiccDataRequest is not one DER TLV");
  json not_a_certificate = {{"serverSigned1", to_base64(server_signed1())},
                            {"serverSignature1", to_base64(kSignature)},
                            {"euiccCiPKIdentifierToBeUsed", to_base64(tl(0x04, {repeat(0xAA, 20)}))},
                            {"serverCertificate", to_base64(server_signed1())}};
  refused(esipa::response_from_json(Function::initiate_authentication, success(not_a_certificate)),
          "member serverCertificate");

  // the answers' own rules
  refused(esipa::response_from_json(gep, R"({"eimPackageError":1})"), "header is missing");
  refused(esipa::response_from_json(gep, R"({"header":{"functionExecutionStatus":{"status":"Done"}}})"), "unknown");
  refused(esipa::response_from_json(
              gep, R"({"header":{"functionExecutionStatus":{"status":"Failed","statusCodeData":[]}}})"),
          "statusCodeData is not an object");
  refused(esipa::response_from_json(gep, success()), "none of the alternatives");
  refused(esipa::response_from_json(
              gep, success({{"eimPackageError", 1},
                            {"profileDownloadTriggerRequest", to_base64(profile_download_trigger())}})),
          "two alternatives at once");
  refused(esipa::response_from_json(Function::authenticate_client, success({{"transactionId", "01"}})),
          "mandatory member smdpSigned2 is missing");
  refused(esipa::response_from_json(Function::authenticate_client,
                                    success({{"profileDownloadTrigger", to_base64(profile_download_trigger())}})),
          "SM-DS arm");

  // bounds: 2 MiB and 100 levels are refused before anything is built
  std::string big = "{\"eidValue\":\"" + std::string(2 * 1024 * 1024, 'A') + "\"}";
  refused(esipa::request_from_json(gep, big), "more than the 1048576 accepted");
  refused(esipa::response_from_json(gep, big), "more than the 1048576 accepted");
  std::string deep = "{\"eidValue\":" + std::string(100, '[') + std::string(100, ']') + "}";
  uint64_t counted = refusal_count(Refusal::json);
  refused(esipa::request_from_json(gep, deep), "nested deeper than");
  CHECK(refusal_count(Refusal::json) == counted + 1);  // a request the eIM received: in its /metrics
  std::string deep_objects;
  for (int i = 0; i < 100; ++i) deep_objects += "{\"a\":";
  deep_objects += "1" + std::string(100, '}');
  refused(esipa::response_from_json(gep, deep_objects), "nested deeper than");
  CHECK(refusal_count(Refusal::json) == counted + 1);  // an answer the IPA read: no listener's refusal
}

TEST_CASE("DER that is not a valid message of the function is refused") {
  refused(esipa::request_to_json(hex("BF4E03020101")), "not an ESipa request");
  refused(esipa::request_to_json(hex("0102")), "not an ESipa request");
  refused(esipa::request_to_json(hex("BF4F125A1089049032")), "getEimPackage request is not one DER TLV");
  refused(esipa::request_to_json(hex("BF4F03800100")), "getEimPackage request: ");  // no EID: fails the schema
  Bytes trailing = concat({requests()[9], hex("00")});
  refused(esipa::request_to_json(trailing), "bytes follow");
  Bytes huge = tl(0xBF3D, {tl(0xA0, {tl(0x30, {tl(0x04, {repeat(0, 1024 * 1024)})})})});
  refused(esipa::request_to_json(huge), "more than the 1048576 accepted");

  refused(esipa::response_to_json(Function::get_eim_package, hex("BF50023000")), "is not this function's");
  refused(esipa::response_to_json(Function::get_eim_package, hex("BF4F03040101")), "getEimPackage answer: ");
  refused(esipa::response_to_json(Function::handle_notification, hex("BF50023000")), "has no answer message");
  Bytes ds = tl(0xBF3B, {tl(0xA1, {tl(0x80, {kTransactionId}), profile_download_trigger()})});
  require_schema(asn_DEF_EsipaMessageFromEimToIpa, ds);
  refused(esipa::response_to_json(Function::authenticate_client, ds), "SM-DS arm");
}
