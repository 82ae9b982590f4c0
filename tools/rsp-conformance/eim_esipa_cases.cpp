// The eIM role's ESipa cases: GetEimPackage requests the eIM cannot serve, each answered with its
// eimPackageError (ASN.1 binding) or the Failed status FACTS §8 maps to it (JSON binding).
#include <nlohmann/json.hpp>

#include "eim_device.hpp"
#include "eim_run.hpp"
#include "ipa/esipa_messages.hpp"
#include "rsp/eid.hpp"
#include "rsp/esipa/esipa_json.hpp"
#include "rsp/esipa/status_codes.hpp"
#include "rsp/tlv.hpp"

namespace conformance {
namespace {

using rsp::Bytes;

// A well-formed EID (check digits right) that no eIM should know: the harness's own range.
std::string unknown_eid() { return rsp::eid::complete("890490329999000000000000000042").value(); }

// The unknown EID with its last check digit changed: 16 bytes, but not an EID.
Bytes bad_check_digits_eid() {
  std::string eid = unknown_eid();
  eid.back() = eid.back() == '9' ? '0' : static_cast<char>(eid.back() + 1);
  return rsp::eid::to_bytes(eid).value();
}

// One GetEimPackage case: the request's eidValue and the eimPackageError it must bring back.
Outcome expect_error(const EimTarget& target, const std::optional<Bytes>& eid, long expected) {
  auto answer = target.get_eim_package(eid);
  if (!answer)
    return fail("expected eimPackageError " + ipa::esipa::eim_package_error_name(expected) + ", got " +
                answer.error().message);
  auto package = ipa::esipa::read_get_eim_package_response(*answer);
  if (!package)
    return fail("expected eimPackageError " + ipa::esipa::eim_package_error_name(expected) +
                ", got an answer that is not a GetEimPackageResponse: " + package.error().message);
  if (package->kind != ipa::esipa::EimPackage::Kind::eim_package_error)
    return fail("expected eimPackageError " + ipa::esipa::eim_package_error_name(expected) + ", got " +
                ipa::esipa::eim_package_kind_name(package->kind));
  if (package->eim_package_error != expected)
    return fail("expected eimPackageError " + ipa::esipa::eim_package_error_name(expected) + ", got " +
                ipa::esipa::eim_package_error_name(package->eim_package_error));
  return pass(ipa::esipa::eim_package_error_name(expected));
}

// SGP.32 v1.2 §6.3.2.1 ESipa.GetEimPackage, a device of the eIM's: a fresh EID registered through
// the owner API (no certificates, so the eIM may first ask for them); each package it has is
// delivered once, then noEimPackageAvailable.
Outcome delivered_once(const EimTarget& target) {
  if (!target.owner) return not_applicable("needs --owner-url, --owner-cert and --owner-key to register a device");
  std::string eid = fresh_eid();
  auto added = target.owner_call("/eim/v1/devices/add", nlohmann::json{{"eid", eid}}.dump());
  if (!added) return not_applicable("the owner API did not register " + eid + ": " + added.error().message);
  std::vector<Bytes> delivered;
  for (int round = 0; round < 5; ++round) {
    auto answer = target.get_eim_package(rsp::eid::to_bytes(eid).value());
    if (!answer)
      return fail("expected a package or noEimPackageAvailable for " + eid + ", got " + answer.error().message);
    auto package = ipa::esipa::read_get_eim_package_response(*answer);
    if (!package) return fail("expected a GetEimPackageResponse, got " + package.error().message);
    if (package->kind == ipa::esipa::EimPackage::Kind::eim_package_error) {
      if (package->eim_package_error != ipa::esipa::kNoEimPackageAvailable)
        return fail("expected noEimPackageAvailable after " + std::to_string(delivered.size()) + " package(s), got " +
                    ipa::esipa::eim_package_error_name(package->eim_package_error));
      return pass(std::to_string(delivered.size()) + " package(s) delivered once each, then noEimPackageAvailable");
    }
    for (const auto& earlier : delivered)
      if (earlier == package->tlv)
        return fail(std::string("expected each package once, got ") + ipa::esipa::eim_package_kind_name(package->kind) +
                    " again");
    delivered.push_back(package->tlv);
  }
  return fail("expected noEimPackageAvailable once the device's packages were delivered, got 5 packages");
}

// SGP.32 v1.2 §6.3.2 ESipa.AuthenticateClient of the indirect profile download, for a transactionId
// no InitiateAuthentication gave: the eIM has no SM-DP+ to relay it to.
Outcome authenticate_unknown_transaction(const EimTarget& target) {
  using rsp::esipa::Function;
  Bytes transaction_id = rsp::random_bytes(16);
  // The eUICC's answer in its error form (authenticateResponseError A1 { 80 transactionId, 02 undefinedError }).
  Bytes response = rsp::tlv::encode(
      0xBF38, rsp::tlv::encode(0xA1, rsp::concat({rsp::tlv::encode(0x80, transaction_id), Bytes{0x02, 0x01, 0x7F}})));
  auto answer = target.call(rsp::tlv::encode(0xBF3B, rsp::concat({rsp::tlv::encode(0x80, transaction_id), response})));
  const std::string wanted =
      "authenticateClientErrorEsipa " + rsp::esipa::error_name(Function::authenticate_client, 10);
  if (!answer) return fail("expected " + wanted + ", got " + answer.error().message);
  auto outer = rsp::tlv::read(*answer);
  auto error = outer && outer->tag == rsp::esipa::message_tag(Function::authenticate_client)
                   ? rsp::tlv::read(outer->value)
                   : rsp::Expected<rsp::tlv::Tlv>(rsp::fail("not BF3B"));
  if (!error || error->tag != rsp::esipa::error_tag(Function::authenticate_client) || error->value.size() != 1)
    return fail("expected " + wanted + ", got " +
                (answer->empty() ? std::string("an empty answer") : rsp::to_hex(*answer).substr(0, 40)));
  if (error->value[0] != 10)
    return fail("expected " + wanted + ", got " +
                rsp::esipa::error_name(Function::authenticate_client, error->value[0]));
  return pass(rsp::esipa::error_name(Function::authenticate_client, 10));
}

Case eim_case(std::string id, std::string sends, std::string expects, std::function<Outcome(EimTarget&)> run) {
  Case c{std::move(id), "eim", "SGP.32 v1.2 §6.3.2.1", std::move(sends), std::move(expects), nullptr};
  c.run_eim = std::move(run);
  return c;
}

}  // namespace

rsp::Expected<Bytes> EimTarget::get_eim_package(const std::optional<Bytes>& eid) const {
  static const rsp::http::Headers asn1_headers = {{"Content-Type", "application/x-gsma-rsp-asn1"},
                                                  {"X-Admin-Protocol", "gsma/rsp/v2.1.0"}};
  static const rsp::http::Headers json_headers = {{"Content-Type", "application/json"},
                                                  {"X-Admin-Protocol", "gsma/rsp/v2.1.0"}};
  rsp::Expected<rsp::http::ClientResponse> response = rsp::fail("not sent");
  if (!json) {
    Bytes der = rsp::tlv::encode(0xBF4F, eid ? rsp::tlv::encode(0x5A, *eid) : Bytes{});
    response = http.post(base_url + "/gsma/rsp2/asn1", std::string(der.begin(), der.end()), asn1_headers);
  } else {
    // The JSON body of a well-formed request, then its eidValue replaced or removed.
    auto body = rsp::esipa::request_to_json(
        rsp::tlv::encode(0xBF4F, rsp::tlv::encode(0x5A, rsp::eid::to_bytes(unknown_eid()).value())));
    if (!body) return rsp::fail("cannot build the JSON request: " + body.error().message);
    auto request = nlohmann::json::parse(*body);
    if (eid)
      request["eidValue"] = rsp::to_hex(*eid);
    else
      request.erase("eidValue");
    response = http.post(base_url + "/gsma/rsp2/esipa/getEimPackage", request.dump(), json_headers);
  }
  if (!response) return rsp::fail("no answer: " + response.error().message);
  if (response->status != 200) return rsp::fail("HTTP " + std::to_string(response->status));
  if (json) return rsp::esipa::response_from_json(rsp::esipa::Function::get_eim_package, response->body);
  return Bytes(response->body.begin(), response->body.end());
}

rsp::Expected<Bytes> EimTarget::call(const Bytes& der) const {
  auto function = rsp::esipa::request_function(der);
  if (!function) return rsp::fail("not an ESipa request");
  rsp::Expected<rsp::http::ClientResponse> response = rsp::fail("not sent");
  if (!json) {
    response = http.post(
        base_url + std::string(rsp::esipa::kAsn1Path), std::string(der.begin(), der.end()),
        {{"Content-Type", std::string(rsp::esipa::kAsn1ContentType)}, {"X-Admin-Protocol", "gsma/rsp/v2.1.0"}});
  } else {
    auto body = rsp::esipa::request_to_json(der);
    if (!body) return rsp::fail("cannot build the JSON request: " + body.error().message);
    response = http.post(
        base_url + std::string(rsp::esipa::kJsonPathPrefix) + std::string(rsp::esipa::function_name(*function)), *body,
        {{"Content-Type", "application/json"}, {"X-Admin-Protocol", "gsma/rsp/v2.1.0"}});
  }
  if (!response) return rsp::fail("no answer: " + response.error().message);
  if (response->status == 204 && *function == rsp::esipa::Function::handle_notification)
    return Bytes{};  // no answer by design
  if (response->status != 200) return rsp::fail("HTTP " + std::to_string(response->status));
  if (json) return rsp::esipa::response_from_json(*function, response->body);
  return Bytes(response->body.begin(), response->body.end());
}

rsp::Expected<std::string> EimTarget::owner_call(const std::string& path, const std::string& body) const {
  if (!owner) return rsp::fail("no owner API given");
  auto r = owner->post(owner_url + path, body, {{"Content-Type", "application/json"}});
  if (!r) return rsp::fail("no answer: " + r.error().message);
  if (r->status != 200) return rsp::fail("HTTP " + std::to_string(r->status) + " " + r->body.substr(0, 200));
  return r->body;
}

// SGP.32 v1.2 §6.3.2.1 ESipa.GetEimPackage
std::vector<Case> eim_esipa_cases() {
  return {
      eim_case("ESipa.GetEimPackage.MissingEid", "GetEimPackageRequest without eidValue",
               "eimPackageError missingEid 4 (JSON: Failed 8.1.1/2.2)",
               [](EimTarget& t) { return expect_error(t, std::nullopt, 4); }),
      eim_case("ESipa.GetEimPackage.InvalidEid", "GetEimPackageRequest whose eidValue has wrong check digits",
               "eimPackageError invalidEid 3 (JSON: Failed 8.1.1/2.1)",
               [](EimTarget& t) { return expect_error(t, bad_check_digits_eid(), 3); }),
      eim_case("ESipa.GetEimPackage.UnknownEid", "GetEimPackageRequest for a well-formed EID the eIM does not manage",
               "eimPackageError eidNotFound 2 (JSON: Failed 8.1.1/3.9)",
               [](EimTarget& t) { return expect_error(t, rsp::eid::to_bytes(unknown_eid()).value(), 2); }),
      eim_case(
          "ESipa.GetEimPackage.DeliveredOnce", "owner API: register a fresh EID; GetEimPackage for it until an error",
          "each queued package delivered once, then eimPackageError noEimPackageAvailable 1 (JSON: Failed 8.1.1/3.7)",
          delivered_once),
      [] {
        Case c = eim_case(
            "ESipa.AuthenticateClient.UnknownTransactionId",
            "indirect profile download: AuthenticateClientRequestEsipa under a transactionId no InitiateAuthentication gave",
            "authenticateClientErrorEsipa invalidTransactionId 10 (JSON: the Failed status mapped to it)",
            [](EimTarget& t) { return authenticate_unknown_transaction(t); });
        c.section = "SGP.32 v1.2 §6.3.2 ESipa.AuthenticateClient";
        return c;
      }(),
  };
}

}  // namespace conformance
