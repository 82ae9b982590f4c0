// The indirect profile download end to end in one process (SGP.32 v1.2): the IPA's download_profile
// with the ESipa wire, the eIM's Esipa service behind real HTTPS (the PKI's eim-tls identity) in
// both bindings, the real SM-DP+ on loopback and the software eUICC behind the IPA's Transport.
// The profile installs and its installation result reaches the SM-DP+ through the eIM; the SM-DP+'s
// refusals arrive at the IPA with the mapped codes; unknown sessions and a dead SM-DP+ are refused
// with the functions' error values. The compact forms (minimizeEsipaBytes) are rebuilt by the eIM
// byte for byte (checked against the eUICC's own full answers as the SM-DP+ received them), or
// refused when they cannot be.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "card_transport.hpp"
#include "es9_proxy.hpp"
#include "esipa/compact_forms.hpp"
#include "esipa_compact.hpp"
#include "esipa_https.hpp"
#include "euicc/card.hpp"
#include "ipa/download.hpp"
#include "ipa/es10b.hpp"
#include "ipa/es10c.hpp"
#include "rsp/der_integer.hpp"
#include "rsp/iccid.hpp"
#include "smdp_harness.hpp"
#include "support/tls_server.hpp"

namespace {

using ipa::DownloadPhase;
using ipa::Es9Binding;
using rsp::Bytes;
using rsp::tlv::encode;

// An SM-DP+, the eIM relaying to it (or to a port where nothing listens; or through a proxy that
// records what the SM-DP+ receives), a card behind ES10 APDUs.
struct Device {
  ipa::test::SmdpHarness smdp;
  std::unique_ptr<ipa::test::Es9Proxy> proxy;
  eim::test::EsipaHttps eim;
  std::unique_ptr<euicc::Euicc> euicc;
  std::unique_ptr<euicc::Card> terminal;
  std::unique_ptr<ipa::test::CardTransport> transport;
  std::unique_ptr<ipa::Es10Channel> channel;

  explicit Device(std::optional<uint16_t> smdp_port = std::nullopt,
                  const std::function<void(eim::EsipaSettings&)>& adjust = {}, bool record_smdp = false)
      : proxy(record_smdp
                  ? std::make_unique<ipa::test::Es9Proxy>(smdp, [](rsp::http::Request&) { return std::nullopt; })
                  : nullptr),
        eim(smdp.pki, smdp.curve, proxy ? proxy->port() : smdp_port.value_or(smdp.server->es9_port()),
            smdp.dir.path() / "eim.db", adjust) {
    euicc = smdp.open_card("card");
    terminal = std::make_unique<euicc::Card>(euicc->isdr(), euicc->usim());
    transport = std::make_unique<ipa::test::CardTransport>(*terminal);
    REQUIRE(transport->connect());
    channel = std::make_unique<ipa::Es10Channel>(*transport);
  }

  ipa::Es9ClientOptions options(Es9Binding binding) {
    ipa::Es9ClientOptions o = smdp.client_options(binding);
    o.port.reset();  // the SM-DP+ is reached by the eIM, not by the IPA
    o.relay = eim.address();
    return o;
  }
  ipa::DownloadResult download(const std::string& matching_id, Es9Binding binding, bool minimize = false,
                               std::function<bool(rsp::ByteView)> confirm = {}) {
    ipa::DownloadOptions o;
    o.es9 = options(binding);
    o.es9.minimize_esipa_bytes = minimize;
    o.confirm = std::move(confirm);
    auto code = rsp::ActivationCode::parse("LPA:1$" + smdp.address() + "$" + matching_id).value();
    auto result = ipa::download_profile(*channel, ipa::DownloadRequest{code, std::nullopt}, o);
    for (const auto& r : eim.seen()) UNSCOPED_INFO("eIM: " << r.function << " " << r.outcome << ": " << r.message);
    return result;
  }
  ipa::Es9PlusClient client(Es9Binding binding) {
    auto c = ipa::Es9PlusClient::create(smdp.address(), options(binding));
    REQUIRE(c);
    return std::move(*c);
  }
  std::vector<ipa::es10c::ProfileInfo> profiles() { return ipa::es10c::get_profiles_info(*channel).value(); }
};

const char* name_of(Es9Binding b) { return b == Es9Binding::esipa_json ? "JSON" : "ASN.1"; }

void check_codes(const ipa::Es9Error& e, const std::string& function, const std::string& subject,
                 const std::string& reason) {
  INFO(e.describe());
  CHECK(e.is_function());
  CHECK(ipa::es9_function_name(e.function) == function);
  CHECK(e.subject_code == subject);
  CHECK(e.reason_code == reason);
}

// A download that stopped in `phase` with the codes of `function`'s refusal.
void check_failed(const ipa::DownloadResult& r, DownloadPhase phase, const std::string& function,
                  const std::string& subject, const std::string& reason) {
  INFO(r.line());
  CHECK_FALSE(r.success);
  CHECK(r.failed_phase == phase);
  REQUIRE(r.es9_error);
  check_codes(*r.es9_error, function, subject, reason);
  CHECK(r.line().find(subject + "/" + reason) != std::string::npos);
}

// The error alternative's value in an ESipa answer (BFxx { 8x INTEGER }), or nullopt.
std::optional<int64_t> error_value(const eim::EsipaReply& r, rsp::tlv::Tag error_tag) {
  auto outer = rsp::tlv::read(r.der_response);
  auto choice = outer ? rsp::tlv::read(outer->value) : rsp::Expected<rsp::tlv::Tlv>(rsp::fail(""));
  if (!choice || choice->tag != error_tag) return std::nullopt;
  int64_t v = 0;
  for (uint8_t b : choice->value) v = v * 256 + b;
  return v;
}

Bytes some_transaction_id() { return Bytes(16, 0x7E); }

}  // namespace

