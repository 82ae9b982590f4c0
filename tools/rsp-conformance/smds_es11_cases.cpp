// The SM-DS role's ES11 cases (SGP.22 v2.5 §5.8; FACTS.md §7): the harness is the IPA (ipa's ES11
// client) and, in-process, the eUICC, which authenticates the SM-DS as it would an SM-DP+.
#include <algorithm>

#include "auth_steps.hpp"
#include "case.hpp"
#include "ipa/es10b.hpp"
#include "ipa/es11_client.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/pki/pki_layout.hpp"
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
    if (named != target.address)
      *check_failure = "serverSigned1.serverAddress: expected " + target.address + ", got " + named;
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
  if (!events)
    return fail("authenticateClient: expected success with no Event Record, got " + events.error().describe());
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

Outcome initiate_wrong_address(SmdpTarget& target) {
  auto s = open_es11(target);
  if (!s) return fail(s.error().message);
  s->request.smdp_address = "other-smds.conformance.example.org";
  return expect_codes(s->client->initiate_authentication(s->request), {{"8.9.1", "3.8"}});
}

// The harness eUICC's EUICCInfo1 claiming SGP.22 v1.0.0 (lowestSvn '82' 01 00 00).
Outcome initiate_unsupported_svn(SmdpTarget& target) {
  auto s = open_es11(target);
  if (!s) return fail(s.error().message);
  auto info1 = rsp::tlv::read(s->request.euicc_info1);
  auto members =
      info1 ? rsp::tlv::read_all(info1->value) : rsp::Expected<std::vector<rsp::tlv::Tlv>>(rsp::fail("empty"));
  if (!members) return fail("the harness eUICC's EUICCInfo1 is not readable");
  Bytes body;
  for (const auto& m : *members) {
    Bytes piece = m.tag == 0x82 ? rsp::tlv::encode(0x82, Bytes{1, 0, 0}) : Bytes(m.whole.begin(), m.whole.end());
    body.insert(body.end(), piece.begin(), piece.end());
  }
  s->request.euicc_info1 = rsp::tlv::encode(0xBF20, body);
  return expect_codes(s->client->initiate_authentication(s->request), {{"8.9.3", "3.1"}});
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

// serverSigned1's serverChallenge ('84') of an initiateAuthentication answer.
Bytes server_challenge_of(const ipa::InitiateAuthenticationResponse& answer) {
  auto signed1 = rsp::tlv::read(answer.server_signed1);
  auto challenge = signed1 ? rsp::tlv::find(signed1->value, 0x84) : std::nullopt;
  return challenge ? Bytes(challenge->value.begin(), challenge->value.end()) : Bytes{};
}

// The eUICC's AuthenticateServerResponse with euiccSigned1's serverChallenge replaced by `challenge`
// and signed again with the PKI's eUICC key (the harness eUICC's), as a card replaying an older
// session's challenge would; empty when the response or the key is not there.
Bytes with_replayed_challenge(ipa::ByteView response, ipa::ByteView challenge, const std::filesystem::path& pki) {
  auto outer = rsp::tlv::read(response);
  auto ok = outer ? rsp::tlv::read(outer->value) : rsp::Expected<rsp::tlv::Tlv>(rsp::fail("empty"));
  auto parts = ok ? rsp::tlv::read_all(ok->value) : rsp::Expected<std::vector<rsp::tlv::Tlv>>(rsp::fail("empty"));
  auto members = parts && parts->size() == 4 ? rsp::tlv::read_all((*parts)[0].value)
                                             : rsp::Expected<std::vector<rsp::tlv::Tlv>>(rsp::fail("empty"));
  if (!members) return {};
  Bytes signed1_body;
  for (const auto& m : *members) {
    Bytes piece = m.tag == 0x84 ? rsp::tlv::encode(0x84, challenge) : Bytes(m.whole.begin(), m.whole.end());
    signed1_body.insert(signed1_body.end(), piece.begin(), piece.end());
  }
  Bytes signed1 = rsp::tlv::encode(0x30, signed1_body);
  auto certificate = rsp::crypto::Certificate::from_der((*parts)[2].whole);
  if (!certificate) return {};
  auto card_key = certificate->public_key();
  for (auto curve : rsp::pki::curves_present(pki)) {
    auto key = rsp::pki::load_key(pki, curve, rsp::crypto::Role::euicc);
    if (!key || !card_key || key->point() != card_key->point()) continue;
    Bytes ok_body = signed1;
    for (const Bytes& piece : {rsp::tlv::encode(0x5F37, rsp::crypto::sign(*key, signed1)),
                               Bytes((*parts)[2].whole.begin(), (*parts)[2].whole.end()),
                               Bytes((*parts)[3].whole.begin(), (*parts)[3].whole.end())})
      ok_body.insert(ok_body.end(), piece.begin(), piece.end());
    return rsp::tlv::encode(outer->tag, rsp::tlv::encode(ok->tag, ok_body));
  }
  return {};
}

// An older session's serverChallenge in a newly signed euiccSigned1 of this session.
Outcome authenticate_replayed_challenge(SmdpTarget& target) {
  auto older = open_es11(target);
  if (!older) return fail(older.error().message);
  auto older_answer = older->client->initiate_authentication(older->request);
  if (!older_answer) return fail("initiateAuthentication: expected success, got " + older_answer.error().describe());
  auto a = authenticate_at_smds(target);
  if (!a) return fail(a.error().message);
  Bytes replayed = with_replayed_challenge(a->response, server_challenge_of(*older_answer), target.pki);
  if (replayed.empty()) return not_applicable("--pki has no eUICC key matching the harness eUICC's certificate");
  return expect_codes(a->session.client->authenticate_client(a->transaction_id, replayed), {{"8.1", "6.1"}});
}

// A finished session's AuthenticateServerResponse (its euiccSignature1 valid) sent again in a new session.
Outcome authenticate_replayed_response(SmdpTarget& target) {
  auto older = authenticate_at_smds(target);
  if (!older) return fail(older.error().message);
  auto events = older->session.client->authenticate_client(older->transaction_id, older->response);
  if (!events)
    return fail("authenticateClient of the first session: expected success, got " + events.error().describe());
  auto newer = open_es11(target);
  if (!newer) return fail(newer.error().message);
  auto answer = newer->client->initiate_authentication(newer->request);
  if (!answer) return fail("initiateAuthentication: expected success, got " + answer.error().describe());
  return expect_codes(newer->client->authenticate_client(answer->transaction_id, older->response),
                      {{"8.10.1", "3.9"}, {"8.1", "6.1"}});
}

}  // namespace

