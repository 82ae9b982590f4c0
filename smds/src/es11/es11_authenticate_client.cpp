// SGP.22 v2.5 §5.8.2 ES11.AuthenticateClient: the eUICC's AuthenticateServerResponse checked
// against the session (rsp/common_mutual_authentication.hpp), then the Event Records of its EID.
#include "es11/es11_status_codes.hpp"
#include "rsp/common_mutual_authentication.hpp"
#include "rsp/server/authentication_status.hpp"
#include "rsp/tlv.hpp"
#include "smds/es11.hpp"

namespace smds {

// SGP.22 v2.5 §5.8.2 ES11.AuthenticateClient
Es11Result<Es11AuthenticateClientResponse> Es11::authenticate_client(const Es11AuthenticateClientRequest& request) {
  if (request.transaction_id.empty() || request.transaction_id.size() > 32 || !rsp::from_hex(request.transaction_id))
    return rsp::Unexpected{es11_status::unknown_transaction("unknown transactionId")};
  // One authenticateClient per session: taken out of the store, whatever the outcome.
  auto taken = store_.take_session(rsp::to_hex(*rsp::from_hex(request.transaction_id)));
  if (!taken) return rsp::Unexpected{es11_status::execution_error("the SM-DS could not read its sessions")};
  const int64_t now = settings_.now();
  if (!*taken || (*taken)->expires < now)
    return rsp::Unexpected{es11_status::unknown_transaction("unknown or expired transactionId")};
  const Es11SessionRecord& session = **taken;

  rsp::Bytes transaction_id = rsp::from_hex(session.transaction_id).value();
  rsp::authentication::SessionExpectation expected{transaction_id, session.server_challenge, session.smds_address,
                                                   session.euicc_ci_pkid};
  expected.check_euicc_signature1 = !settings_.fault("skip-signature-check");
  rsp::Bytes signed_transaction_id, signed_challenge;
  if (settings_.fault("accept-any-challenge")) {
    // The session's values replaced by whatever euiccSigned1 carries (BF38 { A0 { 30 { 80, 84 } } }).
    auto outer = rsp::tlv::read(request.authenticate_server_response);
    auto ok = outer ? rsp::tlv::read(outer->value) : rsp::Expected<rsp::tlv::Tlv>(rsp::fail("empty"));
    auto signed1 = ok ? rsp::tlv::read(ok->value) : rsp::Expected<rsp::tlv::Tlv>(rsp::fail("empty"));
    auto id = signed1 ? rsp::tlv::find(signed1->value, 0x80) : std::nullopt;
    auto challenge = signed1 ? rsp::tlv::find(signed1->value, 0x84) : std::nullopt;
    if (id) expected.transaction_id = signed_transaction_id = rsp::Bytes(id->value.begin(), id->value.end());
    if (challenge)
      expected.server_challenge = signed_challenge = rsp::Bytes(challenge->value.begin(), challenge->value.end());
  }
  auto authenticated = rsp::authentication::verify_authenticate_server_response(request.authenticate_server_response,
                                                                                expected, identity_.cis, now);
  if (!authenticated) return rsp::Unexpected{rsp::server::authentication_refusal(authenticated.error(), "8.9.1")};

  Es11AuthenticateClientResponse response;
  response.transaction_id = session.transaction_id;
  const std::string matching_id = authenticated->matching_id.value_or("");
  if (!matching_id.empty()) {
    // A matchingId names one EventID of this EID (the cascade case): that one, or 8.9.5/3.9.
    auto event = store_.event(authenticated->eid, matching_id);
    if (!event) return rsp::Unexpected{es11_status::execution_error("the SM-DS could not read its events")};
    if (!*event)
      return rsp::Unexpected{es11_status::unknown_event("No Event identified by the Event ID for the EID exists")};
    response.event_entries.push_back({(*event)->event_id, (*event)->rsp_server_address});
    return response;
  }
  auto events = settings_.fault("return-other-eid-events")
                    ? store_.events_of_every_eid(settings_.max_event_entries)
                    : store_.events_for_eid(authenticated->eid, settings_.max_event_entries);
  if (!events) return rsp::Unexpected{es11_status::execution_error("the SM-DS could not read its events")};
  for (const auto& e : *events) response.event_entries.push_back({e.event_id, e.rsp_server_address});
  return response;
}

}  // namespace smds