TEST_CASE("indirect download: the profile installs through the eIM and its result reaches the SM-DP+",
          "[eim][indirect]") {
  Es9Binding binding = GENERATE(Es9Binding::esipa_asn1, Es9Binding::esipa_json);
  Device d;
  const std::string iccid = "8949449999999990301";
  d.smdp.add_order(iccid, "EIM-DL-1");

  auto result = d.download("EIM-DL-1", binding);
  INFO(result.line());
  REQUIRE(result.success);
  CHECK(result.iccid == iccid);
  CHECK(result.notification_sent);
  CHECK(d.profiles().size() == 1);
  // The eIM relayed the installation result: the order is installed at the SM-DP+.
  CHECK(d.smdp.state_of(iccid) == smdp::ProfileState::installed);
  CHECK(d.smdp.store->notifications(iccid).value().size() == 1);

  std::vector<std::string> functions;
  for (const auto& r : d.eim.seen()) functions.push_back(r.function + " " + r.outcome);
  CHECK(functions == std::vector<std::string>{"InitiateAuthentication relayed", "AuthenticateClient relayed",
                                              "GetBoundProfilePackage relayed", "HandleNotification relayed"});
  auto notification = d.eim.last("HandleNotification");
  REQUIRE(notification);
  CHECK(notification->http_status == 204);
  CHECK(notification->message.find("HTTP 204") != std::string::npos);
  // The eIM learnt the EID from the eUICC's certificate.
  CHECK(d.eim.last("GetBoundProfilePackage")->eid == d.euicc->eid());
  CHECK(result.es9.exchanges == 4);
  // The relayed installation result ended the relay session.
  Bytes tid = rsp::from_hex(result.transaction_id).value();
  auto after = d.client(binding).get_bound_profile_package(
      tid, encode(0xBF21, encode(0xA1, rsp::concat({encode(0x80, tid), rsp::der::integer(0x02, 1)}))));
  REQUIRE_FALSE(after);
  check_codes(after.error(), "getBoundProfilePackage", "8.10.1", "3.9");
  CHECK(d.eim.last("GetBoundProfilePackage")->message.find("no relay session") != std::string::npos);
  WARN("one indirect download (ESipa " << name_of(binding) << " binding): ESipa " << result.es9.bytes_sent
                                       << " bytes sent, " << result.es9.bytes_received << " received; " << result.apdus
                                       << " APDUs");
}

TEST_CASE("indirect download: the SM-DP+'s refusal arrives at the IPA with its codes, the session cancelled",
          "[eim][indirect]") {
  Es9Binding binding = GENERATE(Es9Binding::esipa_asn1, Es9Binding::esipa_json);
  Device d;
  d.smdp.add_order("8949449999999990302", "EIM-DL-2");

  // An unknown matchingId: ES9+ 8.2.6/3.8, ESipa matchingIdRefused(6), at the IPA 8.2.6/3.8 again.
  auto result = d.download("EIM-DL-NONE", binding);
  check_failed(result, DownloadPhase::authenticate_client, "authenticateClient", "8.2.6", "3.8");
  auto refused = d.eim.last("AuthenticateClient");
  REQUIRE(refused);
  CHECK(error_value(*refused, 0x82) == 6);
  CHECK(refused->message.find("Failed 8.2.6/3.8") != std::string::npos);
  // The eUICC's signed CancelSessionResponse went to the same SM-DP+ through the eIM.
  CHECK(result.session_cancelled);
  CHECK(d.eim.last("CancelSession")->outcome == "relayed");
  CHECK(d.profiles().empty());
  // The relay session ended with it: the same transactionId is unknown now.
  auto again = d.client(binding).cancel_session(rsp::from_hex(result.transaction_id).value(),
                                                encode(0xBF41, rsp::der::integer(0x81, 5)));
  REQUIRE_FALSE(again);
  check_codes(again.error(), "cancelSession", "8.10.1", "3.9");
  // The order is untouched: the right matchingId installs it.
  CHECK(d.download("EIM-DL-2", binding).success);
}

