// The IPA's download procedure end to end in one process: an activation code, the real SM-DP+ on
// loopback (HTTPS, SQLite) and the software eUICC behind the IPA's Transport interface. The
// profile ends installed on the card and at the SM-DP+; each refusal reaches the result with its
// codes, and the session is cancelled on both sides.
#include <catch2/catch.hpp>

#include "card_transport.hpp"
#include "es9_proxy.hpp"
#include "euicc/card.hpp"
#include "ipa/download.hpp"
#include "ipa/es10c.hpp"
#include "rsp/tlv.hpp"
#include "smdp_harness.hpp"

namespace {

using ipa::DownloadPhase;

// An SM-DP+, a card reached through ES10 APDUs, and the download's progress as it was reported.
struct Device {
  ipa::test::SmdpHarness smdp;
  std::unique_ptr<euicc::Euicc> euicc;
  std::unique_ptr<euicc::Card> terminal;
  std::unique_ptr<ipa::test::CardTransport> transport;
  std::unique_ptr<ipa::Es10Channel> channel;
  std::vector<std::string> phases;
  std::string last_line;

  explicit Device(std::set<std::string> faults = {}) {
    euicc = smdp.open_card("card", std::move(faults));
    terminal = std::make_unique<euicc::Card>(euicc->isdr(), euicc->usim());
    transport = std::make_unique<ipa::test::CardTransport>(*terminal);
    REQUIRE(transport->connect());
    channel = std::make_unique<ipa::Es10Channel>(*transport);
  }

  ipa::DownloadResult download(const std::string& activation_code, std::optional<std::string> confirmation_code = {},
                               ipa::Es9Binding binding = ipa::Es9Binding::json) {
    return download(
        ipa::DownloadRequest{rsp::ActivationCode::parse(activation_code).value(), std::move(confirmation_code)},
        binding);
  }
  ipa::DownloadResult download(const ipa::DownloadRequest& request, ipa::Es9Binding binding = ipa::Es9Binding::json) {
    ipa::DownloadOptions options;
    options.es9 = smdp.client_options(binding);
    options.progress = [this](const ipa::DownloadEvent& e) {
      phases.push_back(ipa::download_phase_name(e.phase));
      if (e.result) last_line = e.result->line();
    };
    auto result = ipa::download_profile(*channel, request, options);
    INFO(result.line());
    return result;
  }
  std::string code(const std::string& matching_id) const { return "LPA:1$" + smdp.address() + "$" + matching_id; }

  std::vector<ipa::es10c::ProfileInfo> profiles() {
    auto p = ipa::es10c::get_profiles_info(*channel);
    REQUIRE(p);
    return *p;
  }
  std::vector<smdp::NotificationRecord> notifications_at_smdp(const std::string& iccid) {
    return smdp.store->notifications(iccid).value();
  }
};

void check_es9_codes(const ipa::DownloadResult& r, const std::string& function, const std::string& subject,
                     const std::string& reason) {
  INFO(r.line());
  REQUIRE(r.es9_error);
  CHECK(ipa::es9_function_name(r.es9_error->function) == function);
  CHECK(r.es9_error->subject_code == subject);
  CHECK(r.es9_error->reason_code == reason);
  CHECK(r.line().find(subject + "/" + reason) != std::string::npos);
}

}  // namespace

