// The IPA's ES10 client against the software eUICC in-process, through the card's APDU layer:
// every ES10a/b/c call, a whole download, each refusal with the spec's result code, in STORE DATA
// blocks of 255 bytes and of 6.
#include <catch2/catch.hpp>

#include "ipa/es10a.hpp"
#include "ipa/es10b.hpp"
#include "ipa/es10c.hpp"
#include "ipa_fixture.hpp"

using ipa::Es10Error;
using ipa::test::IpaFixture;
using ipa::test::kIccid;
using rsp::Bytes;
namespace es10a = ipa::es10a;
namespace es10b = ipa::es10b;
namespace es10c = ipa::es10c;

namespace {

// An Es10Status or Es10Expected that failed with the spec's result code `code`.
template <class R>
void check_result_code(const R& r, long code) {
  REQUIRE_FALSE(r);
  INFO(r.error().message);
  CHECK(r.error().kind == Es10Error::Kind::result);
  CHECK(r.error().code == code);
}

}  // namespace

TEST_CASE("ES10 client: a download and every profile operation, in STORE DATA blocks of 255 and of 6 bytes") {
  const size_t segment = GENERATE(size_t{255}, size_t{6});
  CAPTURE(segment);
  IpaFixture f(segment);
  auto& ch = f.channel;

  auto eid = es10c::get_eid(ch);
  REQUIRE(eid);
  CHECK(*eid == rsp::pki::default_eid());
  CHECK(ch.number() != 0);  // a logical channel of its own

  auto info1 = es10b::get_euicc_info1(ch);
  REQUIRE(info1);
  CHECK(rsp::to_hex(*info1).starts_with("BF20"));
  auto info2 = es10b::get_euicc_info2(ch);
  REQUIRE(info2);
  CHECK(rsp::to_hex(*info2).starts_with("BF22"));
  auto rat = es10b::get_rat(ch);
  REQUIRE(rat);
  CHECK(rsp::to_hex(*rat).starts_with("BF43"));

  auto none = es10c::get_profiles_info(ch);
  REQUIRE(none);
  CHECK(none->empty());
  check_result_code(es10c::euicc_memory_reset(ch, {true, true, false}), 1);  // nothingToDelete

  // The download: the client's calls in the order an IPA makes them.
  f.transport.reset_stats();
  Bytes bpp = f.bound_profile_package();
  auto installed = es10b::load_bound_profile_package(ch, bpp);
  REQUIRE(installed);
  CHECK(installed->success);
  CHECK(installed->iccid == kIccid);
  CHECK_FALSE(installed->isdp_aid.empty());
  CHECK(rsp::to_hex(installed->tlv).starts_with("BF37"));
  // "The number of APDUs of one download": from GetEUICCChallenge to the installation result.
  std::printf("segment %zu: %llu APDUs, %llu bytes out, %llu bytes in for one download\n", segment,
              static_cast<unsigned long long>(f.transport.stats().command_apdus),
              static_cast<unsigned long long>(f.transport.stats().bytes_sent),
              static_cast<unsigned long long>(f.transport.stats().bytes_received));
  CHECK(f.transport.stats().command_apdus > (segment == 6 ? 100u : 8u));

  auto profiles = es10c::get_profiles_info(ch);
  REQUIRE(profiles);
  REQUIRE(profiles->size() == 1);
  const auto& p = profiles->front();
  CHECK(p.iccid == kIccid);
  CHECK(p.isdp_aid == installed->isdp_aid);
  CHECK(p.state == es10c::ProfileState::disabled);
  CHECK(p.profile_name == "Profile " + kIccid);
  CHECK(p.service_provider_name == "Test SP");
  CHECK(p.profile_class == es10c::ProfileClass::operational);

  const auto by_iccid = es10c::ProfileIdentifier::by_iccid(kIccid);
  const auto absent = es10c::ProfileIdentifier::by_iccid("8999999999999999999");
  check_result_code(es10c::disable_profile(ch, by_iccid), 2);  // profileNotInEnabledState
  check_result_code(es10c::enable_profile(ch, absent), 1);     // iccidOrAidNotFound
  REQUIRE(es10c::enable_profile(ch, es10c::ProfileIdentifier::by_isdp_aid(p.isdp_aid)));
  check_result_code(es10c::enable_profile(ch, by_iccid), 2);  // profileNotInDisabledState
  check_result_code(es10c::delete_profile(ch, by_iccid), 2);  // profileNotInDisabledState
  REQUIRE(es10c::set_nickname(ch, kIccid, "my IoT line"));
  check_result_code(es10c::set_nickname(ch, "8999999999999999999", "x"), 1);  // iccidNotFound

  es10c::ProfileSearch search;
  search.profile = by_iccid;
  auto found = es10c::get_profiles_info(ch, search);
  REQUIRE(found);
  REQUIRE(found->size() == 1);
  CHECK(found->front().state == es10c::ProfileState::enabled);
  CHECK(found->front().nickname == "my IoT line");
  search = {};
  search.profile_class = es10c::ProfileClass::test;
  auto tests = es10c::get_profiles_info(ch, search);
  REQUIRE(tests);
  CHECK(tests->empty());

  REQUIRE(es10c::disable_profile(ch, by_iccid));
  REQUIRE(es10c::delete_profile(ch, by_iccid));
  check_result_code(es10c::delete_profile(ch, by_iccid), 1);  // iccidOrAidNotFound

  // Notifications: install, enable, disable, delete, each to the profile's SM-DP+ where it asked
  // for them (install and delete, see store_metadata).
  auto listed = es10b::list_notification(ch);
  REQUIRE(listed);
  REQUIRE(listed->size() == 2);
  CHECK(listed->at(0).event == es10b::NotificationEvent::install);
  CHECK(listed->at(0).address == "smdp.example.org");
  CHECK(listed->at(0).iccid == kIccid);
  CHECK(listed->at(1).event == es10b::NotificationEvent::remove);
  auto installs = es10b::list_notification(ch, es10b::NotificationEvent::install);
  REQUIRE(installs);
  CHECK(installs->size() == 1);

  auto pending = es10b::retrieve_notifications_list(ch);
  REQUIRE(pending);
  REQUIRE(pending->size() == 2);
  CHECK(rsp::to_hex(pending->at(0).tlv).starts_with("BF37"));  // the ProfileInstallationResult
  CHECK(pending->at(0).metadata.seq_number == listed->at(0).seq_number);
  CHECK(rsp::to_hex(pending->at(1).tlv).starts_with("30"));  // OtherSignedNotification
  ipa::es10b::NotificationFilter one;
  one.seq_number = listed->at(1).seq_number;
  auto just_one = es10b::retrieve_notifications_list(ch, one);
  REQUIRE(just_one);
  REQUIRE(just_one->size() == 1);
  CHECK(just_one->front().tlv == pending->at(1).tlv);

  for (const auto& n : *listed) REQUIRE(es10b::remove_notification_from_list(ch, n.seq_number));
  check_result_code(es10b::remove_notification_from_list(ch, listed->at(0).seq_number), 1);  // nothingToDelete
  auto emptied = es10b::list_notification(ch);
  REQUIRE(emptied);
  CHECK(emptied->empty());
}

