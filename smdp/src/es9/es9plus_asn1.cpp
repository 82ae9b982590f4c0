// SGP.22 v2.5 §6.6 the ASN.1 binding of ES9+. The body is validated whole by the codec as
// RemoteProfileProvisioningRequest, then its members are taken as TLVs and handed to Es9Plus,
// which decodes the eUICC's objects again itself (as it does for the JSON binding).
#include "smdp/es9plus_asn1.hpp"

#include <RemoteProfileProvisioningRequest.h>

#include "es9_asn1_error_codes.hpp"
#include "es9_status_codes.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/tlv.hpp"

namespace smdp {

namespace {

using es9_asn1::Function;
using rsp::tlv::encode;
using rsp::tlv::Tag;

// RemoteProfileProvisioningRequest and -Response are "[2] CHOICE": a tag on a CHOICE is always
// explicit (X.680 §31.2.7), so the alternative travels inside 'A2'.
constexpr Tag kProvisioningTag = 0xA2;

// The alternatives, by the tags the module gives them (the same in request and response).
struct Alternative {
  Tag tag;
  const char* name;
};
constexpr Alternative kInitiateAuthentication{0xBF39, "initiateAuthentication"};
constexpr Alternative kAuthenticateClient{0xBF3B, "authenticateClient"};
constexpr Alternative kGetBoundProfilePackage{0xBF3A, "getBoundProfilePackage"};
constexpr Alternative kCancelSession{0xBF41, "cancelSession"};
constexpr Alternative kHandleNotification{0xBF3D, "handleNotification"};

const Alternative* alternative(Tag tag) {
  for (const Alternative* a : {&kInitiateAuthentication, &kAuthenticateClient, &kGetBoundProfilePackage,
                               &kCancelSession, &kHandleNotification})
    if (a->tag == tag) return a;
  return nullptr;
}

Es9Asn1Reply respond(const Alternative& a, const Bytes& choice, FunctionStatus status, std::string transaction_id) {
  Es9Asn1Reply r;
  r.body = encode(kProvisioningTag, encode(a.tag, choice));
  r.status = std::move(status);
  r.function = a.name;
  r.transaction_id = std::move(transaction_id);
  return r;
}

// The Ok alternative: automatic tagging makes it '[0]', constructed.
Es9Asn1Reply accept(const Alternative& a, const Bytes& fields, std::string transaction_id) {
  return respond(a, encode(0xA0, fields), FunctionStatus::success(), std::move(transaction_id));
}

// The error alternative: '[1] INTEGER'; every value of the enumerations fits one content byte.
Es9Asn1Reply refuse(const Alternative& a, Function f, const FunctionStatus& status, std::string transaction_id = {}) {
  Bytes code{static_cast<uint8_t>(es9_asn1::error_code(f, status))};
  return respond(a, encode(0x81, code), status, std::move(transaction_id));
}

// The transactionId member, '[0]' ('80'), of the Ok alternatives.
Bytes transaction_id_tlv(const std::string& hex) { return encode(0x80, rsp::from_hex(hex).value_or(Bytes{})); }

// The function's result as its Ok alternative, built by `fields`, or as its error alternative.
template <class T>
Es9Asn1Reply answer(const Alternative& a, Function f, const Es9Result<T>& result, std::string request_transaction_id,
                    Bytes (*fields)(const T&)) {
  if (!result) return refuse(a, f, result.error(), std::move(request_transaction_id));
  return accept(a, fields(*result), result->transaction_id);
}

// The members of the request's alternative, by tag; `missing` names the first one absent.
struct Members {
  ByteView contents;
  std::optional<FunctionStatus> missing;

  Bytes whole(Tag tag) { return take(tag, true); }
  Bytes value(Tag tag) { return take(tag, false); }
  std::string transaction_id() { return rsp::to_hex(value(0x80)); }