TEST_CASE("download: from an activation code to a profile installed on the card and at the SM-DP+", "[ipa][download]") {
  ipa::Es9Binding binding = GENERATE(ipa::Es9Binding::json, ipa::Es9Binding::asn1);
  Device d;
  const std::string iccid = "8949449999999990201";
  d.smdp.add_order(iccid, "IPA-DL-1");
  auto result = d.download(d.code("IPA-DL-1"), std::nullopt, binding);

  CHECK(result.success);
  CHECK(result.iccid == iccid);
  CHECK(result.notification_sent);
  CHECK_FALSE(result.cancel_reason);
  CHECK(result.transaction_id.size() == 32);
  // The card's signed result as it came, the one the SM-DP+ got.
  REQUIRE(result.profile_installation_result.size() > 2);
  CHECK(result.profile_installation_result[0] == 0xBF);
  CHECK(result.profile_installation_result[1] == 0x37);
  CHECK(d.notifications_at_smdp(iccid).at(0).pending_notification == result.profile_installation_result);
  CHECK(d.smdp.state_of(iccid) == smdp::ProfileState::installed);
  CHECK(d.notifications_at_smdp(iccid).size() == 1);
  auto profiles = d.profiles();
  REQUIRE(profiles.size() == 1);
  CHECK(profiles[0].iccid == iccid);
  // NotificationSent removed the installation result from the card.
  auto pending = ipa::es10b::list_notification(*d.channel);
  REQUIRE(pending);
  CHECK(pending->empty());

  CHECK(d.phases == std::vector<std::string>{"es10b_get_euicc_challenge_and_info", "es9p_initiate_authentication",
                                             "es10b_authenticate_server", "es9p_authenticate_client",
                                             "es10b_prepare_download", "es9p_get_bound_profile_package",
                                             "es10b_load_bound_profile_package", "es9p_handle_notification",
                                             "finished"});
  CHECK(d.last_line == result.line());
  CHECK(result.line().rfind("installed " + iccid, 0) == 0);
  // What one download costs on both links (the closing note asks for it).
  CHECK(result.apdus > 10);
  CHECK(result.es9.exchanges == 4);
  CHECK(result.es9.bytes_received > result.es9.bytes_sent);
  // SGP.22 v2.5 §2.5.5: the BPP went in as few 255-byte STORE DATA blocks as its parts allow.
  CHECK(result.store_data_apdus > 4);
  CHECK(result.store_data_apdus == result.store_data_minimum);
  // HTTP headers and the TLS records (one handshake: the connection is kept for the four calls).
  CHECK(result.es9.header_bytes_sent > 4 * 100);
  CHECK(result.es9.header_bytes_received > 4 * 30);
  CHECK(result.es9.tls_bytes_sent > result.es9.bytes_sent + result.es9.header_bytes_sent);
  CHECK(result.es9.tls_bytes_received > result.es9.bytes_received + result.es9.header_bytes_received + 500);
  WARN("one download (" << (binding == ipa::Es9Binding::json ? "JSON" : "ASN.1") << " binding): " << result.apdus
                        << " APDUs (" << result.apdu_bytes << " bytes), ES9+ " << result.es9.bytes_sent
                        << " bytes sent, " << result.es9.bytes_received << " received");
}

TEST_CASE("download: the confirmation code", "[ipa][download]") {
  Device d;
  const std::string iccid = "8949449999999990202";
  d.smdp.add_order(iccid, "IPA-DL-CC", std::nullopt, "1234");

  SECTION("the right code installs the profile") {
    auto result = d.download(d.code("IPA-DL-CC"), "1234");
    CHECK(result.success);
    CHECK(d.smdp.state_of(iccid) == smdp::ProfileState::installed);
  }
  SECTION("a wrong code: 8.2.7/3.8 from getBoundProfilePackage, the session cancelled on both sides") {
    auto result = d.download(d.code("IPA-DL-CC"), "4321");
    CHECK_FALSE(result.success);
    CHECK(result.failed_phase == DownloadPhase::get_bound_profile_package);
    check_es9_codes(result, "getBoundProfilePackage", "8.2.7", "3.8");
    CHECK(result.cancel_reason == ipa::es10b::CancelSessionReason::undefinedReason);
    CHECK(result.session_cancelled);
    CHECK(d.profiles().empty());
    // The order is still there: the right code then succeeds.
    CHECK(d.download(d.code("IPA-DL-CC"), "1234").success);
  }
  SECTION("no code: the download stops before PrepareDownload, postponed") {
    auto result = d.download(d.code("IPA-DL-CC"));
    CHECK_FALSE(result.success);
    CHECK(result.failed_phase == DownloadPhase::authenticate_client);
    CHECK(result.cancel_reason == ipa::es10b::CancelSessionReason::postponed);
    CHECK(result.session_cancelled);
    CHECK(std::find(d.phases.begin(), d.phases.end(), "es10b_prepare_download") == d.phases.end());
  }
  SECTION("an activation code that asks for one, given none: nothing is sent") {
    auto result = d.download(d.code("IPA-DL-CC") + "$$1");
    CHECK_FALSE(result.success);
    CHECK(result.failed_phase == DownloadPhase::get_euicc_info);
    CHECK(result.es9.exchanges == 0);
    CHECK(result.apdus == 0);
  }
}