TEST_CASE("indirect download: unknown transactionIds get each function's invalidTransactionId", "[eim][indirect]") {
  Es9Binding binding = GENERATE(Es9Binding::esipa_asn1, Es9Binding::esipa_json);
  Device d;
  auto client = d.client(binding);
  Bytes id = some_transaction_id();
  Bytes tid = encode(0x80, id);

  // The eUICC's error forms are valid messages that need no session on the card.
  auto authenticated =
      client.authenticate_client(id, encode(0xBF38, encode(0xA1, rsp::concat({tid, rsp::der::integer(0x02, 1)}))));
  REQUIRE_FALSE(authenticated);
  check_codes(authenticated.error(), "authenticateClient", "8.10.1", "3.9");
  CHECK(error_value(*d.eim.last("AuthenticateClient"), 0x82) == 10);

  auto bound = client.get_bound_profile_package(
      id, encode(0xBF21, encode(0xA1, rsp::concat({tid, rsp::der::integer(0x02, 1)}))));
  REQUIRE_FALSE(bound);
  check_codes(bound.error(), "getBoundProfilePackage", "8.10.1", "3.9");
  CHECK(error_value(*d.eim.last("GetBoundProfilePackage"), 0x81) == 95);

  auto cancelled = client.cancel_session(id, encode(0xBF41, rsp::der::integer(0x81, 5)));
  REQUIRE_FALSE(cancelled);
  check_codes(cancelled.error(), "cancelSession", "8.10.1", "3.9");
  CHECK(error_value(*d.eim.last("CancelSession"), 0x81) == 1);
}

// An HTTPS server with a certificate the eIM trusts (the PKI's eim-tls, for localhost) that answers
// every call with `status` and `body`: an SM-DP+ gone wrong, or one with a scripted refusal.
std::unique_ptr<rsp::http::Server> scripted_smdp(const ipa::test::SmdpHarness& smdp, int status, std::string body) {
  return rsp::test::start_tls_server(
      rsp::http::TlsIdentity::from_pki(smdp.pki, smdp.curve, rsp::crypto::Role::eim_tls).value(),
      [status, body](const rsp::http::Request&) {
        return rsp::http::Response{status, {}, body};
      });
}

TEST_CASE(
    "indirect download: an SM-DP+ answering something else than ES9+ is undefinedError; its own refusals are mapped",
    "[eim][indirect]") {
  // What the SM-DP+ answers initiateAuthentication, what the eIM logs, the ESipa error value, the IPA's codes.
  auto [status, body, logged, value, subject,
        reason] = GENERATE(table<int, std::string, std::string, int, std::string, std::string>({
      {200, "<html>not JSON</html>", "is not JSON", 127, "1.2", "4.2"},
      {200, R"({"transactionId":"00"})", "unusable answer", 127, "1.2", "4.2"},
      {500, "oops", "answered HTTP 500", 127, "1.2", "4.2"},
      {200, R"({"header":{"functionExecutionStatus":{"status":5}}})", "unusable answer", 127, "1.2", "4.2"},
      {200,
       R"({"header":{"functionExecutionStatus":{"status":"Failed","statusCodeData":{"subjectCode":"8.8.1","reasonCode":"3.8","message":7}}}})",
       "unusable answer", 127, "1.2", "4.2"},
      {200, std::string(100000, '[') + std::string(100000, ']'), "is not JSON", 127, "1.2", "4.2"},
      // A well-formed refusal: ciPKIdNotSupported (3) on ESipa, the same codes at the IPA.
      {200,
       R"({"header":{"functionExecutionStatus":{"status":"Failed","statusCodeData":{"subjectCode":"8.8.2","reasonCode":"3.1"}}}})",
       "Failed 8.8.2/3.1", 3, "8.8.2", "3.1"},
  }));
  ipa::test::SmdpHarness probe;  // only its PKI: the scripted server's port must be known before the eIM starts
  auto server = scripted_smdp(probe, status, body);
  eim::test::EsipaHttps relay(probe.pki, probe.curve, server->port(0), probe.dir.path() / "eim.db");
  auto card = probe.open_card("card");
  euicc::Card terminal(card->isdr(), card->usim());
  ipa::test::CardTransport transport(terminal);
  REQUIRE(transport.connect());
  ipa::Es10Channel channel(transport);
  ipa::DownloadOptions o;
  o.es9 = probe.client_options(Es9Binding::esipa_asn1);
  o.es9.port.reset();
  o.es9.relay = relay.address();
  auto code = rsp::ActivationCode::parse("LPA:1$" + probe.address() + "$EIM-SCRIPTED").value();
  auto result = ipa::download_profile(channel, ipa::DownloadRequest{code, std::nullopt}, o);
  check_failed(result, DownloadPhase::initiate_authentication, "initiateAuthentication", subject, reason);
  auto reply = relay.last("InitiateAuthentication");
  REQUIRE(reply);
  CHECK(error_value(*reply, 0x81) == value);
  INFO(reply->message);
  CHECK(reply->message.find(logged) != std::string::npos);
}

