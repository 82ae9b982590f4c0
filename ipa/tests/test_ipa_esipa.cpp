// The IPAd's poll round (ipa_ipad) in one process: the software eUICC behind the IPA's Transport,
// given its eIM by AddInitialEim (the test PKI's eIM certificate, its TLS trust the PKI's CI, its
// eimFqdn the scripted eIM's loopback address), a scripted eIM over HTTPS (ASN.1 binding) whose
// packages eim_packages signs and whose results it verifies, and the real SM-DP+ in-process for
// ProfileDownloadTriggers.
#include <catch2/catch.hpp>

#include "card_transport.hpp"
#include "eim/euicc_package.hpp"
#include "euicc/card.hpp"
#include "ipa/es10a.hpp"
#include "ipa/es10c.hpp"
#include "ipa/esipa_messages.hpp"
#include "ipa/ipad.hpp"
#include "ipa/sgp32_es10b.hpp"
#include "ipa/sgp32_notifications.hpp"
#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/eid.hpp"
#include "scripted_eim.hpp"
#include "smdp_harness.hpp"

namespace {

using rsp::Bytes;
using rsp::crypto::Curve;
using rsp::crypto::Role;
using rsp::tlv::encode;
namespace crypto = rsp::crypto;

const std::string kEimId = "eim-1";
const std::string kIccid = "8949449999999990049";

Bytes contents(const Bytes& der) {
  auto t = rsp::tlv::read(der).value();
  return Bytes(t.value.begin(), t.value.end());
}

// A card with its eIM, the eIM, and the SM-DP+ of the same PKI.
struct Device {
  ipa::test::SmdpHarness smdp;
  ipa::test::ScriptedEim eim{smdp.pki};
  std::unique_ptr<euicc::Euicc> euicc = smdp.open_card("card");
  euicc::Card terminal{euicc->isdr(), euicc->usim()};
  ipa::test::CardTransport transport{terminal};
  std::unique_ptr<ipa::Es10Channel> channel;
  crypto::PrivateKey eim_key = rsp::pki::load_key(smdp.pki, Curve::nist_p256, Role::eim).value();
  crypto::Certificate ci = rsp::pki::load_certificate(smdp.pki, Curve::nist_p256, Role::ci).value();
  std::optional<int64_t> token;
  uint64_t counter = 0;
  Bytes eid;

  // `tls_trust`: the certificate the eIM's configuration names for its TLS (default: the PKI's CI),
  // or `trust_data`: trustedPublicKeyDataTls's contents as they are.
  // `indirect`: the configuration offers indirectProfileDownload.
  explicit Device(std::optional<crypto::Certificate> tls_trust = std::nullopt,
                  std::optional<Bytes> trust_data = std::nullopt, bool indirect = false) {
    REQUIRE(transport.connect());
    channel = std::make_unique<ipa::Es10Channel>(transport);
    eid = rsp::eid::to_bytes(ipa::es10c::get_eid(*channel).value()).value();
    auto eim_cert = rsp::pki::load_certificate(smdp.pki, Curve::nist_p256, Role::eim).value();
    Bytes configuration = encode(
        0x30, rsp::concat({encode(0x80, rsp::to_bytes(kEimId)), encode(0x81, rsp::to_bytes(eim.address())),
                           encode(0x83, Bytes{0}), encode(0x84, Bytes{0}),
                           encode(0xA5, encode(0xA1, contents(eim_cert.der()))),
                           encode(0xA6, trust_data.value_or(encode(0xA1, contents(tls_trust.value_or(ci).der())))),
                           encode(0x87, Bytes{0x07, 0x80}), indirect ? encode(0x89, {}) : Bytes{}}));
    auto added = ipa::sgp32::add_initial_eim(*channel, {configuration});
    REQUIRE(added);
    REQUIRE(added->size() == 1);
    token = added->front();
  }