 private:
  Bytes take(Tag tag, bool with_header) {
    auto found = rsp::tlv::find(contents, tag);
    if (!found) {
      if (!missing)
        missing =
            es9_status::malformed("8.1", "mandatory element missing: tag " + rsp::to_hex(rsp::tlv::encode_tag(tag)));
      return {};
    }
    ByteView part = with_header ? found->whole : found->value;
    return Bytes(part.begin(), part.end());
  }
};

// SGP.22 v2.5 §6.6.2.1
Es9Asn1Reply initiate_authentication(Es9Plus& es9, Members m) {
  const auto& a = kInitiateAuthentication;
  Bytes challenge = m.value(0x81), address = m.value(0x83), info1 = m.whole(0xBF20);
  if (m.missing) return refuse(a, Function::initiate_authentication, *m.missing);
  InitiateAuthenticationRequest in{challenge, info1, std::string(address.begin(), address.end())};
  return answer<InitiateAuthenticationResponse>(
      a, Function::initiate_authentication, es9.initiate_authentication(in), "",
      [](const InitiateAuthenticationResponse& o) {
        return rsp::concat({transaction_id_tlv(o.transaction_id), o.server_signed1, o.server_signature1,
                            o.euicc_ci_pkid_to_be_used, o.server_certificate});
      });
}

// SGP.22 v2.5 §6.6.2.2
Es9Asn1Reply authenticate_client(Es9Plus& es9, Members m) {
  const auto& a = kAuthenticateClient;
  AuthenticateClientRequest in{m.transaction_id(), m.whole(0xBF38)};
  if (m.missing) return refuse(a, Function::authenticate_client, *m.missing, in.transaction_id);
  return answer<AuthenticateClientResponse>(
      a, Function::authenticate_client, es9.authenticate_client(in), in.transaction_id,
      [](const AuthenticateClientResponse& o) {
        return rsp::concat({transaction_id_tlv(o.transaction_id), o.profile_metadata, o.smdp_signed2, o.smdp_signature2,
                            o.smdp_certificate});
      });
}

// SGP.22 v2.5 §6.6.2.3
Es9Asn1Reply get_bound_profile_package(Es9Plus& es9, Members m) {
  const auto& a = kGetBoundProfilePackage;
  GetBoundProfilePackageRequest in{m.transaction_id(), m.whole(0xBF21)};
  if (m.missing) return refuse(a, Function::get_bound_profile_package, *m.missing, in.transaction_id);
  return answer<GetBoundProfilePackageResponse>(
      a, Function::get_bound_profile_package, es9.get_bound_profile_package(in), in.transaction_id,
      [](const GetBoundProfilePackageResponse& o) {
        return rsp::concat({transaction_id_tlv(o.transaction_id), o.bound_profile_package});
      });
}

// SGP.22 v2.5 §6.6.2.5. The eUICC's CancelSessionResponse ("[65] CHOICE", 'BF41') is a member
// without a tag of its own, so automatic tagging retags it implicitly: '[1]' ('A1') replaces
// 'BF41' around the same contents. Es9Plus takes it as ES10b returned it.
Es9Asn1Reply cancel_session(Es9Plus& es9, Members m) {
  const auto& a = kCancelSession;
  CancelSessionRequest in{m.transaction_id(), encode(0xBF41, m.value(0xA1))};
  if (m.missing) return refuse(a, Function::cancel_session, *m.missing, in.transaction_id);
  FunctionStatus status = es9.cancel_session(in);
  if (!status.ok()) return refuse(a, Function::cancel_session, status, in.transaction_id);
  return accept(a, {}, in.transaction_id);  // cancelSessionOk: an empty SEQUENCE
}

// SGP.22 v2.5 §6.6.2.4: no response type; 204 whatever the outcome, which is kept for logs.
// The PendingNotification CHOICE sits in an explicit '[0]' ('A0').
Es9Asn1Reply handle_notification(Es9Plus& es9, Members m) {
  Es9Asn1Reply r;
  r.http_status = 204;
  r.function = kHandleNotification.name;
  Bytes notification = m.value(0xA0);
  r.status = m.missing ? *m.missing : es9.handle_notification(notification);
  return r;
}

// A body that is not one 'A2' naming an ES9+ function: no response alternative could carry
// an error, so the HTTP layer answers 400 (onomondo-eim does the same on this binding of ESipa).
Es9Asn1Reply bad_request(std::string why) {
  Es9Asn1Reply r;
  r.http_status = 400;
  r.status = es9_status::malformed("8.1", std::move(why));
  return r;
}

}  // namespace

Es9Asn1Reply es9plus_asn1(Es9Plus& es9, ByteView body) {
  auto outer = rsp::tlv::read(body);
  if (!outer || outer->tag != kProvisioningTag || outer->whole.size() != body.size())
    return bad_request("the body is not one RemoteProfileProvisioningRequest ('A2')");
  auto header = rsp::tlv::read_header(outer->value);
  const Alternative* a = header ? alternative(header->tag) : nullptr;
  if (!a) return bad_request("RemoteProfileProvisioningRequest names no ES9+ function");

  // The function is known from here on: a malformed request is that function's refusal
  // (undefinedError), as the JSON binding answers a malformed body with the function's
  // "Failed" status. The codec checks the whole structure and its constraints; the members
  // are then read as DER TLVs (the binding is DER, so BER's indefinite lengths fail here).
  Members members{{}, std::nullopt};
  auto inner = rsp::tlv::read(outer->value);
  if (auto decoded = rsp::asn1::decode(asn_DEF_RemoteProfileProvisioningRequest, body); !decoded)
    members.missing = es9_status::malformed("8.1", decoded.error().message());
  else if (!inner || inner->whole.size() != outer->value.size())
    members.missing = es9_status::malformed("8.1", "RemoteProfileProvisioningRequest is not DER");
  else
    members.contents = inner->value;

  if (a == &kHandleNotification) return handle_notification(es9, members);
  if (a == &kInitiateAuthentication) return initiate_authentication(es9, members);
  if (a == &kAuthenticateClient) return authenticate_client(es9, members);
  if (a == &kGetBoundProfilePackage) return get_bound_profile_package(es9, members);
  return cancel_session(es9, members);
}

}  // namespace smdp