TEST_CASE("download: an order bound to another EID is refused with 8.1.1/3.8 and the session cancelled",
          "[ipa][download]") {
  Device d;
  d.smdp.add_order("8949449999999990203", "IPA-DL-EID", "89049032123451234512345678901235");
  auto result = d.download(d.code("IPA-DL-EID"));
  CHECK_FALSE(result.success);
  CHECK(result.failed_phase == DownloadPhase::authenticate_client);
  check_es9_codes(result, "authenticateClient", "8.1.1", "3.8");
  CHECK(result.session_cancelled);
  CHECK(d.profiles().empty());
}

TEST_CASE("download: no matchingId gets the order bound to the card's EID and then nothing for this EID (8.1.1/3.8)",
          "[ipa][download]") {
  Device d;
  smdp::ProfileRecord order = ipa::test::released_order("8949449999999990208", "", d.smdp.address());
  order.matching_id.reset();  // ConfirmOrder with an empty matchingId: the order is found by EID
  order.eid = d.euicc->eid();
  REQUIRE(d.smdp.store->add_profile(order));
  ipa::DownloadRequest request;
  request.activation_code.smdp_address = d.smdp.address();
  for (auto binding : {ipa::Es9Binding::json, ipa::Es9Binding::asn1}) {
    auto result = d.download(request, binding);
    if (binding == ipa::Es9Binding::json) {
      REQUIRE(result.success);
      CHECK(result.iccid == "8949449999999990208");
      continue;
    }
    // Installed: nothing is left for this EID, and the session ends on both sides.
    CHECK_FALSE(result.success);
    CHECK(result.failed_phase == DownloadPhase::authenticate_client);
    check_es9_codes(result, "authenticateClient", "8.1.1", "3.8");
    CHECK(result.session_cancelled);
  }
  CHECK(d.profiles().size() == 1);
}

TEST_CASE("download: a card whose signatures are wrong is refused with 8.1/6.1, and cancelSession is sent",
          "[ipa][download]") {
  Device d({"wrong-signature"});
  d.smdp.add_order("8949449999999990204", "IPA-DL-SIG");
  auto result = d.download(d.code("IPA-DL-SIG"));
  CHECK_FALSE(result.success);
  CHECK(result.failed_phase == DownloadPhase::authenticate_client);
  check_es9_codes(result, "authenticateClient", "8.1", "6.1");
  CHECK(result.cancel_reason == ipa::es10b::CancelSessionReason::undefinedReason);
  CHECK(std::find(d.phases.begin(), d.phases.end(), "es10b_cancel_session") != d.phases.end());
  CHECK(result.es9.exchanges == 3);  // initiateAuthentication, authenticateClient, cancelSession
  CHECK(d.profiles().empty());
}

TEST_CASE("download: an unknown matchingId, another SM-DP+ and an unreachable one", "[ipa][download]") {
  Device d;
  SECTION("unknown matchingId: 8.2.6/3.8") {
    auto result = d.download(d.code("NO-SUCH-ORDER"));
    check_es9_codes(result, "authenticateClient", "8.2.6", "3.8");
    CHECK(result.session_cancelled);
  }
  SECTION("the activation code names an address the SM-DP+ does not answer for: 8.8.1/3.8, no session") {
    auto result = d.download("LPA:1$127.0.0.1$IPA-DL-X");  // the same server (its TLS certificate names both)
    CHECK_FALSE(result.success);
    CHECK(result.failed_phase == DownloadPhase::initiate_authentication);
    check_es9_codes(result, "initiateAuthentication", "8.8.1", "3.8");
    CHECK_FALSE(result.cancel_reason);
  }
  SECTION("a stopped SM-DP+: a transport error at initiateAuthentication, nothing to cancel") {
    d.smdp.server->stop();
    auto result = d.download(d.code("IPA-DL-X"));
    CHECK(result.failed_phase == DownloadPhase::initiate_authentication);
    REQUIRE(result.es9_error);
    CHECK(result.es9_error->is_transport());
    CHECK_FALSE(result.cancel_reason);
  }
}