  ipa::IpadOptions options() const {
    ipa::IpadOptions o;
    o.esipa.http.connect_timeout = std::chrono::milliseconds(2000);
    o.esipa.http.total_timeout = std::chrono::milliseconds(10000);
    o.esipa.retry_delay = std::chrono::milliseconds(10);
    o.download.es9 = smdp.client_options();
    return o;
  }
  ipa::PollSummary poll(ipa::EsipaBinding binding = ipa::EsipaBinding::asn1) {
    auto o = options();
    o.esipa.binding = binding;
    auto s = ipa::poll_eim(*channel, o);
    INFO(s.line());
    return s;
  }

  eim::PackageRequest request(std::vector<eim::Operation> operations) {
    eim::PackageRequest r;
    r.eim_id = kEimId;
    r.eid = eid;
    r.counter_value = ++counter;
    r.eim_transaction_id = Bytes{0x10, static_cast<uint8_t>(counter)};
    r.operations = std::move(operations);
    r.association_token = token;
    return r;
  }
  // Queues the package at the eIM; the request is kept for verifying the result.
  eim::PackageRequest queue(std::vector<eim::Operation> operations) {
    auto r = request(std::move(operations));
    eim.queue(eim::build_euicc_package_request(r, eim_key).value());
    return r;
  }
  eim::EuiccTrust trust() {
    auto certs = ipa::sgp32::get_certs(*channel).value();
    eim::EuiccTrust t{crypto::Certificate::from_der(certs.euicc_certificate).value(),
                      crypto::Certificate::from_der(certs.eum_certificate).value(),
                      {},
                      0};
    t.cis.add(ci);
    return t;
  }
  // A profile installed by a direct download, disabled; `every_event`: its notificationConfigurationInfo
  // asks for enable and disable notifications as well (the test profiles ask for install and delete).
  void install(const std::string& iccid, bool every_event = false) {
    if (every_event) {
      auto order = ipa::test::released_order(iccid, "MATCH-" + iccid, smdp.address());
      const Bytes install_and_delete = {0x80, 0x02, 0x04, 0x90};
      auto at = std::search(order.metadata.begin(), order.metadata.end(), install_and_delete.begin(),
                            install_and_delete.end());
      REQUIRE(at != order.metadata.end());
      at[3] = 0xF0;  // NotificationEvent bits 0-3: install, enable, disable, delete
      REQUIRE(smdp.store->add_profile(order));
    } else {
      smdp.add_order(iccid, "MATCH-" + iccid);
    }
    auto code = rsp::ActivationCode::parse("1$" + smdp.address() + "$MATCH-" + iccid).value();
    ipa::DownloadOptions o;
    o.es9 = smdp.client_options();
    auto result = ipa::download_profile(*channel, ipa::DownloadRequest{code, std::nullopt}, o);
    INFO(result.line());
    REQUIRE(result.success);
  }
  std::optional<ipa::es10c::ProfileState> state_of(const std::string& iccid) {
    for (const auto& p : ipa::es10c::get_profiles_info(*channel).value())
      if (p.iccid == iccid) return p.state;
    return std::nullopt;
  }
  std::vector<ipa::es10b::PendingNotification> pending() {
    return ipa::es10b::retrieve_notifications_list(*channel).value();
  }
  std::vector<smdp::NotificationRecord> smdp_notifications(const std::string& iccid) {
    return smdp.store->notifications(iccid).value();
  }
  size_t kept_results() { return ipa::sgp32::retrieve_euicc_package_results(*channel).value().size(); }
  // The first byte pairs of what the eIM received: "BF4F", "BF50", ...
  std::vector<std::string> received_tags() {
    std::vector<std::string> tags;
    for (const auto& r : eim.received()) tags.push_back(rsp::to_hex(Bytes(r.body.begin(), r.body.begin() + 2)));
    return tags;
  }
};

const eim::OperationResult& only(const eim::PackageOutcome& o) {
  INFO(o.message);
  REQUIRE(o.kind == eim::PackageOutcome::Kind::results);
  REQUIRE(o.results.size() == 1);
  return o.results[0];
}

}  // namespace

