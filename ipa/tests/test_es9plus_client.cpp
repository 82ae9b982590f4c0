// The IPA's ES9+ client against the real SM-DP+ on loopback, in both bindings: every function
// carried out with a software eUICC answering ES10 directly; the SM-DP+'s refusals as typed
// function errors with their codes; an untrusted server certificate, a closed port and a silent
// server as transport errors within the timeout.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "es9_proxy.hpp"
#include "rsp/bound_profile_package.hpp"
#include "rsp/tlv.hpp"
#include "smdp_harness.hpp"

namespace {

using ipa::Es9Binding;
using ipa::Es9Error;
using rsp::Bytes;
using rsp::tlv::encode;

Bytes es10(euicc::Euicc& card, const Bytes& command) {
  auto r = card.isdr().store_data(command);
  REQUIRE(r);
  return *r;
}

// ES10b.GetEUICCInfo1 and GetEUICCChallenge, as initiateAuthentication wants them.
ipa::InitiateAuthenticationRequest initiation(euicc::Euicc& card, const std::string& address) {
  Bytes challenge = es10(card, rsp::test::hex("BF2E00"));
  auto value = rsp::tlv::find(rsp::tlv::read(challenge)->value, 0x80).value().value;
  return {Bytes(value.begin(), value.end()), es10(card, rsp::test::hex("BF2000")), address};
}

Bytes authenticate_server(euicc::Euicc& card, const ipa::InitiateAuthenticationResponse& i,
                          const std::string& matching_id) {
  Bytes device_info = encode(0xA1, rsp::concat({encode(0x80, Bytes{0x35, 0x29, 0x06, 0x11}), encode(0xA1, Bytes{})}));
  Bytes ctx = encode(0xA0, rsp::concat({encode(0x80, rsp::to_bytes(matching_id)), device_info}));
  return es10(card, encode(0xBF38, rsp::concat({i.server_signed1, i.server_signature1, i.euicc_ci_pkid_to_be_used,
                                                i.server_certificate, ctx})));
}

Bytes prepare_download(euicc::Euicc& card, const ipa::AuthenticateClientResponse& a) {
  return es10(card, encode(0xBF21, rsp::concat({a.smdp_signed2, a.smdp_signature2, a.smdp_certificate})));
}

void check_codes(const Es9Error& e, const std::string& subject, const std::string& reason) {
  INFO(e.describe());
  CHECK(e.kind == Es9Error::Kind::function);
  CHECK(e.status == "Failed");
  CHECK(e.subject_code == subject);
  CHECK(e.reason_code == reason);
}

// An SM-DP+ holding one order for `matching_id` (none when empty), a card, and a client in `binding`.
struct Setup {
  ipa::test::SmdpHarness smdp;
  std::unique_ptr<euicc::Euicc> card = smdp.open_card("card");
  ipa::Es9PlusClient client;

  Setup(Es9Binding binding, const std::string& iccid, const std::string& matching_id) : client(smdp.client(binding)) {
    if (!matching_id.empty()) smdp.add_order(iccid, matching_id);
  }
  ipa::InitiateAuthenticationResponse initiated() {
    return client.initiate_authentication(initiation(*card, smdp.address())).value();
  }
};

}  // namespace