TEST_CASE("download: an SM-DP+ that signs another address than the one called is left before the eUICC sees it",
          "[ipa][download]") {
  Device d;
  d.smdp.add_order("8949449999999990205", "IPA-DL-ADDR");
  // The IPA calls "127.0.0.1"; on the way the request is made to name "localhost", which the
  // SM-DP+ then signs in serverSigned1 (SGP.22 v2.5 §3.1.3.1: the LPA compares it with its own).
  ipa::test::Es9Proxy proxy(d.smdp, [](rsp::http::Request& r) -> std::optional<rsp::http::Response> {
    if (r.target.ends_with("/initiateAuthentication")) {
      auto at = r.body.find("\"127.0.0.1\"");
      if (at != std::string::npos) r.body.replace(at, 11, "\"localhost\"");
    }
    return std::nullopt;
  });
  ipa::DownloadOptions options;
  options.es9 = d.smdp.client_options();
  options.es9.port = proxy.port();
  std::vector<DownloadPhase> phases;
  options.progress = [&](const ipa::DownloadEvent& e) { phases.push_back(e.phase); };
  ipa::DownloadRequest request{rsp::ActivationCode::parse("LPA:1$127.0.0.1$IPA-DL-ADDR").value(), std::nullopt};
  auto result = ipa::download_profile(*d.channel, request, options);
  INFO(result.line());
  CHECK_FALSE(result.success);
  CHECK(result.failed_phase == DownloadPhase::initiate_authentication);
  CHECK(result.message.find("serverSigned1") != std::string::npos);
  CHECK_FALSE(result.es9_error);
  CHECK_FALSE(result.cancel_reason);
  CHECK(phases == std::vector<DownloadPhase>{DownloadPhase::get_euicc_info, DownloadPhase::initiate_authentication,
                                             DownloadPhase::finished});
}

TEST_CASE("download: the end user's no, and an installation result the SM-DP+ did not take", "[ipa][download]") {
  Device d;
  d.smdp.add_order("8949449999999990206", "IPA-DL-END");
  ipa::DownloadOptions options;
  options.es9 = d.smdp.client_options();
  ipa::DownloadRequest request{rsp::ActivationCode::parse(d.code("IPA-DL-END")).value(), std::nullopt};

  SECTION("refused on the profile's metadata: CancelSession endUserRejection ends the order") {
    options.confirm = [](rsp::ByteView metadata) { return rsp::tlv::read(metadata)->tag != 0xBF25; };
    auto result = ipa::download_profile(*d.channel, request, options);
    INFO(result.line());
    CHECK(result.failed_phase == DownloadPhase::authenticate_client);
    CHECK(result.cancel_reason == ipa::es10b::CancelSessionReason::endUserRejection);
    CHECK(result.session_cancelled);
    CHECK(d.smdp.state_of("8949449999999990206") != smdp::ProfileState::released);
  }
  SECTION("handleNotification unanswered: installed, the result kept on the card for later") {
    ipa::test::Es9Proxy proxy(d.smdp, [](rsp::http::Request& r) -> std::optional<rsp::http::Response> {
      if (r.target.ends_with("/handleNotification")) return rsp::http::Response{503, {}, ""};
      return std::nullopt;
    });
    options.es9.port = proxy.port();
    auto result = ipa::download_profile(*d.channel, request, options);
    INFO(result.line());
    CHECK(result.success);
    CHECK_FALSE(result.notification_sent);
    CHECK(result.line().find("stays on the card") != std::string::npos);
    auto pending = ipa::es10b::list_notification(*d.channel);
    REQUIRE(pending);
    CHECK(pending->size() == 1);
  }
}