TEST_CASE("indirect download: a dead SM-DP+ is undefinedError, with the reason in the eIM's log", "[eim][indirect]") {
  Es9Binding binding = GENERATE(Es9Binding::esipa_asn1, Es9Binding::esipa_json);
  Device d(uint16_t{1});  // nothing listens on port 1
  d.smdp.add_order("8949449999999990303", "EIM-DL-3");
  auto result = d.download("EIM-DL-3", binding);
  // undefinedError(127) has no ES9+ code of its own: "function provider: execution error".
  check_failed(result, DownloadPhase::initiate_authentication, "initiateAuthentication", "1.2", "4.2");
  CHECK(result.es9_error->message.find("undefinedError") != std::string::npos);
  auto reply = d.eim.last("InitiateAuthentication");
  REQUIRE(reply);
  CHECK(error_value(*reply, 0x81) == 127);
  CHECK(reply->message.find("not reached") != std::string::npos);
  CHECK(d.smdp.state_of("8949449999999990303") == smdp::ProfileState::released);
}

TEST_CASE("indirect download: what the eIM cannot relay is refused, nothing sent to the SM-DP+", "[eim][indirect]") {
  Device d;
  auto handle = [&](const Bytes& der) { return d.eim.esipa->handle(der); };
  Bytes challenge = encode(0x81, Bytes(16, 0x11));
  Bytes address = encode(0x83, rsp::to_bytes(d.smdp.address()));
  Bytes info1 = ipa::es10b::get_euicc_info1(*d.channel).value();  // the card's own EUICCInfo1

  SECTION("InitiateAuthentication without smdpAddress: invalidDpAddress (no download data kept per device)") {
    auto r = handle(encode(0xBF39, rsp::concat({challenge, info1})));
    CHECK(error_value(r, 0x81) == 1);
    CHECK(r.outcome == "invalidDpAddress");
    CHECK(
        error_value(handle(encode(0xBF39, rsp::concat({challenge, encode(0x83, rsp::to_bytes("https://x/y")), info1}))),
                    0x81) == 1);
  }
  SECTION("InitiateAuthentication's compact form (no euiccInfo1): refused, undefinedError") {
    auto r = handle(encode(0xBF39, rsp::concat({challenge, address})));
    CHECK(error_value(r, 0x81) == 127);
    CHECK(r.message.find("compact form") != std::string::npos);
  }
  SECTION("compact forms without a relay session: each function's invalidTransactionId, nothing rebuilt") {
    Bytes tid = encode(0x80, some_transaction_id());
    Bytes signature = encode(0x5F37, Bytes(64, 0x22));
    // A2 { A0 CompactEuiccSigned1 { 84 extCardResource }, 5F37 signature }
    Bytes compact_authenticate =
        encode(0xBF38, encode(0xA2, rsp::concat({encode(0xA0, encode(0x84, Bytes{0x01})), signature})));
    auto a = handle(encode(0xBF3B, rsp::concat({tid, compact_authenticate})));
    CHECK(a.http_status == 200);
    CHECK(error_value(a, 0x82) == 10);
    CHECK(a.message.find("no relay session") != std::string::npos);
    // A2 { 30 CompactEuiccSigned2 { 5F49 euiccOtpk }, 5F37 signature }
    Bytes compact_prepare =
        encode(0xBF21, encode(0xA2, rsp::concat({encode(0x30, encode(0x5F49, Bytes(65, 0x04))), signature})));
    auto p = handle(encode(0xBF3A, rsp::concat({tid, compact_prepare})));
    CHECK(error_value(p, 0x81) == 95);
    CHECK(p.message.find("no relay session") != std::string::npos);
    // A1 { A2 { 30 { 80 reason }, 5F37 signature } }
    Bytes compact_cancel =
        encode(0xA1, encode(0xA2, rsp::concat({encode(0x30, encode(0x80, Bytes{0x01})), signature})));
    auto c = handle(encode(0xBF41, rsp::concat({tid, compact_cancel})));
    CHECK(error_value(c, 0x81) == 1);
    CHECK(c.message.find("no relay session") != std::string::npos);
  }
  SECTION("a CompactProfileInstallationResult without a relay session is not relayed; the IPA still gets 204") {
    Bytes data = encode(0xA0, rsp::concat({encode(0x80, some_transaction_id()), rsp::der::integer(0x02, 3),
                                           encode(0xA2, encode(0xA0, encode(0x4F, Bytes{0x10, 0x00})))}));
    auto r = handle(encode(0xBF3D, encode(0xA0, encode(0xA0, rsp::concat({data, encode(0x5F37, Bytes(64, 0x22))})))));
    CHECK(r.http_status == 204);
    CHECK(r.outcome == "not relayed");
    CHECK(r.message.find("no relay session") != std::string::npos);
  }
  SECTION("a CompactOtherSignedNotification is logged, not relayed; the IPA still gets 204") {
    // A1 CompactOtherSignedNotification { BF2F NotificationMetadata, 5F37 signature }
    Bytes metadata = encode(0xBF2F, rsp::concat({encode(0x80, Bytes{0x01}), encode(0x81, Bytes{0x07, 0x80}),
                                                 encode(0x0C, rsp::to_bytes(d.smdp.address()))}));
    auto r =
        handle(encode(0xBF3D, encode(0xA0, encode(0xA1, rsp::concat({metadata, encode(0x5F37, Bytes(64, 0x22))})))));
    CHECK(r.http_status == 204);
    CHECK(r.outcome == "logged");
  }
  SECTION("the indirect download switched off: each function undefinedError") {
    eim::EsipaSettings off;
    off.indirect_download.enabled = false;
    eim::Esipa esipa(*d.eim.store, off);
    auto r = esipa.handle(encode(0xBF39, rsp::concat({challenge, address, info1})));
    CHECK(error_value(r, 0x81) == 127);
  }
}