TEST_CASE(
    "ipad: enable/disable/delete PSMOs run on the card and the signed results verify and leave the card once acknowledged",
    "[ipa][esipa]") {
  Device d;
  d.install(kIccid);
  REQUIRE(d.state_of(kIccid) == ipa::es10c::ProfileState::disabled);

  auto enable = d.queue({eim::psmo::enable(kIccid)});
  auto round = d.poll();
  REQUIRE(round.success);
  CHECK(round.packages == 1);
  CHECK(round.euicc_packages == 1);
  CHECK(round.results_reported == 1);
  CHECK(round.results_removed == 1);
  CHECK(round.eim_package_error == 1);
  CHECK(round.esipa.bytes_sent > 0);
  CHECK(round.esipa.bytes_received > 0);
  CHECK(d.received_tags() == std::vector<std::string>{"BF4F", "BF50", "BF4F"});
  for (const auto& r : d.eim.received()) {
    CHECK(r.content_type == "application/x-gsma-rsp-asn1");
    CHECK(r.admin_protocol == "gsma/rsp/v2.1.0");
    CHECK(r.user_agent == "gsma-rsp-ipad");
  }
  auto results = d.eim.results();
  REQUIRE(results.size() == 1);
  auto outcome = eim::verify_euicc_package_result(results[0], enable, d.trust());
  CHECK(only(outcome).operation == "enable");
  CHECK(only(outcome).code_name == "ok");
  CHECK(d.state_of(kIccid) == ipa::es10c::ProfileState::enabled);
  CHECK(d.kept_results() == 0);

  // Nothing is sent again: the next round only asks.
  auto quiet = d.poll();
  CHECK(quiet.success);
  CHECK(quiet.packages == 0);
  CHECK(quiet.results_reported == 0);
  CHECK(d.eim.results().size() == 1);

  // Two packages in one round, each reported in order.
  auto disable = d.queue({eim::psmo::disable(kIccid)});
  auto remove = d.queue({eim::psmo::remove(kIccid)});
  auto both = d.poll();
  REQUIRE(both.success);
  CHECK(both.packages == 2);
  CHECK(both.results_removed == 2);
  results = d.eim.results();
  REQUIRE(results.size() == 3);
  CHECK(only(eim::verify_euicc_package_result(results[1], disable, d.trust())).code_name == "ok");
  CHECK(only(eim::verify_euicc_package_result(results[2], remove, d.trust())).operation == "delete");
  CHECK(only(eim::verify_euicc_package_result(results[2], remove, d.trust())).code_name == "ok");
  CHECK(!d.state_of(kIccid));
  CHECK(d.kept_results() == 0);
}

TEST_CASE("ipad: a result whose report was lost stays on the card and is reported on the next round once",
          "[ipa][esipa]") {
  Device d;
  auto list = d.queue({eim::psmo::list_profile_info()});
  d.eim.lose_next_report();
  auto first = d.poll();
  CHECK(!first.success);
  CHECK(first.packages == 1);
  CHECK(first.results_reported == 0);
  REQUIRE(!first.errors.empty());
  CHECK(first.errors.front().find("provideEimPackageResult") != std::string::npos);
  CHECK(first.errors.front().find("HTTP 500") != std::string::npos);
  CHECK(d.kept_results() == 1);
  CHECK(d.eim.results().empty());

  auto second = d.poll();
  REQUIRE(second.success);
  CHECK(second.packages == 0);
  CHECK(second.results_reported == 1);
  CHECK(second.results_removed == 1);
  auto results = d.eim.results();
  REQUIRE(results.size() == 1);
  CHECK(only(eim::verify_euicc_package_result(results[0], list, d.trust())).operation == "listProfileInfo");
  CHECK(d.kept_results() == 0);
  // The kept result went before the next GetEimPackage.
  auto tags = d.received_tags();
  CHECK(tags == std::vector<std::string>{"BF4F", "BF50", "BF50", "BF4F"});

  auto third = d.poll();
  CHECK(third.success);
  CHECK(third.results_reported == 0);
  CHECK(d.eim.results().size() == 1);
}

