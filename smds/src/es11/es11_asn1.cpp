// SGP.22 v2.5 §6.6 the ASN.1 binding of ES11 (FACTS §7.2): RemoteProfileProvisioningRequest
// A2 { BF39 InitiateAuthenticationRequest | BF3B AuthenticateClientRequest }, validated whole by
// the codec, its members taken as DER TLVs; answered A2 { BF39 InitiateAuthenticationResponse }
// or A2 { BF40 AuthenticateClientResponseEs11 }, one tag each (X.680 §31.2.7).
#include <RemoteProfileProvisioningRequest.h>

#include <span>

#include "es11/es11_status_codes.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/server/request_members.hpp"
#include "rsp/tlv.hpp"
#include "smds/es11_bindings.hpp"

namespace smds {

namespace {

using rsp::Bytes;
using rsp::tlv::encode;
using rsp::tlv::Tag;

constexpr Tag kProvisioningTag = 0xA2;
constexpr Tag kInitiateAuthentication = 0xBF39;
constexpr Tag kAuthenticateClientRequest = 0xBF3B;
constexpr Tag kAuthenticateClientResponseEs11 = 0xBF40;
constexpr int kUndefinedError = 127;

struct Code {
  std::string_view subject, reason;
  int value;
};
// InitiateAuthenticationResponse.initiateAuthenticationError, read for the SM-DS: its address,
// the eUICC's version, and no usable CI.
constexpr Code kInitiateAuthenticationErrors[] = {
    {"8.9.1", "3.8", 1}, {"8.9.3", "3.1", 2}, {"8.9.2", "3.1", 3}, {"8.9.4", "3.7", 3}};
// AuthenticateClientResponseEs11.authenticateClientError
constexpr Code kAuthenticateClientErrors[] = {{"8.1.2", "6.1", 1}, {"8.1.2", "6.3", 2}, {"8.1.3", "6.1", 3},
                                              {"8.1.3", "6.3", 4}, {"8.1", "6.1", 5},   {"8.9.5", "3.9", 6},
                                              {"8.10.1", "3.9", 7}};

int error_code(std::span<const Code> table, const FunctionStatus& status) {
  for (const Code& c : table)
    if (c.subject == status.subject_code && c.reason == status.reason_code) return c.value;
  return kUndefinedError;
}

Es11Reply respond(Tag tag, const char* function, const Bytes& choice, FunctionStatus status,
                  std::string transaction_id) {
  Es11Reply r;
  Bytes body = encode(kProvisioningTag, encode(tag, choice));
  r.body.assign(body.begin(), body.end());
  r.status = std::move(status);
  r.function = function;
  r.transaction_id = std::move(transaction_id);
  return r;
}

// The error alternative '[1] INTEGER'; every value fits one content byte.
Es11Reply refuse(Tag tag, const char* function, std::span<const Code> table, const FunctionStatus& status,
                 std::string transaction_id) {
  Bytes code{static_cast<uint8_t>(error_code(table, status))};
  return respond(tag, function, encode(0x81, code), status, std::move(transaction_id));
}

using Members = rsp::server::TlvMembers;

// SGP.22 v2.5 §6.6.2.1 (ES11 uses ES9+'s types): [1] euiccChallenge, [3] the server address, euiccInfo1.
Es11Reply initiate_authentication(Es11& es11, Members m) {
  const char* function = "initiateAuthentication";
  Bytes challenge = m.value(0x81), address = m.value(0x83), info1 = m.whole(0xBF20);
  if (m.missing) return refuse(kInitiateAuthentication, function, kInitiateAuthenticationErrors, *m.missing, "");
  auto r = es11.initiate_authentication({challenge, info1, std::string(address.begin(), address.end())});
  if (!r) return refuse(kInitiateAuthentication, function, kInitiateAuthenticationErrors, r.error(), "");
  Bytes ok = encode(0xA0, rsp::concat({encode(0x80, rsp::from_hex(r->transaction_id).value()), r->server_signed1,
                                       r->server_signature1, r->euicc_ci_pkid_to_be_used, r->server_certificate}));
  return respond(kInitiateAuthentication, function, ok, FunctionStatus::success(), r->transaction_id);
}

// SGP.22 v2.5 §6.6.2.2 / §5.8.2: [0] transactionId, BF38 authenticateServerResponse; answered
// BF40 { A0 { 80 transactionId, A1 { 30 { 80 eventId, 81 rspServerAddress } ... } } }.
Es11Reply authenticate_client(Es11& es11, Members m) {
  const char* function = "authenticateClient";
  std::string transaction_id = rsp::to_hex(m.value(0x80));
  Bytes response = m.whole(0xBF38);
  if (m.missing)
    return refuse(kAuthenticateClientResponseEs11, function, kAuthenticateClientErrors, *m.missing, transaction_id);
  auto r = es11.authenticate_client({transaction_id, response});
  if (!r)
    return refuse(kAuthenticateClientResponseEs11, function, kAuthenticateClientErrors, r.error(), transaction_id);
  Bytes entries;
  for (const auto& e : r->event_entries)
    entries = rsp::concat({entries, encode(0x30, rsp::concat({encode(0x80, rsp::to_bytes(e.event_id)),
                                                              encode(0x81, rsp::to_bytes(e.rsp_server_address))}))});
  Bytes ok = encode(0xA0, rsp::concat({encode(0x80, rsp::from_hex(r->transaction_id).value()), encode(0xA1, entries)}));
  return respond(kAuthenticateClientResponseEs11, function, ok, FunctionStatus::success(), r->transaction_id);
}

// A body that is not one 'A2' naming an ES11 function: no response alternative could carry an
// error, so the HTTP layer answers 400.
Es11Reply bad_request(std::string why) {
  Es11Reply r;
  r.http_status = 400;
  r.status = es11_status::malformed(std::move(why));
  return r;
}

}  // namespace

Es11Reply es11_asn1(Es11& es11, rsp::ByteView body) {
  auto outer = rsp::tlv::read(body);
  if (!outer || outer->tag != kProvisioningTag || outer->whole.size() != body.size())
    return bad_request("the body is not one RemoteProfileProvisioningRequest ('A2')");
  auto header = rsp::tlv::read_header(outer->value);
  if (!header || (header->tag != kInitiateAuthentication && header->tag != kAuthenticateClientRequest))
    return bad_request("RemoteProfileProvisioningRequest names no ES11 function");
  Members members{{}, es11_status::malformed, std::nullopt};
  auto inner = rsp::tlv::read(outer->value);
  if (auto decoded = rsp::asn1::decode(asn_DEF_RemoteProfileProvisioningRequest, body); !decoded)
    members.missing = es11_status::malformed(decoded.error().message());
  else if (!inner || inner->whole.size() != outer->value.size())
    members.missing = es11_status::malformed("RemoteProfileProvisioningRequest is not DER");
  else
    members.contents = inner->value;
  return header->tag == kInitiateAuthentication ? initiate_authentication(es11, members)
                                                : authenticate_client(es11, members);
}

}  // namespace smds