TEST_CASE("indirect download: relay sessions are bounded in number and lifetime", "[eim][indirect]") {
  int64_t now = 1'800'000'000;
  Device d(std::nullopt, [&now](eim::EsipaSettings& s) {
    s.clock = [&now] { return now; };
    s.indirect_download.sessions = eim::new_relay_sessions(1);
    s.indirect_download.session_lifetime = std::chrono::seconds(600);
  });
  auto client = d.client(Es9Binding::esipa_asn1);
  ipa::InitiateAuthenticationRequest request{Bytes(16, 0x42), ipa::es10b::get_euicc_info1(*d.channel).value(),
                                             d.smdp.address()};
  auto initiate = [&] {
    auto started = client.initiate_authentication(request);
    REQUIRE(started);
    return started->transaction_id;
  };
  // The eUICC's refusal (A1 { 80 transactionId, 02 code }) is a valid AuthenticateServerResponse for any session.
  auto authenticate = [&](const Bytes& id) {
    (void)client.authenticate_client(
        id, encode(0xBF38, encode(0xA1, rsp::concat({encode(0x80, id), rsp::der::integer(0x02, 1)}))));
    return d.eim.last("AuthenticateClient")->message;
  };

  Bytes first = initiate();
  Bytes second = initiate();  // one session at most: the first is dropped
  CHECK(authenticate(first).find("no relay session") != std::string::npos);
  CHECK(authenticate(second).find("relayed to localhost") != std::string::npos);
  Bytes third = initiate();
  now += 601;  // past the lifetime
  CHECK(authenticate(third).find("no relay session") != std::string::npos);
}

