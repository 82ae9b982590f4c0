#pragma once
// The LPA's part of a download over HTTPS with the ES9+ JSON binding (SGP.22 v2.5 §6.5), played
// with a software eUICC: ES10b on the card, ES9+ to the SM-DP+. Every ES9+ step names the base URL
// it goes to (".../gsma/rsp2/es9plus/"), so one download can move between SM-DP+ instances.
// No Catch assertions in here: the steps also run on threads of their own. Each returns the
// SM-DP+'s answer (a refusal is an answer: see status_of / codes_of) or why there is none.
#include <nlohmann/json.hpp>

#include "euicc/euicc.hpp"
#include "rsp/bound_profile_package.hpp"
#include "rsp/http/client.hpp"
#include "rsp/tlv.hpp"

namespace smdp::test {

using nlohmann::json;

// "Executed-Success", "Failed", ... ("" when the answer has no header).
inline std::string status_of(const json& response) {
  const json* status = nullptr;
  if (response.contains("header") && response["header"].contains("functionExecutionStatus"))
    status = &response["header"]["functionExecutionStatus"];
  return status && status->contains("status") ? status->value("status", "") : "";
}

// "subject/reason" of a refusal, e.g. "8.1.1/3.8" ("" when there is none).
inline std::string codes_of(const json& response) {
  if (status_of(response).empty()) return "";
  const json& status = response["header"]["functionExecutionStatus"];
  if (!status.contains("statusCodeData")) return "";
  const json& data = status["statusCodeData"];
  return data.value("subjectCode", "") + "/" + data.value("reasonCode", "");
}

// POST `body` to `url` with the JSON binding's headers. The answer's JSON (null for an empty body),
// or an error when the transport fails, the HTTP status is not `expected_status`, or a body comes
// without the SM-DP+'s X-Admin-Protocol.
inline rsp::Expected<json> post_json(const rsp::http::Client& client, const std::string& url, const json& body,
                                     int expected_status = 200) {
  rsp::http::Headers headers{{"Content-Type", "application/json"}, {"X-Admin-Protocol", "gsma/rsp/v2.2.2"}};
  auto r = client.post(url, body.dump(), headers);
  if (!r) return rsp::fail(url + ": " + r.error().message);
  if (r->status != expected_status) return rsp::fail(url + ": HTTP " + std::to_string(r->status) + " " + r->body);
  if (r->body.empty()) return json();
  if (r->headers.get("X-Admin-Protocol") != std::optional<std::string_view>("gsma/rsp/v2.5.0"))
    return rsp::fail(url + ": no X-Admin-Protocol gsma/rsp/v2.5.0 in the answer");
  auto parsed = json::parse(r->body, nullptr, false);
  if (parsed.is_discarded()) return rsp::fail(url + ": not JSON: " + r->body);
  return parsed;
}

class Es9HttpLpa {
 public:
  Es9HttpLpa(const rsp::http::Client& client, euicc::Euicc& card, std::string smdp_address)
      : client_(client), card_(card), smdp_address_(std::move(smdp_address)) {}

  // ES10b.GetEUICCInfo1 and GetEUICCChallenge, then ES9+.InitiateAuthentication (§5.6.1).
  rsp::Expected<json> initiate_authentication(const std::string& es9) {
    auto info1 = es10(rsp::Bytes{0xBF, 0x20, 0x00});
    auto challenge_response = es10(rsp::Bytes{0xBF, 0x2E, 0x00});
    if (!info1 || !challenge_response) return rsp::fail("the card does not answer GetEUICCInfo1 / GetEUICCChallenge");
    auto outer = rsp::tlv::read(*challenge_response);
    auto challenge = outer ? rsp::tlv::find(outer->value, 0x80) : std::nullopt;
    if (!challenge) return rsp::fail("no euiccChallenge in " + rsp::to_hex(*challenge_response));
    auto answer =
        call(es9, "initiateAuthentication",
             {{"smdpAddress", smdp_address_},
              {"euiccChallenge", rsp::to_base64(rsp::Bytes(challenge->value.begin(), challenge->value.end()))},
              {"euiccInfo1", rsp::to_base64(*info1)}});
    if (answer) initiated_ = *answer;
    return answer;
  }

  // ES10b.AuthenticateServer with ctxParams1 naming `matching_id`, then ES9+.AuthenticateClient (§5.6.2).
  rsp::Expected<json> authenticate_client(const std::string& es9, const std::string& matching_id) {
    using rsp::tlv::encode;
    auto fields =
        fields_of(initiated_, {"serverSigned1", "serverSignature1", "euiccCiPKIdToBeUsed", "serverCertificate"});
    if (!fields) return rsp::Unexpected{fields.error()};
    rsp::Bytes ctx = encode(
        0xA0,
        rsp::concat({encode(0x80, rsp::to_bytes(matching_id)),
                     encode(0xA1, rsp::concat({encode(0x80, rsp::Bytes{1, 2, 3, 4}), encode(0xA1, rsp::Bytes{})}))}));
    auto response = es10(encode(0xBF38, rsp::concat({*fields, ctx})));
    if (!response) return rsp::Unexpected{response.error()};
    auto answer =
        call(es9, "authenticateClient",
             {{"transactionId", transaction_id()}, {"authenticateServerResponse", rsp::to_base64(*response)}});
    if (answer) authenticated_ = *answer;
    return answer;
  }