TEST_CASE("ipad: an IpaEuiccDataRequest is answered with the members its tagList names", "[ipa][esipa]") {
  Device d;
  // tagList: euiccInfo1, euiccInfo2, associationToken, eumCertificate, euiccCertificate, rootSmdsAddress,
  // deviceInfo, ipaCapabilities.
  Bytes tag_list = {0xBF, 0x20, 0xBF, 0x22, 0x84, 0xA5, 0xA6, 0x83, 0xA9, 0xA8};
  d.eim.queue(encode(0xBF52, rsp::concat({encode(0x5C, tag_list), encode(0x83, Bytes{0xAB, 0xCD})})));
  auto round = d.poll();
  REQUIRE(round.success);
  CHECK(round.ipa_euicc_data == 1);
  auto results = d.eim.results();
  REQUIRE(results.size() == 1);
  auto response = rsp::tlv::read(results[0]).value();
  REQUIRE(response.tag == 0xBF52);
  auto data = rsp::tlv::read(response.value).value();
  REQUIRE(data.tag == 0xA0);
  std::vector<rsp::tlv::Tag> tags;
  for (const auto& m : rsp::tlv::read_all(data.value).value()) tags.push_back(m.tag);
  CHECK(tags == std::vector<rsp::tlv::Tag>{0xBF20, 0xBF22, 0x83, 0x84, 0xA5, 0xA6, 0x87, 0xA8, 0xA9});
  // This IPA downloads directly and polls over HTTPS; its DeviceInfo is the downloads' (TAC 35290611).
  CHECK(rsp::to_hex(
            Bytes(rsp::tlv::find(data.value, 0xA8)->whole.begin(), rsp::tlv::find(data.value, 0xA8)->whole.end())) ==
        "A80880020780810207"
        "80");
  CHECK(rsp::to_hex(
            Bytes(rsp::tlv::find(data.value, 0xA9)->whole.begin(), rsp::tlv::find(data.value, 0xA9)->whole.end())) ==
        "A9088004352906"
        "11A100");
  CHECK(rsp::tlv::find(data.value, 0x87)->value.size() == 2);  // the eimTransactionId echoed
  auto token = rsp::tlv::find(data.value, 0x84).value();
  CHECK(static_cast<int64_t>(token.value.back()) == d.token.value());
  // The certificates verify: CI -> EUM -> eUICC, the eUICC's for this EID.
  auto eum = crypto::Certificate::from_der(encode(0x30, rsp::tlv::find(data.value, 0xA5)->value)).value();
  auto euicc_cert = crypto::Certificate::from_der(encode(0x30, rsp::tlv::find(data.value, 0xA6)->value)).value();
  crypto::TrustedCis cis;
  cis.add(d.ci);
  CHECK(crypto::verify_chain(euicc_cert, Role::euicc, {eum}, cis, time(nullptr)));

  SECTION("a tag the IPA cannot serve: incorrectTagList, nothing else") {
    d.eim.queue(encode(0xBF52, encode(0x5C, Bytes{0xBF, 0x20, 0xBF, 0x2D})));
    auto refused = d.poll();
    CHECK(refused.success);  // the answer reached the eIM
    results = d.eim.results();
    REQUIRE(results.size() == 2);
    CHECK(rsp::to_hex(results[1]) == "BF5205A103020101");
  }
}

TEST_CASE("ipad: a ProfileDownloadTrigger installs from the SM-DP+ and its result is reported", "[ipa][esipa]") {
  Device d;
  d.smdp.add_order(kIccid, "TRIGGERED");
  std::string code = "1$" + d.smdp.address() + "$TRIGGERED";
  d.eim.queue(
      encode(0xBF54, rsp::concat({encode(0xA0, encode(0x80, rsp::to_bytes(code))), encode(0x82, Bytes{0x77})})));
  auto round = d.poll();
  REQUIRE(round.success);
  CHECK(round.download_triggers == 1);
  CHECK(round.es9.bytes_received > 0);
  CHECK(d.state_of(kIccid) == ipa::es10c::ProfileState::disabled);
  CHECK(d.smdp.state_of(kIccid) == smdp::ProfileState::installed);  // its notification went to the SM-DP+
  auto results = d.eim.results();
  REQUIRE(results.size() == 1);
  auto result = rsp::tlv::read(results[0]).value();
  REQUIRE(result.tag == 0xBF54);
  CHECK(rsp::to_hex(Bytes(rsp::tlv::find(result.value, 0x82)->value.begin(),
                          rsp::tlv::find(result.value, 0x82)->value.end())) == "77");
  auto installation = rsp::tlv::find(result.value, 0xBF37);
  REQUIRE(installation);
  // The card's signed result, success (finalResult A0 successResult).
  auto data = rsp::tlv::find(installation->value, 0xBF27).value();
  auto final_result = rsp::tlv::find(rsp::tlv::find(data.value, 0xA2)->value, 0xA0);
  CHECK(final_result);

  SECTION("an order that does not exist: the error result, the card unchanged") {
    d.eim.queue(encode(0xBF54, encode(0xA0, encode(0x80, rsp::to_bytes("1$" + d.smdp.address() + "$NO-SUCH-ORDER")))));
    auto failed = d.poll();
    CHECK(failed.success);  // reported
    results = d.eim.results();
    REQUIRE(results.size() == 2);
    CHECK(rsp::to_hex(results[1]) == "BF5405300380017F");
  }
}