namespace {

// The eIM's device record for the card, with CERT.EUM (what a compact AuthenticateServerResponse leaves out).
void add_device_record(Device& d) {
  eim::DeviceRecord record;
  record.eid = d.euicc->eid();
  record.owner = "owner-1";
  record.eim_id = "eim-1";
  record.eum_certificate = rsp::pki::load_certificate(d.smdp.pki, d.smdp.curve, rsp::crypto::Role::eum).value().der();
  REQUIRE(d.eim.store->add_device(record).value());
}

// The base64 member `name` of the last ES9+ request to `function` the SM-DP+ received, decoded.
Bytes received_by_smdp(Device& d, const std::string& function, const std::string& name) {
  for (const auto& [target, body] : d.proxy->requests())
    if (target.ends_with("/" + function)) {
      auto j = nlohmann::json::parse(body);
      return rsp::from_base64(j.at(name).get<std::string>()).value();
    }
  FAIL("the SM-DP+ received no " << function);
  return {};
}

size_t smdp_requests_to(Device& d, const std::string& function) {
  size_t n = 0;
  for (const auto& [target, body] : d.proxy->requests()) n += target.ends_with("/" + function);
  return n;
}

// The transactionId ('80') inside the signed part of an eUICC answer ('BFxx' { A0 { 30 { 80 ... } ... } }).
Bytes signed_transaction_id(const Bytes& full) {
  auto outer = rsp::tlv::read(full).value();
  auto ok = rsp::tlv::read(outer.value).value();
  auto signed_part = rsp::tlv::read(ok.value).value();
  return Bytes(rsp::tlv::find(signed_part.value, 0x80)->value.begin(),
               rsp::tlv::find(signed_part.value, 0x80)->value.end());
}

bool reject(rsp::ByteView) { return false; }

}  // namespace

TEST_CASE("compact forms: the eIM rebuilds the eUICC's own full answers byte for byte", "[eim][indirect][compact]") {
  Device d(std::nullopt, {}, true);
  d.smdp.add_order("8949449999999990311", "EIM-CF-1");
  d.smdp.add_order("8949449999999990312", "EIM-CF-2");
  // Full forms, as the eUICC made them and the SM-DP+ received them: a download, and one the user
  // declines after AuthenticateClient (CancelSession endUserRejection).
  REQUIRE(d.download("EIM-CF-1", Es9Binding::esipa_asn1).success);
  Bytes authenticate = received_by_smdp(d, "authenticateClient", "authenticateServerResponse");
  Bytes prepare = received_by_smdp(d, "getBoundProfilePackage", "prepareDownloadResponse");
  Bytes installed = received_by_smdp(d, "handleNotification", "pendingNotification");
  auto declined = d.download("EIM-CF-2", Es9Binding::esipa_asn1, false, reject);
  REQUIRE(declined.session_cancelled);
  Bytes cancel = received_by_smdp(d, "cancelSession", "cancelSessionResponse");

  Bytes eum = rsp::pki::load_certificate(d.smdp.pki, d.smdp.curve, rsp::crypto::Role::eum).value().der();
  Bytes smdp_oid = rsp::pki::load_certificate(d.smdp.pki, d.smdp.curve, rsp::crypto::Role::dp_auth)
                       .value()
                       .registered_id_der()
                       .value();
  auto eum_of = [&](const std::string& eid) -> rsp::Expected<Bytes> {
    CHECK(eid == d.euicc->eid());
    return eum;
  };
  // The IPA's compact form ('A2' inside), rebuilt by the eIM.
  auto compact_of = [](const Bytes& message) { return rsp::tlv::read(rsp::tlv::read(message).value().value).value(); };

  Bytes compact_authenticate = ipa::esipa_compact::authenticate_server_response(authenticate);
  CHECK(compact_authenticate.size() + eum.size() < authenticate.size() + 8);
  CHECK(eim::esipa::full_authenticate_server_response(compact_of(compact_authenticate), eum_of).value() ==
        authenticate);

  Bytes compact_prepare = ipa::esipa_compact::prepare_download_response(prepare);
  CHECK(compact_prepare.size() < prepare.size());
  CHECK(
      eim::esipa::full_prepare_download_response(compact_of(compact_prepare), signed_transaction_id(prepare)).value() ==
      prepare);

  Bytes compact_installed = ipa::esipa_compact::profile_installation_result(installed);
  CHECK(compact_installed.size() + 40 < installed.size());
  Bytes dp_pb_oid = rsp::pki::load_certificate(d.smdp.pki, d.smdp.curve, rsp::crypto::Role::dp_pb)
                        .value()
                        .registered_id_der()
                        .value();
  auto result_data = rsp::tlv::read(rsp::tlv::read(installed).value().value).value();  // BF27
  auto result_transaction_id = rsp::tlv::find(result_data.value, 0x80).value().value;
  eim::esipa::DownloadData download{Bytes(result_transaction_id.begin(), result_transaction_id.end()), d.smdp.address(),
                                    rsp::iccid::to_bytes("8949449999999990311").value(), dp_pb_oid};
  auto installed_tlv = rsp::tlv::read(compact_installed).value();
  CHECK(eim::esipa::full_profile_installation_result(installed_tlv, download).value() == installed);
  // Without the ICCID the session relayed, an iccidPresent result is not rebuilt (nothing guessed).
  download.iccid.clear();
  CHECK_FALSE(eim::esipa::full_profile_installation_result(installed_tlv, download));

  Bytes compact_cancel = ipa::esipa_compact::cancel_session_response_contents(cancel);
  CHECK(compact_cancel.size() + 8 < cancel.size());
  auto cancel_tlv = rsp::tlv::read(compact_cancel).value();
  CHECK(eim::esipa::full_cancel_session_response(cancel_tlv, signed_transaction_id(cancel), smdp_oid).value() ==
        cancel);
  // Another transactionId or smdpOid gives other bytes (which the eUICC's signature would not cover).
  CHECK(eim::esipa::full_cancel_session_response(cancel_tlv, some_transaction_id(), smdp_oid).value() != cancel);
  // The eUICC's error forms are not compacted.
  Bytes refusal =
      encode(0xBF21, encode(0xA1, rsp::concat({encode(0x80, some_transaction_id()), rsp::der::integer(0x02, 1)})));
  CHECK(ipa::esipa_compact::prepare_download_response(refusal) == refusal);
}