TEST_CASE("ES10 client: ES10a addresses and eUICCMemoryReset") {
  IpaFixture f;
  auto& ch = f.channel;
  auto before = es10a::get_euicc_configured_addresses(ch);
  REQUIRE(before);
  CHECK_FALSE(before->default_dp_address);
  CHECK_FALSE(before->root_ds_address.empty());

  REQUIRE(es10a::set_default_dp_address(ch, "smdp.example.com"));
  auto after = es10a::get_euicc_configured_addresses(ch);
  REQUIRE(after);
  CHECK(after->default_dp_address == "smdp.example.com");
  CHECK(after->root_ds_address == before->root_ds_address);

  REQUIRE(es10b::load_bound_profile_package(ch, f.bound_profile_package()));
  es10c::MemoryResetOptions reset;
  reset.delete_operational_profiles = true;
  reset.reset_default_smdp_address = true;
  REQUIRE(es10c::euicc_memory_reset(ch, reset));
  CHECK(es10c::get_profiles_info(ch)->empty());
  CHECK_FALSE(es10a::get_euicc_configured_addresses(ch)->default_dp_address);
}

TEST_CASE("ES10 client: AuthenticateServer from its parts, the card's error alternatives, CancelSession") {
  IpaFixture f;
  auto& ch = f.channel;
  auto challenge = es10b::get_euicc_challenge(ch);
  REQUIRE(challenge);
  CHECK(challenge->size() == 16);

  // The request built from what initiateAuthentication returns is the fixture SM-DP+'s own.
  Bytes request = f.smdp.authenticate_server(*challenge);
  es10b::AuthenticateServerInput input;
  input.server_signed1 = IpaFixture::child(request, {0x30});
  input.server_signature1 = IpaFixture::child(request, {0x5F37});
  input.euicc_ci_pkid_to_be_used = IpaFixture::child(request, {0x04});
  input.server_certificate = f.smdp.auth.der();
  input.matching_id = "MATCH";
  input.tac = {1, 2, 3, 4};
  es10b::AuthenticateServerInput copy = input;
  auto built = es10b::authenticate_server(ch, input);
  REQUIRE(built);
  CHECK(built->ok());

  // PrepareDownload with an SM-DP+ signature over something else: invalidSignature (2), relayed.
  Bytes signature1 = IpaFixture::child(built->tlv, {0xA0, 0x5F37});
  Bytes forged = f.smdp.prepare_download(signature1);
  forged[forged.size() / 3] ^= 0x01;  // inside smdpSignature2
  auto refused = es10b::prepare_download(ch, forged);
  if (refused) {  // the flipped byte may also break the DER: then the card says 6A80
    CHECK_FALSE(refused->ok());
    CHECK(rsp::tlv::read(refused->tlv)->value[0] == 0xA1);  // downloadResponseError
  }

  // CancelSession: a wrong transaction id is invalidTransactionId (5); the right one is signed.
  auto wrong = es10b::cancel_session(ch, Bytes{9, 9, 9, 9}, es10b::CancelSessionReason::endUserRejection);
  REQUIRE(wrong);
  CHECK(wrong->error_code == 5);
  auto challenge2 = es10b::get_euicc_challenge(ch);
  REQUIRE(challenge2);
  REQUIRE(es10b::authenticate_server(ch, f.smdp.authenticate_server(*challenge2))->ok());
  auto cancelled = es10b::cancel_session(ch, f.smdp.transaction_id, es10b::CancelSessionReason::endUserRejection);
  REQUIRE(cancelled);
  CHECK(cancelled->ok());
  CHECK(rsp::to_hex(cancelled->tlv).starts_with("BF41"));

  // A challenge the card did not give: euiccChallengeMismatch (6), in the error alternative.
  copy.server_signed1 = IpaFixture::child(f.smdp.authenticate_server(Bytes(16, 0xEE)), {0x30});
  copy.server_signature1 = IpaFixture::child(f.smdp.authenticate_server(Bytes(16, 0xEE)), {0x5F37});
  REQUIRE(es10b::get_euicc_challenge(ch));
  auto mismatch = es10b::authenticate_server(ch, copy);
  REQUIRE(mismatch);
  CHECK(mismatch->error_code == 6);
}

TEST_CASE("ES10 client: LoadBoundProfilePackage stops at the card's error result and returns it") {
  IpaFixture f;
  Bytes bpp = f.bound_profile_package();
  bpp[bpp.size() - 3] ^= 0x55;  // inside the last segment's MAC: SCP03t refuses it
  auto result = es10b::load_bound_profile_package(f.channel, bpp);
  REQUIRE(result);
  CHECK_FALSE(result->success);
  CHECK(result->bpp_command_id == 5);  // loadProfileElements
  CHECK(result->error_reason == 8);    // scp03tSecurityError
  CHECK(es10c::get_profiles_info(f.channel)->empty());
  // Not a BPP at all: refused before anything is sent.
  auto bad = es10b::load_bound_profile_package(f.channel, Bytes{0xBF, 0x36, 0x01});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == Es10Error::Kind::malformed);
}