TEST_CASE("ipad: the eIM's eimPackageError values end the round cleanly", "[ipa][esipa]") {
  Device d;
  for (auto [code, name] : std::vector<std::pair<uint8_t, std::string>>{
           {2, "eidNotFound"}, {3, "invalidEid"}, {4, "missingEid"}, {127, "undefinedError"}}) {
    d.eim.queue_answer(encode(0xBF4F, encode(0x02, Bytes{code})));
    auto round = d.poll();
    CHECK(!round.success);
    CHECK(round.eim_package_error == code);
    REQUIRE(round.errors.size() == 1);
    CHECK(round.errors.front() == "getEimPackage: the eIM answered " + name);
  }
  CHECK(d.eim.results().empty());
  auto fine = d.poll();
  CHECK(fine.success);
}

TEST_CASE("ipad: a malformed answer from the eIM is refused and the card is not touched", "[ipa][esipa]") {
  Device d;
  d.install(kIccid);
  auto good = eim::build_euicc_package_request(d.request({eim::psmo::enable(kIccid)}), d.eim_key).value();
  SECTION("not DER") { d.eim.queue_answer(Bytes{0xBF, 0x4F, 0x05, 0x01}); }
  SECTION("a package the schema refuses (counterValue missing)") {
    Bytes broken = good;
    // euiccPackageSigned's 81 counterValue renamed to an unknown context tag 9F7F.
    auto at = std::search(broken.begin(), broken.end(), d.eid.begin(), d.eid.end()) + 16;
    REQUIRE(*at == 0x81);
    *at = 0x8F;
    d.eim.queue(broken);
  }
  SECTION("another message") { d.eim.queue_answer(encode(0xBF50, encode(0x30, {}))); }
  auto round = d.poll();
  CHECK(!round.success);
  REQUIRE(round.errors.size() == 1);
  CHECK(round.errors.front().starts_with("the eIM's GetEimPackage answer "));
  CHECK(round.packages == 0);
  CHECK(d.state_of(kIccid) == ipa::es10c::ProfileState::disabled);
  CHECK(d.kept_results() == 0);
  CHECK(d.received_tags() == std::vector<std::string>{"BF4F"});
}

TEST_CASE("ipad: an eIM whose TLS certificate the configuration does not trust is refused", "[ipa][esipa]") {
  rsp::test::TempDir other;
  rsp::pki::MakeOptions make;
  REQUIRE(rsp::pki::make(other.path() / "pki", make));
  Device d(rsp::pki::load_certificate(other.path() / "pki", Curve::nist_p256, Role::ci).value());
  d.queue({eim::psmo::get_rat()});
  auto round = d.poll();
  CHECK(!round.success);
  REQUIRE(round.errors.size() == 1);
  CHECK(round.errors.front().find("TLS certificate verification failed") != std::string::npos);
  CHECK(d.eim.received().empty());
  CHECK(d.kept_results() == 0);

  SECTION("an address override does not change whom the IPA trusts") {
    auto o = d.options();
    o.eim_address = d.eim.address();
    CHECK(!ipa::poll_eim(*d.channel, o).success);
    CHECK(d.eim.received().empty());
  }
}

