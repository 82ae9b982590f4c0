// The SM-DP+ role's ES9+ cases (SGP.22 v2.5 §5.6): the harness is the IPA and, in-process, the eUICC.
// Error codes are the subject/reason pairs of SGP.22 v2.5 §5.6 (FACTS.md §2, §2a.4).
#include <algorithm>

#include "auth_steps.hpp"
#include "case.hpp"
#include "ipa/download.hpp"
#include "ipa/es10b.hpp"
#include "rsp/tlv.hpp"
#include "smdp_session.hpp"
#include "smdp_target.hpp"

namespace conformance {
namespace {

using ipa::Bytes;
using ipa::ByteView;
namespace es10b = ipa::es10b;

// The 20-byte SKIs ('04' TLVs, whole) of one of EUICCInfo1's lists ([9] verification, [10] signing).
std::vector<Bytes> ci_list(ByteView info1, rsp::tlv::Tag list_tag) {
  std::vector<Bytes> out;
  auto outer = rsp::tlv::read(info1);
  if (!outer) return out;
  auto list = rsp::tlv::find(outer->value, list_tag);
  if (!list) return out;
  if (auto items = rsp::tlv::read_all(list->value))
    for (const auto& item : *items) out.emplace_back(item.whole.begin(), item.whole.end());
  return out;
}

// SGP.22 v2.5 §5.6.1 ES9+.InitiateAuthentication
Outcome initiate_nominal(SmdpTarget& target) {
  auto s = open_session(target);
  if (!s) return fail(s.error().message);
  auto answer = s->client->initiate_authentication(s->request);
  if (!answer) return fail("expected success, got " + answer.error().describe());
  auto signed1 = rsp::tlv::read(answer->server_signed1);
  auto address = signed1 ? rsp::tlv::find(signed1->value, 0x83) : std::nullopt;
  std::string named = address ? std::string(address->value.begin(), address->value.end()) : "(none)";
  if (named != target.address)
    return fail("serverSigned1.serverAddress: expected " + target.address + ", got " + named);
  auto transaction = signed1 ? rsp::tlv::find(signed1->value, 0x80) : std::nullopt;
  if (!transaction || !std::ranges::equal(transaction->value, answer->transaction_id))
    return fail("serverSigned1.transactionId differs from the transactionId returned");
  auto verification = ci_list(s->request.euicc_info1, 0xA9);
  if (std::ranges::find(verification, answer->euicc_ci_pkid_to_be_used) == verification.end())
    return fail("euiccCiPKIdToBeUsed is not in the eUICC's euiccCiPKIdListForVerification");
  // The eUICC checks CERT.DPauth's chain to that CI, serverSignature1, the challenge and the CI choice.
  auto checked = es10b::authenticate_server(s->euicc->channel(), server_input(*answer, std::nullopt));
  if (!checked) return fail("the eUICC could not process the answer: " + checked.error().message);
  if (!checked->ok())
    return fail("the eUICC refused serverSigned1 / serverSignature1 / CERT.DPauth: AuthenticateErrorCode " +
                std::to_string(*checked->error_code));
  return pass();
}

Outcome initiate_unsupported_ci(SmdpTarget& target) {
  auto s = open_session(target);
  if (!s) return fail(s.error().message);
  s->request.euicc_info1 = info1_with_unknown_ci();
  return expect_codes(s->client->initiate_authentication(s->request), {{"8.8.2", "3.1"}});
}

// Another SM-DP+'s address in smdpAddress.
Outcome initiate_wrong_address(SmdpTarget& target) {
  auto s = open_session(target);
  if (!s) return fail(s.error().message);
  s->request.smdp_address = "other-smdp.invalid";
  return expect_codes(s->client->initiate_authentication(s->request), {{"8.8.1", "3.8"}});
}

Outcome initiate_malformed_info1(SmdpTarget& target) {
  auto s = open_session(target);
  if (!s) return fail(s.error().message);
  s->request.euicc_info1 = Bytes{0xBF, 0x20, 0x05, 0x82, 0x09, 0x02};  // the length overruns
  auto answer = s->client->initiate_authentication(s->request);
  // The spec names no code for an undecodable euiccInfo1: any Failed answer (or an HTTP 4xx in
  // the JSON binding's reading of a bad request) conforms, success does not.
  if (answer) return fail("expected a Failed functionExecutionStatus, got success");
  const auto& e = answer.error();
  if (e.is_function() && e.status == "Failed")
    return pass(e.subject_code.empty() ? e.describe() : e.subject_code + "/" + e.reason_code);
  if (e.kind == ipa::Es9Error::Kind::protocol && e.http_status >= 400 && e.http_status < 500)
    return pass("HTTP " + std::to_string(e.http_status));
  return fail("expected a Failed functionExecutionStatus, got " + e.describe());
}

// SGP.22 v2.5 §5.6.3 ES9+.AuthenticateClient
Outcome authenticate_unknown_transaction(SmdpTarget& target) {
  auto a = authenticate(target, std::nullopt);
  if (!a) return fail(a.error().message);
  Bytes unknown = a->transaction_id;
  for (auto& b : unknown) b ^= 0xA5;
  return expect_codes(a->session.client->authenticate_client(unknown, a->response), {{"8.10.1", "3.9"}});
}

Outcome authenticate_altered_signature(SmdpTarget& target) {
  auto a = authenticate(target, std::nullopt);
  if (!a) return fail(a.error().message);
  Bytes altered = with_altered_euicc_signature1(a->response);
  if (altered.empty()) return fail("the harness eUICC's answer has no euiccSignature1");
  return expect_codes(a->session.client->authenticate_client(a->transaction_id, altered), {{"8.1", "6.1"}});
}

Outcome authenticate_unknown_matching_id(SmdpTarget& target) {
  auto a = authenticate(target, std::string("CONFORMANCE-UNKNOWN-MATCHING-ID"));
  if (!a) return fail(a.error().message);
  return expect_codes(a->session.client->authenticate_client(a->transaction_id, a->response), {{"8.2.6", "3.8"}});
}

// The whole download on an order of the case's own: SGP.22 v2.5 §5.6.1-§5.6.4, ES9+ from
// initiateAuthentication to handleNotification, the eUICC installing the BPP.
Outcome download_nominal(SmdpTarget& target) {
  if (!target.operator_es2) return not_applicable(kNeedsOrder);
  auto euicc = target.new_euicc();
  if (!euicc) return fail(euicc.error().message);
  auto matching_id = place_order(*target.operator_es2, (*euicc)->eid());
  if (!matching_id) return fail("could not place the order: " + matching_id.error().message);
  ipa::DownloadRequest request;
  request.activation_code.smdp_address = target.address;
  request.activation_code.matching_id = *matching_id;
  ipa::DownloadOptions options;
  options.es9 = target.options;
  auto result = ipa::download_profile((*euicc)->channel(), request, options);
  if (!result.success) return fail("expected the profile installed, got " + result.line());
  if (!result.notification_sent) return fail("handleNotification: the installation result did not reach the SM-DP+");
  return pass("installed " + result.iccid);
}

}  // namespace

std::vector<Case> smdp_es9_cases() {
  return {
      smdp_case("ES9p.InitiateAuthentication.Nominal", "SGP.22 v2.5 §5.6.1",
                "initiateAuthentication with the harness eUICC's EUICCInfo1 and challenge",
                "serverSigned1 names the address called and the transactionId returned; euiccCiPKIdToBeUsed is in the "
                "verification list; the eUICC accepts CERT.DPauth (chained to the CI) and serverSignature1",
                initiate_nominal),
      smdp_case("ES9p.InitiateAuthentication.UnsupportedCiPKId", "SGP.22 v2.5 §5.6.1",
                "initiateAuthentication with EUICCInfo1 naming only an unknown CI", "Failed 8.8.2/3.1",
                initiate_unsupported_ci),
      smdp_case("ES9p.InitiateAuthentication.WrongSmdpAddress", "SGP.22 v2.5 §5.6.1",
                "initiateAuthentication naming another SM-DP+ (smdpAddress other-smdp.invalid)", "Failed 8.8.1/3.8",
                initiate_wrong_address),
      smdp_case("ES9p.InitiateAuthentication.MalformedEuiccInfo1", "SGP.22 v2.5 §5.6.1",
                "initiateAuthentication with a truncated EUICCInfo1", "Failed (any code) or an HTTP 4xx; never success",
                initiate_malformed_info1),
      smdp_case("ES9p.AuthenticateClient.UnknownTransactionId", "SGP.22 v2.5 §5.6.3",
                "authenticateClient with a valid AuthenticateServerResponse under a transactionId never issued",
                "Failed 8.10.1/3.9", authenticate_unknown_transaction),
      smdp_case("ES9p.AuthenticateClient.AlteredEuiccSignature1", "SGP.22 v2.5 §5.6.3",
                "authenticateClient with euiccSignature1's last byte flipped", "Failed 8.1/6.1",
                authenticate_altered_signature),
      smdp_case("ES9p.AuthenticateClient.UnknownMatchingId", "SGP.22 v2.5 §5.6.3",
                "authenticateClient whose ctxParams1 carries a matchingId no order has", "Failed 8.2.6/3.8",
                authenticate_unknown_matching_id),
      smdp_case(
          "ES9p.ProfileDownload.Nominal", "SGP.22 v2.5 §5.6.1-§5.6.4",
          "ES2+ downloadOrder/confirmOrder as the operator, then initiateAuthentication, authenticateClient, "
          "getBoundProfilePackage (the eUICC installs the BPP) and handleNotification with its ProfileInstallationResult",
          "every step succeeds and the profile is installed; n/a without operator credentials", download_nominal),
  };
}

}  // namespace conformance