TEST_CASE("compact forms: the profile installs through the eIM, the SM-DP+ gets the full messages",
          "[eim][indirect][compact]") {
  Es9Binding binding = GENERATE(Es9Binding::esipa_asn1, Es9Binding::esipa_json);
  Device d(std::nullopt, {}, true);
  add_device_record(d);
  d.smdp.add_order("8949449999999990321", "EIM-CF-FULL");
  const std::string iccid = "8949449999999990322";
  d.smdp.add_order(iccid, "EIM-CF-COMPACT");

  auto full = d.download("EIM-CF-FULL", binding);
  REQUIRE(full.success);
  Bytes full_authenticate = received_by_smdp(d, "authenticateClient", "authenticateServerResponse");

  auto result = d.download("EIM-CF-COMPACT", binding, true);
  INFO(result.line());
  REQUIRE(result.success);
  CHECK(result.iccid == iccid);
  CHECK(d.smdp.state_of(iccid) == smdp::ProfileState::installed);
  CHECK(d.profiles().size() == 2);
  for (const char* function : {"AuthenticateClient", "GetBoundProfilePackage", "HandleNotification"}) {
    auto reply = d.eim.last(function);
    REQUIRE(reply);
    CHECK(reply->outcome == "relayed");
    CHECK(reply->message.find("rebuilt from the compact form") != std::string::npos);
  }
  CHECK(d.eim.last("GetBoundProfilePackage")->eid == d.euicc->eid());
  // The SM-DP+ verified euiccSignature1 / euiccSignature2 over the rebuilt forms (it answered), and
  // got the eUICC's certificates as the uncompacted download sent them.
  auto certificates = [](const Bytes& bf38) {
    auto ok = rsp::tlv::read(rsp::tlv::read(bf38).value().value).value();
    auto m = rsp::tlv::read_all(ok.value).value();
    REQUIRE(m.size() == 4);
    return rsp::concat({m[2].whole, m[3].whole});
  };
  CHECK(certificates(received_by_smdp(d, "authenticateClient", "authenticateServerResponse")) ==
        certificates(full_authenticate));
  CHECK(result.es9.bytes_sent < full.es9.bytes_sent);
  WARN("ESipa " << name_of(binding) << " binding, bytes sent by the IPA per download: " << full.es9.bytes_sent
                << " full, " << result.es9.bytes_sent << " with minimizeEsipaBytes ("
                << full.es9.bytes_sent - result.es9.bytes_sent << " saved); received " << full.es9.bytes_received
                << " / " << result.es9.bytes_received);
}

TEST_CASE("compact forms: a declined download's compact CancelSessionResponse verifies at the SM-DP+",
          "[eim][indirect][compact]") {
  Es9Binding binding = GENERATE(Es9Binding::esipa_asn1, Es9Binding::esipa_json);
  Device d(std::nullopt, {}, true);
  add_device_record(d);
  const std::string iccid = "8949449999999990331";
  d.smdp.add_order(iccid, "EIM-CF-3");
  auto declined = d.download("EIM-CF-3", binding, true, reject);
  INFO(declined.line());
  CHECK(declined.session_cancelled);
  auto cancel = d.eim.last("CancelSession");
  REQUIRE(cancel);
  // After AuthenticateClient the SM-DP+ holds CERT.EUICC and checks euiccCancelSessionSignature.
  CHECK(cancel->outcome == "relayed");
  CHECK(cancel->message.find("rebuilt from the compact form") != std::string::npos);
  Bytes received = received_by_smdp(d, "cancelSession", "cancelSessionResponse");
  CHECK(rsp::tlv::read(rsp::tlv::read(received).value().value).value().tag == 0xA0);
  CHECK(d.profiles().empty());
}