TEST_CASE("ES9+ client: a whole download, in the JSON and the ASN.1 binding", "[ipa][es9]") {
  Es9Binding binding = GENERATE(Es9Binding::json, Es9Binding::asn1);
  Setup s(binding, "8949449999999990101", "IPA-ES9-1");
  auto& [smdp, card, client] = s;

  auto initiated = client.initiate_authentication(initiation(*card, smdp.address()));
  INFO((initiated ? "" : initiated.error().describe()));
  REQUIRE(initiated);
  CHECK(initiated->transaction_id.size() == 16);
  CHECK(rsp::tlv::read(initiated->server_signature1)->tag == 0x5F37);

  auto authenticated =
      client.authenticate_client(initiated->transaction_id, authenticate_server(*card, *initiated, "IPA-ES9-1"));
  INFO((authenticated ? "" : authenticated.error().describe()));
  REQUIRE(authenticated);
  CHECK(authenticated->transaction_id == initiated->transaction_id);
  CHECK(rsp::tlv::read(authenticated->profile_metadata)->tag == 0xBF25);

  Bytes prepared = prepare_download(*card, *authenticated);
  auto package = client.get_bound_profile_package(initiated->transaction_id, prepared);
  INFO((package ? "" : package.error().describe()));
  REQUIRE(package);
  // The device lost the answer: the same request again gets the same package.
  auto again = client.get_bound_profile_package(initiated->transaction_id, prepared);
  REQUIRE(again);
  CHECK(again->bound_profile_package == package->bound_profile_package);

  Bytes result;
  for (const auto& command : rsp::bpp::split_for_loading(package->bound_profile_package).value())
    result = es10(*card, command);
  REQUIRE(rsp::tlv::read(result)->tag == 0xBF37);
  auto notified = client.handle_notification(result);
  INFO((notified ? "" : notified.error().describe()));
  CHECK(notified);
  CHECK(smdp.state_of("8949449999999990101") == smdp::ProfileState::installed);

  const auto& traffic = client.traffic();
  CHECK(traffic.exchanges == 5);
  CHECK(traffic.bytes_sent > package->bound_profile_package.size() / 10);
  CHECK(traffic.bytes_received > 2 * package->bound_profile_package.size());
}

TEST_CASE("ES9+ client: cancelSession with the eUICC's signed answer", "[ipa][es9]") {
  Setup s(GENERATE(Es9Binding::json, Es9Binding::asn1), "8949449999999990102", "IPA-ES9-2");
  auto& [smdp, card, client] = s;
  auto initiated = s.initiated();
  REQUIRE(client.authenticate_client(initiated.transaction_id, authenticate_server(*card, initiated, "IPA-ES9-2")));

  Bytes postponed{0x01};
  Bytes answer =
      es10(*card, encode(0xBF41, rsp::concat({encode(0x80, initiated.transaction_id), encode(0x81, postponed)})));
  auto cancelled = client.cancel_session(initiated.transaction_id, answer);
  INFO((cancelled ? "" : cancelled.error().describe()));
  CHECK(cancelled);
  // The session is over: the same transactionId is unknown now.
  auto late = client.cancel_session(initiated.transaction_id, answer);
  REQUIRE_FALSE(late);
  check_codes(late.error(), "8.10.1", "3.9");
}

TEST_CASE("ES9+ client: the SM-DP+'s refusals come back with their codes", "[ipa][es9]") {
  Setup s(GENERATE(Es9Binding::json, Es9Binding::asn1), "", "");
  auto& [smdp, card, client] = s;

  SECTION("unknown transactionId: 8.10.1/3.9") {
    auto initiated = s.initiated();
    Bytes signed_by_card = authenticate_server(*card, initiated, "IPA-ES9-3");
    auto r = client.authenticate_client(Bytes(16, 0x42), signed_by_card);
    REQUIRE_FALSE(r);
    check_codes(r.error(), "8.10.1", "3.9");
    CHECK(r.error().attempts == 1);
  }
  SECTION("another SM-DP+'s address: 8.8.1/3.8") {
    auto r = client.initiate_authentication(initiation(*card, "elsewhere.example"));
    REQUIRE_FALSE(r);
    check_codes(r.error(), "8.8.1", "3.8");
  }
  SECTION("no order for the matchingId: 8.2.6/3.8") {
    auto initiated = s.initiated();
    auto r =
        client.authenticate_client(initiated.transaction_id, authenticate_server(*card, initiated, "NO-SUCH-ORDER"));
    REQUIRE_FALSE(r);
    check_codes(r.error(), "8.2.6", "3.8");
  }
}

TEST_CASE("ES9+ client: a server certificate under another CI is refused, not retried", "[ipa][es9]") {
  ipa::test::SmdpHarness smdp;
  rsp::test::TempDir other;
  REQUIRE(rsp::pki::make(other.path(), rsp::pki::MakeOptions{}));
  auto options = smdp.client_options();
  options.http.trusted_ca_files = {
      rsp::pki::certificate_path(other.path(), rsp::crypto::Curve::nist_p256, rsp::crypto::Role::ci)};
  auto client = ipa::Es9PlusClient::create(smdp.address(), options).value();
  auto card = smdp.open_card("card");
  auto r = client.initiate_authentication(initiation(*card, smdp.address()));
  REQUIRE_FALSE(r);
  INFO(r.error().describe());
  CHECK(r.error().is_transport());
  CHECK(r.error().message.find("TLS certificate verification failed") != std::string::npos);
  CHECK(r.error().attempts == 1);
  CHECK(client.traffic().bytes_received == 0);
}

