// The indirect profile download (SGP.32 v1.2, EimConfigurationData indirectProfileDownload): the
// IPA sends its ES9+ steps as ESipa messages, the eIM calls ES9+ on the SM-DP+ (JSON binding) and
// answers with the ESipa forms (FACTS §5.1 "Indirect profile download"), the SM-DP+'s status codes
// mapped onto each function's error values by rsp/esipa/status_codes.hpp. The eUICC's TLVs go to
// the SM-DP+ byte for byte; the compact forms of an IPA with minimizeEsipaBytes are rebuilt into
// them first (compact_forms.hpp) from the relay session and the device record. InitiateAuthentication
// without euiccInfo1 and CompactOtherSignedNotification are still refused: the eIM keeps no
// euiccInfo1, and no state of the profile operations an IPA reports outside a download.
#include "esipa/indirect_download.hpp"

#include "esipa/compact_forms.hpp"

#include "rsp/crypto/certificate.hpp"
#include "rsp/der_integer.hpp"
#include "rsp/esipa/esipa_json.hpp"
#include "rsp/esipa/status_codes.hpp"

namespace eim::esipa {

namespace {

using nlohmann::json;
using rsp::esipa::Function;
using rsp::tlv::Tag;
using rsp::tlv::Tlv;

// One relayed function and its invalidTransactionId value. Its ES9+ name is its ESipa JSON name.
struct Shape {
  Function function;
  long invalid_transaction_id;
};
constexpr Shape kInitiateAuthentication{Function::initiate_authentication, 0};
constexpr Shape kAuthenticateClient{Function::authenticate_client, 10};
constexpr Shape kGetBoundProfilePackage{Function::get_bound_profile_package, 95};
constexpr Shape kCancelSession{Function::cancel_session, 1};
constexpr long kInvalidDpAddress = 1;

std::string b64(rsp::ByteView v) { return rsp::to_base64(v); }
std::string text(rsp::ByteView v) { return std::string(v.begin(), v.end()); }

EsipaReply started(std::string function) {
  EsipaReply r;
  r.function = std::move(function);
  return r;
}

// The function's error alternative `value`, its name as outcome.
EsipaReply error_reply(EsipaReply r, const Shape& s, long value, std::string message) {
  r.outcome = rsp::esipa::error_name(s.function, value);
  r.message = std::move(message);
  auto f = s.function;
  return answer(std::move(r),
                rsp::tlv::encode(rsp::esipa::message_tag(f), rsp::der::integer(rsp::esipa::error_tag(f), value)));
}

// A string member of `j`, "" when absent or of another type (the SM-DP+'s JSON is not trusted).
std::string string_member(const json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// "Failed 8.2.6/3.8 (message)" of an ES9+ answer, for the log; "" when it succeeded or has no status.
std::string es9_failure(const json& body) {
  static const json kNone = json::object();
  const json& header = body.is_object() && body.contains("header") ? body["header"] : kNone;
  const json& status =
      header.is_object() && header.contains("functionExecutionStatus") ? header["functionExecutionStatus"] : kNone;
  if (!status.is_object()) return "";
  std::string value = string_member(status, "status");
  if (value.empty() || value == "Executed-Success" || value == "Executed-WithWarning") return "";
  const json& data = status.contains("statusCodeData") ? status["statusCodeData"] : kNone;
  if (!data.is_object()) return value;
  std::string line = value + " " + string_member(data, "subjectCode") + "/" + string_member(data, "reasonCode");
  std::string message = string_member(data, "message");
  return message.empty() ? line : line + " (" + message.substr(0, 120) + ")";
}

// The function's Ok alternative from the SM-DP+'s answer, or its error value by the mapping; an
// SM-DP+ that is not reached or answers something else than ES9+ is undefinedError.
EsipaReply relay(const Context& c, EsipaReply r, const Shape& s, const std::string& smdp_address, const json& request) {
  const std::string es9_name(rsp::esipa::function_name(s.function));
  auto es9 = call_es9(c, smdp_address, es9_name, request);
  if (!es9)
    return error_reply(std::move(r), s, rsp::esipa::kUndefinedError,
                       "SM-DP+ " + smdp_address + " not reached: " + es9.error().message);
  if (es9->http_status != 200)
    return error_reply(
        std::move(r), s, rsp::esipa::kUndefinedError,
        "SM-DP+ " + smdp_address + " answered HTTP " + std::to_string(es9->http_status) + " to " + es9_name);
  // ES9+ answers nest 3 levels (header.functionExecutionStatus.statusCodeData); deeper ones are not built.
  json body = json::parse(
      es9->body, [](int depth, json::parse_event_t, json&) { return depth <= 8; }, false);
  if (!body.is_object())
    return error_reply(std::move(r), s, rsp::esipa::kUndefinedError,
                       "SM-DP+ " + smdp_address + ": the " + es9_name + " answer is not JSON");
  // ES9+ calls it euiccCiPKIdToBeUsed, ESipa euiccCiPKIdentifierToBeUsed (the same '04' TLV).
  if (auto id = body.find("euiccCiPKIdToBeUsed"); id != body.end()) {
    body["euiccCiPKIdentifierToBeUsed"] = *id;
    body.erase("euiccCiPKIdToBeUsed");
  }
  auto der = rsp::esipa::response_from_json(s.function, body.dump(-1, ' ', false, json::error_handler_t::replace));
  if (!der)
    return error_reply(std::move(r), s, rsp::esipa::kUndefinedError,
                       "SM-DP+ " + smdp_address + ": unusable answer: " + der.error().message);
  std::string failure = es9_failure(body);
  r.outcome = failure.empty() ? "relayed" : "refused by SM-DP+";
  r.message = es9_name + " relayed to " + smdp_address + (failure.empty() ? "" : ": " + failure);
  return answer(std::move(r), std::move(*der));
}

// The transactionId of a request (80, mandatory by the schema) as ES9+ writes it (upper-case hex).
std::string transaction_id_of(ByteView members) {
  auto t = rsp::tlv::find(members, 0x80);
  return t ? rsp::to_hex(t->value) : "";
}

// The Ok alternative ('A0') of an answer.
std::optional<Tlv> answered_ok(const EsipaReply& r) {
  auto outer = rsp::tlv::read(r.der_response);
  auto ok = outer ? rsp::tlv::read(outer->value) : rsp::Expected<Tlv>(rsp::fail(""));
  if (!ok || ok->tag != 0xA0) return std::nullopt;
  return *ok;
}

// The Ok alternative's transactionId in an answer, or "".
std::string answered_transaction_id(const EsipaReply& r) {
  auto ok = answered_ok(r);
  return ok ? transaction_id_of(ok->value) : "";
}

// The registeredID of the SM-DP+'s certificate in an Ok answer, the second '30' in it: CERT.DPauth
// after InitiateAuthentication (the smdpOid of a CancelSessionResponse), CERT.DPpb after
// AuthenticateClient (that of the ProfileInstallationResult); empty when absent.
Bytes smdp_oid_answered(const EsipaReply& r) {
  auto ok = answered_ok(r);
  auto members = ok ? rsp::tlv::read_all(ok->value) : rsp::Expected<std::vector<Tlv>>(rsp::fail(""));
  if (!members) return {};
  int sequences = 0;
  for (const Tlv& m : *members)
    if (m.tag == 0x30 && ++sequences == 2) {
      auto certificate = rsp::crypto::Certificate::from_der(m.whole);
      return certificate ? certificate->registered_id_der().value_or(Bytes{}) : Bytes{};
    }
  return {};
}

// SGP.32 v1.2 ESipa.InitiateAuthentication
EsipaReply initiate_authentication(const Context& c, const Tlv& request, EsipaReply r) {
  const Shape& s = kInitiateAuthentication;
  auto address = rsp::tlv::find(request.value, 0x83);
  if (!address)
    return error_reply(std::move(r), s, kInvalidDpAddress,
                       "no smdpAddress (this eIM keeps no download data per device)");
  std::string smdp = text(address->value);
  if (!valid_smdp_address(smdp))
    return error_reply(std::move(r), s, kInvalidDpAddress, "smdpAddress is not a host name");
  auto info1 = rsp::tlv::find(request.value, 0xBF20);
  if (!info1)
    return error_reply(
        std::move(r), s, rsp::esipa::kUndefinedError,
        "no euiccInfo1: the compact form (minimizeEsipaBytes) is not supported, the eIM keeps no euiccInfo1");
  auto challenge = rsp::tlv::find(request.value, 0x81);
  json es9 = {{"euiccChallenge", b64(challenge->value)}, {"euiccInfo1", b64(info1->whole)}, {"smdpAddress", smdp}};
  r = relay(c, std::move(r), s, smdp, es9);
  if (std::string id = answered_transaction_id(r); !id.empty()) {
    RelaySessions::Session session;
    session.smdp_address = smdp;
    session.smdp_oid = smdp_oid_answered(r);
    session.created_at = c.now;
    c.settings.indirect_download.sessions->open(id, std::move(session));
    r.message += " (transactionId " + id + ")";
  }
  return r;
}

// The relay session of a request's transactionId; the function's invalidTransactionId when none.
std::optional<RelaySessions::Session> session_of(const Context& c, const std::string& transaction_id) {
  const IndirectDownloadSettings& s = c.settings.indirect_download;
  return s.sessions->find(transaction_id, c.now, s.session_lifetime.count());
}

// The EID the eUICC's certificate in AuthenticateServerResponse ('BF38' { A0 { 30 30 ... } }) names,
// for the log; the SM-DP+ verifies it.
std::string eid_named(const Tlv& authenticate_server_response) {
  auto ok = rsp::tlv::read(authenticate_server_response.value);
  if (!ok || ok->tag != 0xA0) return "";
  auto members = rsp::tlv::read_all(ok->value);
  if (!members || members->size() < 3) return "";
  return eid_of_certificate((*members)[2].whole);
}

// The eUICC's answer in a request: `member` is its TLV, '[1]' around it for CancelSession.
// The full form is passed as the eUICC's (BF38 / BF21 / BF41); the compact one ('A2') is rebuilt
// from the session and, for CERT.EUM, the device record; an error when that cannot be done.
rsp::Expected<Bytes> full_card_answer(const Context& c, const Shape& s, const Tlv& member, ByteView transaction_id,
                                      const RelaySessions::Session& session) {
  auto inner = rsp::tlv::read(member.value);
  if (!inner) return rsp::fail("unreadable eUICC answer");
  if (inner->tag != 0xA2)
    return s.function == Function::cancel_session ? rsp::tlv::encode(0xBF41, member.value)
                                                  : Bytes(member.whole.begin(), member.whole.end());
  if (s.function == Function::get_bound_profile_package) return full_prepare_download_response(*inner, transaction_id);
  if (s.function == Function::cancel_session)
    return full_cancel_session_response(*inner, transaction_id, session.smdp_oid);
  return full_authenticate_server_response(*inner, [&c](const std::string& eid) -> rsp::Expected<Bytes> {
    auto device = c.store.device(eid);
    if (!device) return rsp::fail("the device record of " + eid + " could not be read");
    if (!*device || !(*device)->eum_certificate) return rsp::fail("no CERT.EUM on record for EID " + eid);
    return *(*device)->eum_certificate;
  });
}

// SGP.32 v1.2 ESipa.AuthenticateClient, ESipa.GetBoundProfilePackage, ESipa.CancelSession: the
// eUICC's BF38 / BF21 / BF41 (full, or rebuilt from the compact form) passed to the SM-DP+ of the session.
EsipaReply session_step(const Context& c, const Tlv& request, EsipaReply r, const Shape& s) {
  auto transaction_id = rsp::tlv::find(request.value, 0x80);
  std::string id = transaction_id ? rsp::to_hex(transaction_id->value) : "";
  auto session = session_of(c, id);
  if (!session)
    return error_reply(std::move(r), s, s.invalid_transaction_id, "no relay session for transactionId " + id);
  // The eUICC's BF41 travels as '[1]' (A1) with the same contents (automatic tagging).
  const Tag tag = s.function == Function::cancel_session        ? 0xA1
                  : s.function == Function::authenticate_client ? 0xBF38
                                                                : 0xBF21;
  auto member = rsp::tlv::find(request.value, tag);
  if (!member) return error_reply(std::move(r), s, rsp::esipa::kUndefinedError, "no eUICC answer in the request");
  auto full = full_card_answer(c, s, *member, transaction_id->value, *session);
  if (!full)
    return error_reply(std::move(r), s, rsp::esipa::kUndefinedError,
                       "compact form not rebuilt: " + full.error().message);
  const bool compact = rsp::tlv::read(member->value).value().tag == 0xA2;
  json es9 = {{"transactionId", id}};
  std::string eid;
  if (s.function == Function::cancel_session) {
    es9["cancelSessionResponse"] = b64(*full);
  } else if (s.function == Function::authenticate_client) {
    es9["authenticateServerResponse"] = b64(*full);
    auto rebuilt = rsp::tlv::read(*full);
    if (rebuilt) eid = eid_named(*rebuilt);
  } else {
    es9["prepareDownloadResponse"] = b64(*full);
  }
  r.eid = session->eid;
  if (!eid.empty()) {
    c.settings.indirect_download.sessions->set_eid(id, eid);
    r.eid = eid;
  }
  r = relay(c, std::move(r), s, session->smdp_address, es9);
  if (compact) r.message += " (rebuilt from the compact form)";
  if (s.function == Function::authenticate_client && r.outcome == "relayed") {
    auto ok = answered_ok(r);
    auto metadata = ok ? rsp::tlv::find(ok->value, 0xBF25) : std::nullopt;
    auto iccid = metadata ? rsp::tlv::find(metadata->value, 0x5A) : std::nullopt;
    c.settings.indirect_download.sessions->set_download_data(
        id, smdp_oid_answered(r), iccid ? Bytes(iccid->value.begin(), iccid->value.end()) : Bytes{});
  }
  if (s.function == Function::cancel_session && r.outcome == "relayed")
    c.settings.indirect_download.sessions->close(id);
  return r;
}

// NotificationMetadata's notificationAddress (BF2F { ..., 0C }) in a ProfileInstallationResult
// (BF37 { BF27 { BF2F ... } }) or an OtherSignedNotification (30 { BF2F ... }).
std::optional<std::string> notification_address(const Tlv& notification) {
  ByteView contents = notification.value;
  if (notification.tag == 0xBF37) {
    auto data = rsp::tlv::find(contents, 0xBF27);
    if (!data) return std::nullopt;
    contents = data->value;
  }
  auto metadata = rsp::tlv::find(contents, 0xBF2F);
  auto address = metadata ? rsp::tlv::find(metadata->value, 0x0C) : std::nullopt;
  if (!address) return std::nullopt;
  return text(address->value);
}

// The full ProfileInstallationResult of a CompactProfileInstallationResult ('A0'), from the relay
// session its transactionId names.
rsp::Expected<Bytes> full_installation_result(const Context& c, const Tlv& compact) {
  auto data = rsp::tlv::find(compact.value, 0xA0);
  std::string id = data ? transaction_id_of(data->value) : "";
  auto session = session_of(c, id);
  if (!session) return rsp::fail("no relay session for transactionId " + id);
  DownloadData download{rsp::from_hex(id).value_or(Bytes{}), session->smdp_address, session->iccid, session->dp_pb_oid};
  return full_profile_installation_result(compact, download);
}

}  // namespace

EsipaReply indirect_download(const Context& c, const Tlv& request, std::string function) {
  EsipaReply r = started(std::move(function));
  if (!c.settings.indirect_download.enabled) {
    const Shape& s = request.tag == 0xBF39   ? kInitiateAuthentication
                     : request.tag == 0xBF3B ? kAuthenticateClient
                     : request.tag == 0xBF3A ? kGetBoundProfilePackage
                                             : kCancelSession;
    return error_reply(std::move(r), s, rsp::esipa::kUndefinedError, "indirect profile download not offered");
  }
  switch (request.tag) {
    case 0xBF39: return initiate_authentication(c, request, std::move(r));
    case 0xBF3B: return session_step(c, request, std::move(r), kAuthenticateClient);
    case 0xBF3A: return session_step(c, request, std::move(r), kGetBoundProfilePackage);
  }
  return session_step(c, request, std::move(r), kCancelSession);
}

// SGP.32 v1.2 ESipa.HandleNotification (a PendingNotification): ES9+ handleNotification.
EsipaReply relay_profile_notification(const Context& c, const Tlv& wrapped) {
  EsipaReply r = started("HandleNotification");
  r.http_status = 204;
  r.outcome = "logged";
  auto pending = rsp::tlv::read(wrapped.value);
  if (!pending) return refusal("HandleNotification", "unreadable PendingNotification");
  Tlv pending_notification = *pending;
  Bytes rebuilt;
  if (pending_notification.tag == 0xA0) {
    auto full = full_installation_result(c, pending_notification);
    if (!full) {
      r.outcome = "not relayed";
      r.message = "CompactProfileInstallationResult not rebuilt: " + full.error().message;
      return r;
    }
    rebuilt = std::move(*full);
    pending_notification = rsp::tlv::read(rebuilt).value();
  }
  if (pending_notification.tag != 0xBF37 && pending_notification.tag != 0x30) {
    r.message = "CompactOtherSignedNotification not relayed (the eIM cannot rebuild the signed one)";
    return r;
  }
  auto address = notification_address(pending_notification);
  if (!address || !valid_smdp_address(*address)) {
    r.message = "profile notification without a usable notificationAddress, not relayed";
    return r;
  }
  if (!c.settings.indirect_download.enabled) {
    r.message = "profile notification for " + *address + " not relayed (indirect profile download not offered)";
    return r;
  }
  auto es9 =
      call_es9(c, *address, "handleNotification", json{{"pendingNotification", b64(pending_notification.whole)}});
  if (!es9) {
    r.outcome = "not relayed";
    r.message = "profile notification: SM-DP+ " + *address + " not reached: " + es9.error().message;
    return r;
  }
  // The installation result ends the download: its relay session (if any) is not needed again.
  if (pending_notification.tag == 0xBF37)
    if (auto data = rsp::tlv::find(pending_notification.value, 0xBF27))
      c.settings.indirect_download.sessions->close(transaction_id_of(data->value));
  r.outcome = es9->http_status == 204 ? "relayed" : "relayed, SM-DP+ refused";
  r.message = "profile notification relayed to " + *address + ": HTTP " + std::to_string(es9->http_status) +
              (es9->body.empty() ? "" : " " + es9->body.substr(0, 160)) +
              (rebuilt.empty() ? "" : " (rebuilt from the compact form)");
  return r;
}

}  // namespace eim::esipa