TEST_CASE("ipad: the JSON binding carries the same round through rsp_esipa's translation", "[ipa][esipa]") {
  Device d;
  auto list = d.queue({eim::psmo::list_profile_info()});
  auto round = d.poll(ipa::EsipaBinding::json);
  REQUIRE(round.success);
  CHECK(round.binding == ipa::EsipaBinding::json);
  CHECK(round.packages == 1);
  CHECK(round.results_removed == 1);
  CHECK(round.eim_package_error == 1);
  CHECK(d.received_tags() == std::vector<std::string>{"BF4F", "BF50", "BF4F"});
  for (const auto& r : d.eim.received()) CHECK(r.content_type == "application/json;charset=UTF-8");
  auto results = d.eim.results();
  REQUIRE(results.size() == 1);
  CHECK(only(eim::verify_euicc_package_result(results[0], list, d.trust())).operation == "listProfileInfo");
  CHECK(d.kept_results() == 0);
  // The traffic counted is the JSON bodies': base64 makes them longer than the DER.
  auto asn1 = d.poll(ipa::EsipaBinding::asn1);
  CHECK(round.esipa.bytes_sent > 2 * asn1.esipa.bytes_sent);

  SECTION("an eIM error in the JSON form ends the round as in the ASN.1 binding") {
    d.eim.queue_answer(encode(0xBF4F, encode(0x02, Bytes{2})));
    auto refused = d.poll(ipa::EsipaBinding::json);
    CHECK(!refused.success);
    CHECK(refused.eim_package_error == 2);
  }
}

TEST_CASE("ipad: a ProfileDownloadTrigger with contactDefaultSmdp downloads the order bound to the EID",
          "[ipa][esipa]") {
  Device d;
  smdp::ProfileRecord order = ipa::test::released_order(kIccid, "", d.smdp.address());
  order.matching_id.reset();
  order.eid = d.euicc->eid();
  REQUIRE(d.smdp.store->add_profile(order));
  d.eim.queue(encode(0xBF54, encode(0xA0, encode(0x81, {}))));

  SECTION("the eUICC has no default SM-DP+: the error result, nothing downloaded") {
    REQUIRE(ipa::es10a::set_default_dp_address(*d.channel, ""));
    CHECK(d.poll().success);
    auto results = d.eim.results();
    REQUIRE(results.size() == 1);
    CHECK(rsp::to_hex(results[0]) == "BF5405300380017F");
    CHECK(!d.state_of(kIccid));
  }
  SECTION("the default SM-DP+ serves it") {
    REQUIRE(ipa::es10a::set_default_dp_address(*d.channel, d.smdp.address()));
    auto round = d.poll();
    REQUIRE(round.success);
    CHECK(d.state_of(kIccid) == ipa::es10c::ProfileState::disabled);
    auto results = d.eim.results();
    REQUIRE(results.size() == 1);
    auto result = rsp::tlv::read(results[0]).value();
    CHECK(rsp::tlv::find(result.value, 0xBF37));
  }
}

TEST_CASE("ipad: a front end's 503 is retried with backoff and a 500 is not", "[ipa][esipa]") {
  Device d;
  auto list = d.queue({eim::psmo::list_profile_info()});
  d.eim.refuse_next(2, 503);
  auto retried = d.poll();
  REQUIRE(retried.success);
  CHECK(d.eim.refused() == 2);
  CHECK(retried.packages == 1);
  CHECK(retried.esipa.exchanges == 5);  // GetEimPackage three times, ProvideEimPackageResult, GetEimPackage

  d.eim.refuse_next(1, 500);
  auto refused = d.poll();
  CHECK(!refused.success);
  CHECK(d.eim.refused() == 3);
  REQUIRE(refused.errors.size() == 1);
  CHECK(refused.errors.front() == "getEimPackage at " + d.eim.address() + ": the eIM answered HTTP 500");

  d.eim.refuse_next(5, 503);  // more than the attempts allowed
  auto gave_up = d.poll();
  CHECK(!gave_up.success);
  CHECK(d.eim.refused() == 6);
  CHECK(gave_up.esipa.exchanges == 3);
}