TEST_CASE("ES9+ client: a dead SM-DP+ is a transport error within the timeout", "[ipa][es9]") {
  ipa::test::SmdpHarness smdp;
  auto card = smdp.open_card("card");
  auto request = initiation(*card, smdp.address());
  auto options = smdp.client_options();
  options.http.connect_timeout = std::chrono::milliseconds(300);
  options.http.total_timeout = std::chrono::milliseconds(300);
  options.transport_attempts = 2;

  // A port nobody listens on, and one whose listener never answers (the TLS handshake waits).
  int silent = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(silent >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(silent, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(listen(silent, 4) == 0);
  socklen_t length = sizeof address;
  REQUIRE(getsockname(silent, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  uint16_t silent_port = ntohs(address.sin_port);
  uint16_t closed_port = smdp.server->es9_port();
  smdp.server->stop();

  for (uint16_t port : {closed_port, silent_port}) {
    options.port = port;
    auto client = ipa::Es9PlusClient::create(smdp.address(), options).value();
    auto started = std::chrono::steady_clock::now();
    auto r = client.initiate_authentication(request);
    auto took = std::chrono::steady_clock::now() - started;
    REQUIRE_FALSE(r);
    INFO(r.error().describe());
    CHECK(r.error().is_transport());
    CHECK(r.error().attempts == 2);  // initiateAuthentication may be run again
    CHECK(took < std::chrono::seconds(3));
    if (port == silent_port) CHECK(r.error().message.starts_with("timed out"));
    // authenticateClient is sent once.
    auto once = client.authenticate_client(Bytes(16, 1), rsp::test::hex("BF380481020000"));
    REQUIRE_FALSE(once);
    CHECK(once.error().attempts == 1);
  }
  close(silent);
}

TEST_CASE(
    "ES9+ client: getBoundProfilePackage is sent again after a 503, with the same transactionId; authenticateClient is not",
    "[ipa][es9]") {
  Setup s(Es9Binding::json, "8949449999999990105", "IPA-ES9-5");
  int unavailable = 0;
  ipa::test::Es9Proxy proxy(s.smdp, [&](rsp::http::Request& r) -> std::optional<rsp::http::Response> {
    bool refuse = (r.target.ends_with("/getBoundProfilePackage") && unavailable == 0) ||
                  (r.target.ends_with("/authenticateClient") && unavailable == 1);
    if (!refuse) return std::nullopt;
    ++unavailable;
    return rsp::http::Response{503, {}, "busy"};
  });
  auto options = s.smdp.client_options();
  options.port = proxy.port();
  auto client = ipa::Es9PlusClient::create(s.smdp.address(), options).value();

  auto initiated = client.initiate_authentication(initiation(*s.card, s.smdp.address())).value();
  auto authenticated =
      client.authenticate_client(initiated.transaction_id, authenticate_server(*s.card, initiated, "IPA-ES9-5"));
  REQUIRE(authenticated);
  auto package = client.get_bound_profile_package(initiated.transaction_id, prepare_download(*s.card, *authenticated));
  INFO((package ? "" : package.error().describe()));
  REQUIRE(package);
  auto seen = proxy.requests();
  REQUIRE(seen.size() == 4);
  CHECK(seen[2].first == seen[3].first);
  CHECK(seen[2].second == seen[3].second);  // the same transactionId and prepareDownloadResponse

  // A second session: authenticateClient meets the 503 and reports it without asking again.
  auto second = client.initiate_authentication(initiation(*s.card, s.smdp.address())).value();
  auto refused = client.authenticate_client(second.transaction_id, authenticate_server(*s.card, second, "IPA-ES9-5"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == Es9Error::Kind::protocol);
  CHECK(refused.error().http_status == 503);
  CHECK(refused.error().attempts == 1);
}