TEST_CASE("compact forms the eIM cannot rebuild get the function's error, nothing goes to the SM-DP+",
          "[eim][indirect][compact]") {
  Device d(std::nullopt, {}, true);
  // The eUICC's real members (schema-valid), from a full download; sent under a new session.
  d.smdp.add_order("8949449999999990351", "EIM-CF-5");
  REQUIRE(d.download("EIM-CF-5", Es9Binding::esipa_asn1).success);
  Bytes received = received_by_smdp(d, "authenticateClient", "authenticateServerResponse");
  auto full = rsp::tlv::read(rsp::tlv::read(received).value().value).value();
  auto members = rsp::tlv::read_all(full.value).value();
  Bytes signed1(members[0].whole.begin(), members[0].whole.end());
  Bytes signature(members[1].whole.begin(), members[1].whole.end());
  Bytes euicc_certificate_contents(members[2].value.begin(), members[2].value.end());
  Bytes eum_certificate_contents(members[3].value.begin(), members[3].value.end());
  size_t relayed_before = d.proxy->requests().size();

  auto client = d.client(Es9Binding::esipa_asn1);
  auto handle = [&](const Bytes& der) { return d.eim.esipa->handle(der); };
  ipa::InitiateAuthenticationRequest request{Bytes(16, 0x42), ipa::es10b::get_euicc_info1(*d.channel).value(),
                                             d.smdp.address()};
  auto started = client.initiate_authentication(request);
  REQUIRE(started);
  relayed_before += 1;
  Bytes tid = encode(0x80, started->transaction_id);

  {
    INFO("CompactAuthenticateResponseOk without euiccCertificate: nothing names the device");
    auto r =
        handle(encode(0xBF3B, rsp::concat({tid, encode(0xBF38, encode(0xA2, rsp::concat({signed1, signature})))})));
    CHECK(error_value(r, 0x82) == 127);
    CHECK(r.message.find("cannot tell which device") != std::string::npos);
  }
  {
    INFO("compactEuiccSigned1: the eIM keeps no euiccInfo2");
    Bytes compact = encode(0xA2, rsp::concat({encode(0xA0, encode(0x84, Bytes{0x01})), signature,
                                              encode(0xA1, euicc_certificate_contents)}));
    auto r = handle(encode(0xBF3B, rsp::concat({tid, encode(0xBF38, compact)})));
    CHECK(error_value(r, 0x82) == 127);
    CHECK(r.message.find("compactEuiccSigned1 not supported") != std::string::npos);
  }
  {
    INFO("a certificate that names no EID (CERT.EUM in its place)");
    Bytes compact = encode(0xA2, rsp::concat({signed1, signature, encode(0xA1, eum_certificate_contents)}));
    auto r = handle(encode(0xBF3B, rsp::concat({tid, encode(0xBF38, compact)})));
    CHECK(error_value(r, 0x82) == 127);
    CHECK(r.message.find("names no EID") != std::string::npos);
  }
  {
    INFO("CompactPrepareDownloadResponseOk without euiccOtpk");
    auto r = handle(encode(
        0xBF3A, rsp::concat({tid, encode(0xBF21, encode(0xA2, rsp::concat({encode(0x30, Bytes{}), signature})))})));
    CHECK(error_value(r, 0x81) == 127);
    CHECK(r.message.find("without euiccOtpk") != std::string::npos);
  }
  {
    INFO("CompactCancelSessionResponseOk without reason");
    auto r = handle(encode(
        0xBF41, rsp::concat({tid, encode(0xA1, encode(0xA2, rsp::concat({encode(0x30, Bytes{}), signature})))})));
    CHECK(error_value(r, 0x81) == 127);
    CHECK(r.message.find("without reason") != std::string::npos);
  }
  CHECK(d.proxy->requests().size() == relayed_before);
}

TEST_CASE("compact forms: a device the eIM has no CERT.EUM for is refused at AuthenticateClient",
          "[eim][indirect][compact]") {
  Device d(std::nullopt, {}, true);  // no device record
  d.smdp.add_order("8949449999999990341", "EIM-CF-4");
  auto result = d.download("EIM-CF-4", Es9Binding::esipa_asn1, true);
  check_failed(result, DownloadPhase::authenticate_client, "authenticateClient", "1.2", "4.2");
  auto reply = d.eim.last("AuthenticateClient");
  REQUIRE(reply);
  CHECK(error_value(*reply, 0x82) == 127);
  CHECK(reply->message.find("no CERT.EUM on record for EID " + d.euicc->eid()) != std::string::npos);
  CHECK(smdp_requests_to(d, "authenticateClient") == 0);
  CHECK(d.smdp.state_of("8949449999999990341") == smdp::ProfileState::released);
}