TEST_CASE("ipad: a bare TLS key in the eIM's configuration leaves the trust to the given CAs", "[ipa][esipa]") {
  // trustedEimPkTls A0 { SubjectPublicKeyInfo contents }: the HTTPS client cannot pin a bare key.
  Bytes key = contents(crypto::PrivateKey::generate(Curve::nist_p256).public_key().spki_der());
  Device d(std::nullopt, encode(0xA0, key));
  d.queue({eim::psmo::get_rat()});
  auto o = d.options();
  auto untrusted = ipa::poll_eim(*d.channel, o);  // no CA given: the system's store, which does not know the test CI
  CHECK(!untrusted.success);
  REQUIRE(untrusted.errors.size() == 1);
  CHECK(untrusted.errors.front().find("TLS certificate verification failed") != std::string::npos);
  o.esipa.http.trusted_ca_files.push_back(d.smdp.ci_pem());
  auto trusted = ipa::poll_eim(*d.channel, o);
  CHECK(trusted.success);
  CHECK(trusted.packages == 1);
}

TEST_CASE("ipad: a LoadEuiccPackage the card refuses with a status word is reported as undefinedError",
          "[ipa][esipa]") {
  Device d;
  auto rat = d.queue({eim::psmo::get_rat()});
  // STORE DATA whose first block starts the EuiccPackageRequest: 6A80 (incorrect data) instead of the card.
  d.transport.intercept = [](rsp::ByteView apdu) -> std::optional<Bytes> {
    if (apdu.size() > 7 && apdu[1] == 0xE2 && apdu[5] == 0xBF && apdu[6] == 0x51) return Bytes{0x6A, 0x80};
    return std::nullopt;
  };
  auto round = d.poll();
  CHECK(!round.success);
  REQUIRE(round.errors.size() == 1);
  CHECK(round.errors.front().starts_with("LoadEuiccPackage: "));
  CHECK(round.errors.front().find("6A80") != std::string::npos);
  auto results = d.eim.results();
  REQUIRE(results.size() == 1);
  CHECK(results[0] == encode(0xA0, rsp::concat({encode(0x80, *rat.eim_transaction_id), encode(0x02, Bytes{0x7F})})));
  CHECK(d.kept_results() == 0);
}

TEST_CASE(
    "ipad: the notifications PSMOs leave go to the SM-DP+ at the round's end and leave the card, a failed one waits",
    "[ipa][esipa][notifications]") {
  Device d;
  d.install(kIccid, true);
  REQUIRE(d.pending().empty());  // the download sent its installation result itself
  REQUIRE(d.smdp_notifications(kIccid).size() == 1);

  d.queue({eim::psmo::enable(kIccid)});
  auto round = d.poll();
  REQUIRE(round.success);
  CHECK(round.results_reported == 1);
  CHECK(round.notifications_sent == 1);
  CHECK(round.notifications_kept == 0);
  CHECK(round.es9.exchanges == 1);
  CHECK(d.pending().empty());
  auto recorded = d.smdp_notifications(kIccid);
  REQUIRE(recorded.size() == 2);
  CHECK(recorded[1].event == "enable");
  CHECK(recorded[1].eid == rsp::eid::from_bytes(d.eid).value());
  CHECK(d.received_tags() == std::vector<std::string>{"BF4F", "BF50", "BF4F"});  // nothing of it to the eIM

  // The SM-DP+ unreachable: the disable notification stays on the card and the round still succeeds.
  d.queue({eim::psmo::disable(kIccid)});
  auto o = d.options();
  o.download.es9.port = 1;  // nothing listens there
  auto failed = ipa::poll_eim(*d.channel, o);
  REQUIRE(failed.success);
  CHECK(failed.results_reported == 1);
  CHECK(failed.notifications_sent == 0);
  CHECK(failed.notifications_kept == 1);
  auto left = d.pending();
  REQUIRE(left.size() == 1);
  CHECK(left[0].metadata.event == ipa::es10b::NotificationEvent::disable);
  CHECK(d.smdp_notifications(kIccid).size() == 2);

  // The next round sends it once; the one after has nothing to send.
  auto next = d.poll();
  REQUIRE(next.success);
  CHECK(next.packages == 0);
  CHECK(next.notifications_sent == 1);
  CHECK(next.notifications_kept == 0);
  CHECK(d.pending().empty());
  recorded = d.smdp_notifications(kIccid);
  REQUIRE(recorded.size() == 3);
  CHECK(recorded[2].event == "disable");
  CHECK(recorded[2].pending_notification == left[0].tlv);
  auto quiet = d.poll();
  CHECK(quiet.notifications_sent == 0);
  CHECK(quiet.notifications_kept == 0);
  CHECK(d.smdp_notifications(kIccid).size() == 3);
}