  // ES10b.PrepareDownload, then ES9+.GetBoundProfilePackage (§5.6.3).
  rsp::Expected<json> get_bound_profile_package(const std::string& es9) {
    auto fields = fields_of(authenticated_, {"smdpSigned2", "smdpSignature2", "smdpCertificate"});
    if (!fields) return rsp::Unexpected{fields.error()};
    auto prepared = es10(rsp::tlv::encode(0xBF21, *fields));
    if (!prepared) return rsp::Unexpected{prepared.error()};
    return call(es9, "getBoundProfilePackage",
                {{"transactionId", transaction_id()}, {"prepareDownloadResponse", rsp::to_base64(*prepared)}});
  }

  // ES10b.LoadBoundProfilePackage segment by segment; the card's ProfileInstallationResult (BF37).
  rsp::Expected<rsp::Bytes> load_bound_profile_package(const json& package) {
    auto bpp = fields_of(package, {"boundProfilePackage"});
    if (!bpp) return rsp::Unexpected{bpp.error()};
    auto commands = rsp::bpp::split_for_loading(*bpp);
    if (!commands) return rsp::fail("the package does not split: " + commands.error().message);
    rsp::Bytes last;
    for (const auto& command : *commands) {
      auto answer = es10(command);
      if (!answer) return answer;
      last = std::move(*answer);
      if (!last.empty()) break;  // the result: at the end, or early when the card refuses the profile
    }
    return last;
  }

  // ES9+.HandleNotification (§5.6.4): 204 whatever the SM-DP+ made of it.
  rsp::Status<> handle_notification(const std::string& es9, const rsp::Bytes& pending_notification) {
    auto answer = post_json(client_, es9 + "handleNotification",
                            {{"pendingNotification", rsp::to_base64(pending_notification)}}, 204);
    if (!answer) return rsp::Unexpected{answer.error()};
    return rsp::Ok{};
  }

  // After initiate_authentication: the rest of the download as far as it goes, each ES9+ step to
  // its own base URL, up to the installation result the card signs (handleNotification is the
  // caller's). A refusal leaves `codes` ("subject/reason") and `failure` set; any other failure
  // only `failure`.
  struct Outcome {
    rsp::Bytes installation_result;
    std::string codes, failure;
  };
  Outcome finish_download(const std::string& authenticate_at, const std::string& package_at,
                          const std::string& matching_id) {
    auto refused = [](const char* step, const rsp::Expected<json>& answer) -> std::optional<Outcome> {
      if (!answer) return Outcome{{}, "", std::string(step) + ": " + answer.error().message};
      if (status_of(*answer) == "Executed-Success") return std::nullopt;
      return Outcome{{}, codes_of(*answer), std::string(step) + ": " + answer->dump()};
    };
    auto authenticated = authenticate_client(authenticate_at, matching_id);
    if (auto r = refused("authenticateClient", authenticated)) return *r;
    auto package = get_bound_profile_package(package_at);
    if (auto r = refused("getBoundProfilePackage", package)) return *r;
    auto result = load_bound_profile_package(*package);
    if (!result) return {{}, "", "loading: " + result.error().message};
    return {std::move(*result), "", ""};
  }

  std::string transaction_id() const { return initiated_.value("transactionId", ""); }

 private:
  rsp::Expected<json> call(const std::string& es9, const std::string& function, const json& body) {
    return post_json(client_, es9 + function, body);
  }
  rsp::Expected<rsp::Bytes> es10(const rsp::Bytes& command) {
    auto r = card_.isdr().store_data(command);
    if (!r)
      return rsp::fail("the card answers " + rsp::to_hex(rsp::Bytes{uint8_t(r.error() >> 8), uint8_t(r.error())}) +
                       " to " + rsp::to_hex(command).substr(0, 8) + "...");
    return *r;
  }
  // The named base64 fields of an answer, decoded, one after the other.
  static rsp::Expected<rsp::Bytes> fields_of(const json& answer, std::initializer_list<const char*> names) {
    rsp::Bytes out;
    for (const char* name : names) {
      auto field = answer.is_object() && answer.contains(name) && answer[name].is_string()
                       ? rsp::from_base64(answer[name].get<std::string>())
                       : std::nullopt;
      if (!field) return rsp::fail(std::string("no ") + name + " in the previous answer: " + answer.dump());
      out.insert(out.end(), field->begin(), field->end());
    }
    return out;
  }

  const rsp::http::Client& client_;
  euicc::Euicc& card_;
  std::string smdp_address_;
  json initiated_, authenticated_;
};

}  // namespace smdp::test
