// The SM-DS role's ES11 cases (SGP.22 v2.5 §5.8; FACTS.md §7): the harness is the IPA (ipa's ES11
// client) and, in-process, the eUICC, which authenticates the SM-DS as it would an SM-DP+.
#include <algorithm>

#include "auth_steps.hpp"
#include "case.hpp"
#include "ipa/es10b.hpp"
#include "ipa/es11_client.hpp"
#include "rsp/tlv.hpp"
#include "smdp_target.hpp"

namespace conformance {
namespace {

using ipa::Bytes;
namespace es10b = ipa::es10b;

struct Es11Session {
  std::unique_ptr<HarnessEuicc> euicc;
  std::optional<ipa::Es11Client> client;
  ipa::InitiateAuthenticationRequest request;
};

rsp::Expected<Es11Session> open_es11(SmdpTarget& target) {
  auto first = first_steps(target);
  if (!first) return rsp::fail(first.error().message);
  auto client = ipa::Es11Client::create(target.address, target.options);
  if (!client) return rsp::fail(client.error().message);
  Es11Session s{std::move(first->euicc), std::move(*client), std::move(first->request)};
  return s;
}

// initiateAuthentication answered and accepted by the eUICC: its AuthenticateServerResponse ('BF38').
struct Es11Authenticated {
  Es11Session session;
  Bytes transaction_id;
  Bytes response;
};
rsp::Expected<Es11Authenticated> authenticate_at_smds(SmdpTarget& target, std::string* check_failure = nullptr) {
  auto s = open_es11(target);
  if (!s) return rsp::fail(s.error().message);
  auto answer = s->client->initiate_authentication(s->request);
  if (!answer) return rsp::fail("initiateAuthentication: expected success, got " + answer.error().describe());
  if (check_failure) {
    auto signed1 = rsp::tlv::read(answer->server_signed1);
    auto address = signed1 ? rsp::tlv::find(signed1->value, 0x83) : std::nullopt;
    std::string named = address ? std::string(address->value.begin(), address->value.end()) : "(none)";
    if (named != target.address) *check_failure = "serverSigned1.serverAddress: expected " + target.address + ", got " + named;
  }
  auto response = es10b::authenticate_server(s->euicc->channel(), server_input(*answer, std::nullopt));
  if (!response) return rsp::fail("the eUICC could not process the answer: " + response.error().message);
  if (!response->ok())
    return rsp::fail("the eUICC refused serverSigned1 / serverSignature1 / CERT.DSauth: AuthenticateErrorCode " +
                     std::to_string(*response->error_code));
  return Es11Authenticated{std::move(*s), answer->transaction_id, response->tlv};
}

// SGP.22 v2.5 §5.8.1 ES11.InitiateAuthentication, then §5.8.2 ES11.AuthenticateClient
Outcome nominal_no_event(SmdpTarget& target) {
  std::string mismatch;
  auto a = authenticate_at_smds(target, &mismatch);
  if (!a) return fail(a.error().message);
  if (!mismatch.empty()) return fail(mismatch);
  auto events = a->session.client->authenticate_client(a->transaction_id, a->response);
  if (!events) return fail("authenticateClient: expected success with no Event Record, got " + events.error().describe());
  if (!events->event_entries.empty())
    return fail("expected an empty event list for a fresh EID, got " + std::to_string(events->event_entries.size()));
  return pass("no event");
}

Outcome initiate_unsupported_ci(SmdpTarget& target) {
  auto s = open_es11(target);
  if (!s) return fail(s.error().message);
  s->request.euicc_info1 = info1_with_unknown_ci();
  return expect_codes(s->client->initiate_authentication(s->request), {{"8.9.2", "3.1"}});
}

Outcome authenticate_unknown_transaction(SmdpTarget& target) {
  auto a = authenticate_at_smds(target);
  if (!a) return fail(a.error().message);
  Bytes unknown = a->transaction_id;
  for (auto& b : unknown) b ^= 0xA5;
  return expect_codes(a->session.client->authenticate_client(unknown, a->response), {{"8.10.1", "3.9"}});
}

Outcome authenticate_altered_signature(SmdpTarget& target) {
  auto a = authenticate_at_smds(target);
  if (!a) return fail(a.error().message);
  Bytes altered = with_altered_euicc_signature1(a->response);
  if (altered.empty()) return fail("the harness eUICC's answer has no euiccSignature1");
  return expect_codes(a->session.client->authenticate_client(a->transaction_id, altered), {{"8.1", "6.1"}});
}

}  // namespace

Case smds_case(std::string id, std::string section, std::string sends, std::string expects, Outcome (*run)(SmdpTarget&)) {
  Case c{std::move(id), "smds", std::move(section), std::move(sends), std::move(expects), {}};
  c.run_smdp = run;
  return c;
}

std::vector<Case> smds_es11_cases() {
  return {
      smds_case("ES11.EventRetrieval.NominalNoEvent", "SGP.22 v2.5 §5.8.1, §5.8.2",
                "initiateAuthentication and authenticateClient for a fresh eUICC with no Event Record",
                "serverSigned1 names the address called; the eUICC accepts CERT.DSauth (chained to the CI) and serverSignature1; "
                "authenticateClient succeeds with an empty event list",
                nominal_no_event),
      smds_case("ES11.InitiateAuthentication.UnsupportedCiPKId", "SGP.22 v2.5 §5.8.1",
                "initiateAuthentication with EUICCInfo1 naming only an unknown CI", "Failed 8.9.2/3.1", initiate_unsupported_ci),
      smds_case("ES11.AuthenticateClient.UnknownTransactionId", "SGP.22 v2.5 §5.8.2",
                "authenticateClient with a valid AuthenticateServerResponse under a transactionId never issued", "Failed 8.10.1/3.9",
                authenticate_unknown_transaction),
      smds_case("ES11.AuthenticateClient.AlteredEuiccSignature1", "SGP.22 v2.5 §5.8.2",
                "authenticateClient with euiccSignature1's last byte flipped", "Failed 8.1/6.1", authenticate_altered_signature),
  };
}

}  // namespace conformance