TEST_CASE("ipad: at most max_notifications are tried per round, the rest wait for the next",
          "[ipa][esipa][notifications]") {
  Device d;
  d.install(kIccid, true);
  d.queue({eim::psmo::enable(kIccid)});
  d.queue({eim::psmo::disable(kIccid)});
  auto o = d.options();
  o.max_notifications = 1;
  auto first = ipa::poll_eim(*d.channel, o);
  REQUIRE(first.success);
  CHECK(first.packages == 2);
  CHECK(first.notifications_sent == 1);
  CHECK(first.notifications_kept == 1);
  REQUIRE(d.pending().size() == 1);
  CHECK(d.pending()[0].metadata.event == ipa::es10b::NotificationEvent::disable);  // the oldest went first
  auto second = ipa::poll_eim(*d.channel, o);
  CHECK(second.notifications_sent == 1);
  CHECK(d.pending().empty());
  CHECK(d.smdp_notifications(kIccid).size() == 3);
}

TEST_CASE("ipad: with the indirect download the notifications go to the eIM as HandleNotification",
          "[ipa][esipa][notifications]") {
  auto binding = GENERATE(ipa::EsipaBinding::asn1, ipa::EsipaBinding::json);
  Device d(std::nullopt, std::nullopt, true);
  d.install(kIccid, true);
  d.queue({eim::psmo::enable(kIccid)});
  auto o = d.options();
  o.esipa.binding = binding;
  o.indirect_download = true;
  o.download.es9.port = 1;  // the SM-DP+ itself is never called
  auto round = ipa::poll_eim(*d.channel, o);
  INFO(round.line());
  REQUIRE(round.success);
  CHECK(round.notifications_sent == 1);
  CHECK(d.pending().empty());
  CHECK(d.smdp_notifications(kIccid).size() == 1);  // the installation result only
  CHECK(d.received_tags() == std::vector<std::string>{"BF4F", "BF50", "BF4F", "BF3D"});
  // BF3D { A0 { the card's OtherSignedNotification } }
  Bytes body = d.eim.received().back().body;
  auto handle = rsp::tlv::read(body).value();
  auto pending = rsp::tlv::read(handle.value).value();
  CHECK(pending.tag == 0xA0);
  auto notification = rsp::tlv::read(pending.value).value();
  CHECK(notification.tag == 0x30);
  CHECK(pending.value.size() == notification.whole.size());

  // The eIM failing (its front end answers 500 to GetEimPackage and to HandleNotification): the
  // disable notification a round with no room for notifications left stays on the card; the next
  // round sends it through the eIM once.
  d.queue({eim::psmo::disable(kIccid)});
  o.max_notifications = 0;
  auto no_room = ipa::poll_eim(*d.channel, o);
  REQUIRE(no_room.success);
  CHECK(no_room.notifications_kept == 1);
  d.eim.refuse_next(2, 500);
  o.max_notifications = 16;
  auto refused = ipa::poll_eim(*d.channel, o);
  CHECK(!refused.success);
  CHECK(d.eim.refused() == 2);
  CHECK(refused.notifications_sent == 0);
  CHECK(refused.notifications_kept == 1);
  REQUIRE(d.pending().size() == 1);
  auto again = ipa::poll_eim(*d.channel, o);
  REQUIRE(again.success);
  CHECK(again.notifications_sent == 1);
  CHECK(d.pending().empty());
  auto tags = d.received_tags();
  CHECK(std::count(tags.begin(), tags.end(), "BF3D") == 2);
  CHECK(d.smdp_notifications(kIccid).size() == 1);
}