Case smds_case(std::string id, std::string section, std::string sends, std::string expects,
               Outcome (*run)(SmdpTarget&)) {
  Case c{std::move(id), "smds", std::move(section), std::move(sends), std::move(expects), {}};
  c.run_smdp = run;
  return c;
}

std::vector<Case> smds_es11_cases() {
  return {
      smds_case(
          "ES11.EventRetrieval.NominalNoEvent", "SGP.22 v2.5 §5.8.1, §5.8.2",
          "initiateAuthentication and authenticateClient for a fresh eUICC with no Event Record",
          "serverSigned1 names the address called; the eUICC accepts CERT.DSauth (chained to the CI) and serverSignature1; "
          "authenticateClient succeeds with an empty event list",
          nominal_no_event),
      smds_case("ES11.InitiateAuthentication.UnsupportedCiPKId", "SGP.22 v2.5 §5.8.1",
                "initiateAuthentication with EUICCInfo1 naming only an unknown CI", "Failed 8.9.2/3.1",
                initiate_unsupported_ci),
      smds_case("ES11.InitiateAuthentication.WrongSmdsAddress", "SGP.22 v2.5 §5.8.1",
                "initiateAuthentication naming another SM-DS address (other-smds.conformance.example.org)",
                "Failed 8.9.1/3.8", initiate_wrong_address),
      smds_case("ES11.InitiateAuthentication.UnsupportedSvn", "SGP.22 v2.5 §5.8.1",
                "initiateAuthentication with EUICCInfo1 whose lowestSvn is 1.0.0", "Failed 8.9.3/3.1",
                initiate_unsupported_svn),
      smds_case("ES11.AuthenticateClient.UnknownTransactionId", "SGP.22 v2.5 §5.8.2",
                "authenticateClient with a valid AuthenticateServerResponse under a transactionId never issued",
                "Failed 8.10.1/3.9", authenticate_unknown_transaction),
      smds_case("ES11.AuthenticateClient.AlteredEuiccSignature1", "SGP.22 v2.5 §5.8.2",
                "authenticateClient with euiccSignature1's last byte flipped", "Failed 8.1/6.1",
                authenticate_altered_signature),
      smds_case(
          "ES11.AuthenticateClient.ReplayedServerChallenge", "SGP.22 v2.5 §5.8.2",
          "authenticateClient whose euiccSigned1 carries an older session's serverChallenge, signed with the eUICC's key (--pki)",
          "Failed 8.1/6.1", authenticate_replayed_challenge),
      smds_case(
          "ES11.AuthenticateClient.ReplayedEuiccSignature1", "SGP.22 v2.5 §5.8.2",
          "a finished session's AuthenticateServerResponse (euiccSigned1 and euiccSignature1) under a new session's transactionId",
          "Failed 8.10.1/3.9 or 8.1/6.1", authenticate_replayed_response),
  };
}

}  // namespace conformance
