// The software eUICC's local profile management (ES10c), configured addresses (ES10a) and
// notifications (ES10b): every response field and every error code the card produces, each
// response decoded (and re-encoded byte for byte) with the ASN.1 modules, every notification's
// signature and certificate chain verified, and the state reloaded from the store after each change.
// Profiles are put into the card state directly, as the download leaves them; every command goes
// through the card's APDU layer (es10_channel.hpp).
#include <catch2/catch.hpp>

#include <DeleteProfileResponse.h>
#include <DisableProfileResponse.h>
#include <EnableProfileResponse.h>
#include <EuiccConfiguredAddressesResponse.h>
#include <EuiccMemoryResetResponse.h>
#include <ListNotificationResponse.h>
#include <NotificationConfigurationInformation.h>
#include <NotificationMetadata.h>
#include <NotificationSentResponse.h>
#include <OperatorId.h>
#include <OtherSignedNotification.h>
#include <PendingNotification.h>
#include <ProfileInfo.h>
#include <ProfileInfoListResponse.h>
#include <RetrieveNotificationsListResponse.h>
#include <SGP32-ProfileInfo.h>
#include <SGP32-ProfileInfoListResponse.h>
#include <SGP32-RetrieveNotificationsListResponse.h>
#include <SetDefaultDpAddressResponse.h>
#include <SetNicknameResponse.h>

#include <filesystem>
#include <string>
#include <vector>

#include "card_context.hpp"
#include "es10_channel.hpp"
#include "es10b_notifications.hpp"
#include "es10c.hpp"
#include "euicc/card.hpp"
#include "euicc/euicc.hpp"
#include "isdr.hpp"
#include "notification_event.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/asn1/primitives.hpp"
#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/iccid.hpp"
#include "schema_check.hpp"
#include "support/kit.hpp"
#include "usim.hpp"

// Inside the namespace: the generated C types (PendingNotification, ProfileState ...) share names
// with the card's own.
namespace euicc::test_es10c {
namespace {

using euicc::test::integer;
using euicc::test::schema;

namespace fs = std::filesystem;
using rsp::crypto::Certificate;
using rsp::crypto::Curve;
using rsp::crypto::Role;
using rsp::test::hex;
using rsp::test::TempDir;

const std::string kIccid1 = "8949449999999990049";   // 19 digits: F-padded
const std::string kIccid2 = "89000123456789012341";  // 20 digits
const std::string kIccid3 = "8901234567890123456";
const std::string kIccidAbsent = "8999999999999999999";
const std::string kSmdp = "smdp.example.com";

Bytes isdp_aid(uint8_t n) {
  Bytes aid = hex("A0000005591010FFFFFFFF890000");
  aid.push_back(n);
  aid.push_back(0x00);
  return aid;
}

Bytes iccid_tlv(const std::string& iccid) { return tlv(0x5A, *rsp::iccid::to_bytes(iccid)); }

// A card over a fresh state directory, opened as euicc-sim opens it (a generated test PKI on
// both curves).
std::unique_ptr<CardContext> open_card(const fs::path& dir) {
  Options options;
  options.state_dir = dir;
  auto card = open_card_context(options);
  if (!card) FAIL(card.error().message);
  return std::move(*card);
}

// ES10 commands reach it as an LPA sends them: STORE DATA on a logical channel of the card's APDU
// layer, to the ISD-R.
struct TestCard {
  TempDir dir;
  std::unique_ptr<CardContext> owned = open_card(dir.path());
  CardContext& ctx = *owned;
  Isdr isdr{ctx};
  Usim usim{ctx};
  Card terminal{isdr, usim};
  test::Es10Channel es10{terminal};

  TestCard() { REQUIRE(ctx.credentials.size() == 2); }

  const Credentials& credentials(Curve curve) const {
    for (const auto& c : ctx.credentials)
      if (c.curve == curve) return c;
    throw std::logic_error("no credentials on that curve");
  }

  // A profile as the download leaves it: disabled, operational, every notification wanted.
  Profile& install(const std::string& iccid, uint8_t aid, ProfileClass profile_class = ProfileClass::operational) {
    Profile p;
    p.iccid = iccid;
    p.isdp_aid = isdp_aid(aid);
    p.profile_class = profile_class;
    p.service_provider_name = "Operator " + std::to_string(aid);
    p.profile_name = "Profile " + std::to_string(aid);
    p.notification_configuration = {{0x0F, kSmdp}};
    p.ci_ski = credentials(Curve::nist_p256).ci_ski;
    p.store_metadata = tlv(0xBF25, {iccid_tlv(iccid), tlv(0x91, rsp::to_bytes(p.service_provider_name)),
                                    tlv(0x92, rsp::to_bytes(p.profile_name))});
    ctx.state.profiles.push_back(p);
    REQUIRE(ctx.store.write_profile_package(iccid, hex("A0 03 80 01 02")));
    REQUIRE(ctx.commit());
    return ctx.state.profiles.back();
  }
  void set_state(const std::string& iccid, ProfileState state) {
    ctx.state.find_profile(iccid)->state = state;
    REQUIRE(ctx.commit());
  }

  Bytes call(const Bytes& command) { return es10.call(command); }
  uint16_t status_word(const Bytes& command) { return es10.status_word(command); }

  bool package_exists(const std::string& iccid) const { return fs::exists(dir.path() / "profiles" / (iccid + ".upp")); }

  // The state on disk is the state in memory.
  void check_persisted() const {
    auto disk = ctx.store.load_state();
    REQUIRE(disk);
    const CardState& mem = ctx.state;
    REQUIRE(disk->profiles.size() == mem.profiles.size());
    for (size_t i = 0; i < mem.profiles.size(); ++i) {
      CHECK(disk->profiles[i].iccid == mem.profiles[i].iccid);
      CHECK(disk->profiles[i].state == mem.profiles[i].state);
      CHECK(disk->profiles[i].nickname == mem.profiles[i].nickname);
    }
    REQUIRE(disk->notifications.size() == mem.notifications.size());
    for (size_t i = 0; i < mem.notifications.size(); ++i) {
      CHECK(disk->notifications[i].seq_number == mem.notifications[i].seq_number);
      CHECK(disk->notifications[i].event == mem.notifications[i].event);
      CHECK(disk->notifications[i].address == mem.notifications[i].address);
      CHECK(disk->notifications[i].iccid == mem.notifications[i].iccid);
      CHECK(disk->notifications[i].notification == mem.notifications[i].notification);
    }
    CHECK(disk->next_seq_number == mem.next_seq_number);
    CHECK(disk->default_dp_address == mem.default_dp_address);
    CHECK(disk->root_ds_address == mem.root_ds_address);
  }

  // Makes every later commit fail: state.json becomes a directory the rename cannot replace.
  void break_store() {
    fs::remove(dir.path() / "state.json");
    fs::create_directories(dir.path() / "state.json" / "blocker");
  }
  void repair_store() {
    fs::remove_all(dir.path() / "state.json");
    REQUIRE(ctx.commit());
  }
};

Bytes bits(const BIT_STRING_t& b) {
  Bytes contents(1 + static_cast<size_t>(b.size));
  contents[0] = static_cast<uint8_t>(b.bits_unused);
  std::copy(b.buf, b.buf + b.size, contents.begin() + 1);
  return contents;
}

std::string iccid_of(const OCTET_STRING_t& s) { return *rsp::iccid::from_bytes(rsp::asn1::view(s)); }

// Requests.
Bytes enable_request(const Bytes& identifier, bool refresh = true) {
  return tlv(0xBF31, {tlv(0xA0, identifier), tlv(0x81, Bytes{static_cast<uint8_t>(refresh ? 0xFF : 0x00)})});
}
Bytes disable_request(const Bytes& identifier, bool refresh = true) {
  return tlv(0xBF32, {tlv(0xA0, identifier), tlv(0x81, Bytes{static_cast<uint8_t>(refresh ? 0xFF : 0x00)})});
}
Bytes delete_request(const Bytes& identifier) { return tlv(0xBF33, identifier); }
Bytes aid_tlv(uint8_t n) { return tlv(0x4F, isdp_aid(n)); }
Bytes reset_request(std::initializer_list<int> options) { return tlv(0xBF34, tlv(0x82, bit_string(options))); }
Bytes nickname_request(const std::string& iccid, const std::string& nickname) {
  return tlv(0xBF29, {iccid_tlv(iccid), tlv(0x90, rsp::to_bytes(nickname))});
}
Bytes remove_request(long seq_number) { return tlv(0xBF30, tlv_integer(0x80, seq_number)); }

long enable(TestCard& card, const Bytes& identifier, bool refresh = true) {
  auto r =
      schema<EnableProfileResponse_t>(asn_DEF_EnableProfileResponse, card.call(enable_request(identifier, refresh)));
  return integer(r->enableResult);
}
long disable(TestCard& card, const Bytes& identifier) {
  auto r = schema<DisableProfileResponse_t>(asn_DEF_DisableProfileResponse, card.call(disable_request(identifier)));
  return integer(r->disableResult);
}
long remove_profile(TestCard& card, const Bytes& identifier) {
  auto r = schema<DeleteProfileResponse_t>(asn_DEF_DeleteProfileResponse, card.call(delete_request(identifier)));
  return integer(r->deleteResult);
}
long memory_reset(TestCard& card, std::initializer_list<int> options) {
  auto r = schema<EuiccMemoryResetResponse_t>(asn_DEF_EuiccMemoryResetResponse, card.call(reset_request(options)));
  return integer(r->resetResult);
}
long nickname(TestCard& card, const std::string& iccid, const std::string& name) {
  auto r = schema<SetNicknameResponse_t>(asn_DEF_SetNicknameResponse, card.call(nickname_request(iccid, name)));
  return integer(r->setNicknameResult);
}
long remove_notification(TestCard& card, long seq_number) {
  auto r = schema<NotificationSentResponse_t>(asn_DEF_NotificationSentResponse, card.call(remove_request(seq_number)));
  return integer(r->deleteNotificationStatus);
}

ProfileState state_of(TestCard& card, const std::string& iccid) { return card.ctx.state.find_profile(iccid)->state; }

// What a notification says, after checking it is an OtherSignedNotification signed by the
// eUICC key of `signer` whose certificates chain to that CI.
struct Notification {
  long seq_number;
  Bytes event;  // NotificationEvent BIT STRING contents
  std::string address;
  std::string iccid;
};
Notification verify_notification(const Bytes& bytes, const Credentials& signer) {
  auto decoded = schema<OtherSignedNotification_t>(asn_DEF_OtherSignedNotification, bytes);
  auto outer = rsp::tlv::read(bytes);
  REQUIRE(outer);
  CHECK(outer->tag == 0x30);
  auto parts = rsp::tlv::read_all(outer->value);
  REQUIRE(parts);
  REQUIRE(parts->size() == 4);
  const auto& tbs = (*parts)[0];
  const auto& signature = (*parts)[1];
  CHECK(tbs.tag == 0xBF2F);
  CHECK(signature.tag == 0x5F37);
  CHECK(signature.value.size() == 64);
  auto euicc = Certificate::from_der((*parts)[2].whole);
  auto eum = Certificate::from_der((*parts)[3].whole);
  REQUIRE((euicc && eum));
  CHECK(euicc->der() == signer.euicc.der());
  CHECK(eum->der() == signer.eum.der());
  rsp::crypto::TrustedCis cis;
  cis.add(signer.ci);
  auto chain = rsp::crypto::verify_chain(*euicc, Role::euicc, {*eum}, cis, time(nullptr));
  if (!chain) FAIL(chain.error().message);
  auto key = euicc->public_key();
  REQUIRE(key);
  CHECK(rsp::crypto::verify(*key, tbs.whole, signature.value));
  const auto& m = decoded->tbsOtherNotification;
  REQUIRE(m.iccid);
  return {integer(m.seqNumber), bits(m.profileManagementOperation), rsp::asn1::text(m.notificationAddress),
          iccid_of(*m.iccid)};
}

const PendingNotification& last_notification(const TestCard& card) {
  REQUIRE_FALSE(card.ctx.state.notifications.empty());
  return card.ctx.state.notifications.back();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// GetProfilesInfo

TEST_CASE("GetProfilesInfo returns every ProfileInfo field of every profile, by the schema", "[es10c]") {
  TestCard card;
  auto& p = card.install(kIccid1, 0x10);
  p.state = ProfileState::enabled;
  p.nickname = "work phone";
  p.icon_type = 1;
  p.icon = hex("89504E470D0A1A0A");
  p.profile_policy_rules = bit_string({2});  // ppr2: deletion not allowed
  p.notification_configuration = {
      {static_cast<uint8_t>(event_mask(NotificationEvent::install) | event_mask(NotificationEvent::delete_)), kSmdp},
      {event_mask(NotificationEvent::enable), "other.example.com"}};
  p.store_metadata = tlv(
      0xBF25, {iccid_tlv(kIccid1), tlv(0x91, rsp::to_bytes(p.service_provider_name)),
               tlv(0x92, rsp::to_bytes(p.profile_name)), tlv(0xB7, {tlv(0x80, hex("09F107")), tlv(0x81, hex("FF"))})});
  card.install(kIccid2, 0x11, ProfileClass::test);

  Bytes response = card.call(hex("BF2D 00"));
  auto list = schema<ProfileInfoListResponse_t>(asn_DEF_ProfileInfoListResponse, response);
  REQUIRE(list->present == ProfileInfoListResponse_PR_profileInfoListOk);
  REQUIRE(list->choice.profileInfoListOk.list.count == 2);

  const ProfileInfo_t& first = *list->choice.profileInfoListOk.list.array[0];
  REQUIRE(first.iccid);
  CHECK(rsp::to_hex(rsp::asn1::view(*first.iccid)) == "989444999999990940F9");
  CHECK(rsp::to_hex(rsp::asn1::view(*first.iccid)) == rsp::to_hex(*rsp::iccid::to_bytes(kIccid1)));
  CHECK(iccid_of(*first.iccid) == kIccid1);
  REQUIRE(first.isdpAid);
  CHECK(rsp::asn1::octets(*first.isdpAid) == isdp_aid(0x10));
  REQUIRE(first.profileState);
  CHECK(integer(*first.profileState) == 1);
  REQUIRE(first.profileNickname);
  CHECK(rsp::asn1::text(*first.profileNickname) == "work phone");
  REQUIRE(first.serviceProviderName);
  CHECK(rsp::asn1::text(*first.serviceProviderName) == "Operator 16");
  REQUIRE(first.profileName);
  CHECK(rsp::asn1::text(*first.profileName) == "Profile 16");
  REQUIRE(first.iconType);
  CHECK(integer(*first.iconType) == 1);
  REQUIRE(first.icon);
  CHECK(rsp::asn1::octets(*first.icon) == hex("89504E470D0A1A0A"));
  REQUIRE(first.profileClass);
  CHECK(integer(*first.profileClass) == 2);
  REQUIRE(first.notificationConfigurationInfo);
  REQUIRE(first.notificationConfigurationInfo->list.count == 2);
  const auto& n0 = *first.notificationConfigurationInfo->list.array[0];
  CHECK(bits(n0.profileManagementOperation) == hex("04 90"));  // install(0) and delete(3)
  CHECK(rsp::asn1::text(n0.notificationAddress) == kSmdp);
  const auto& n1 = *first.notificationConfigurationInfo->list.array[1];
  CHECK(bits(n1.profileManagementOperation) == hex("06 40"));  // enable(1)
  CHECK(rsp::asn1::text(n1.notificationAddress) == "other.example.com");
  REQUIRE(first.profileOwner);
  CHECK(rsp::asn1::octets(first.profileOwner->mccMnc) == hex("09F107"));
  REQUIRE(first.profileOwner->gid1);
  CHECK(rsp::asn1::octets(*first.profileOwner->gid1) == hex("FF"));
  REQUIRE(first.profilePolicyRules);
  CHECK(bits(*first.profilePolicyRules) == hex("05 20"));
  CHECK(first.dpProprietaryData == nullptr);

  const ProfileInfo_t& second = *list->choice.profileInfoListOk.list.array[1];
  CHECK(iccid_of(*second.iccid) == kIccid2);
  CHECK(integer(*second.profileState) == 0);
  CHECK(integer(*second.profileClass) == 0);
  CHECK(second.profileNickname == nullptr);  // no nickname set
  CHECK(second.iconType == nullptr);
  CHECK(second.icon == nullptr);
  CHECK(second.profileOwner == nullptr);
  CHECK(second.profilePolicyRules == nullptr);
  REQUIRE(second.notificationConfigurationInfo);
  CHECK(bits(second.notificationConfigurationInfo->list.array[0]->profileManagementOperation) == hex("04 F0"));
}

TEST_CASE("GetProfilesInfo carries the SGP.32 fallbackAttribute and metadata flags", "[es10c]") {
  TestCard card;
  auto& p = card.install(kIccid1, 0x10);
  p.fallback_attribute = true;
  p.store_metadata = tlv(0xBF25, {iccid_tlv(kIccid1), tlv(0x91, Bytes{}), tlv(0x92, Bytes{}), tlv(0x9F7B, Bytes{0xFF}),
                                  tlv(0x9F67, Bytes{0xFF})});
  card.install(kIccid2, 0x11);
  Bytes response = card.call(hex("BF2D 00"));
  auto list = schema<SGP32_ProfileInfoListResponse_t>(asn_DEF_SGP32_ProfileInfoListResponse, response);
  REQUIRE(list->present == SGP32_ProfileInfoListResponse_PR_profileInfoListOk);
  REQUIRE(list->choice.profileInfoListOk.list.count == 2);
  const auto& first = *list->choice.profileInfoListOk.list.array[0];
  REQUIRE(first.fallbackAttribute);
  CHECK(*first.fallbackAttribute);
  REQUIRE(first.ecallIndication);
  CHECK(*first.ecallIndication);
  REQUIRE(first.fallbackAllowed);
  CHECK(*first.fallbackAllowed);
  const auto& second = *list->choice.profileInfoListOk.list.array[1];
  CHECK(second.fallbackAttribute == nullptr);  // DEFAULT FALSE is not encoded
  CHECK(second.ecallIndication == nullptr);
  // The SGP.22 decoder accepts the SGP.32 additions as extensions.
  auto plain = rsp::asn1::decode_as<ProfileInfoListResponse_t>(asn_DEF_ProfileInfoListResponse, response);
  CHECK(plain);
}

TEST_CASE("GetProfilesInfo search criteria: ISD-P AID, ICCID, profile class", "[es10c]") {
  TestCard card;
  card.install(kIccid1, 0x10);
  card.install(kIccid2, 0x11, ProfileClass::test);
  card.install(kIccid3, 0x12, ProfileClass::provisioning);
  auto search = [&](const Bytes& criterion) {
    auto list = schema<ProfileInfoListResponse_t>(asn_DEF_ProfileInfoListResponse,
                                                  card.call(tlv(0xBF2D, tlv(0xA0, criterion))));
    REQUIRE(list->present == ProfileInfoListResponse_PR_profileInfoListOk);
    std::vector<std::string> found;
    for (int i = 0; i < list->choice.profileInfoListOk.list.count; ++i)
      found.push_back(iccid_of(*list->choice.profileInfoListOk.list.array[i]->iccid));
    return found;
  };
  CHECK(search(aid_tlv(0x11)) == std::vector<std::string>{kIccid2});
  CHECK(search(iccid_tlv(kIccid3)) == std::vector<std::string>{kIccid3});
  CHECK(search(tlv_integer(0x95, 2)) == std::vector<std::string>{kIccid1});
  CHECK(search(tlv_integer(0x95, 0)) == std::vector<std::string>{kIccid2});
  CHECK(search(tlv_integer(0x95, 1)) == std::vector<std::string>{kIccid3});
  // No match: an empty list, not an error.
  CHECK(search(aid_tlv(0x20)).empty());
  CHECK(search(iccid_tlv(kIccidAbsent)).empty());
  CHECK(card.call(tlv(0xBF2D, tlv(0xA0, iccid_tlv(kIccidAbsent)))) == hex("BF2D 02 A0 00"));
}

TEST_CASE("GetProfilesInfo tagList returns only the listed fields, in schema order", "[es10c]") {
  TestCard card;
  auto& p = card.install(kIccid1, 0x10);
  p.nickname = "nick";
  card.install(kIccid2, 0x11);
  // Listed out of order, with a tag ProfileInfo does not have (9F7F) that is ignored.
  Bytes request = tlv(0xBF2D, tlv(0x5C, hex("9F70 5A 90 9F7F")));
  Bytes response = card.call(request);
  auto list = schema<ProfileInfoListResponse_t>(asn_DEF_ProfileInfoListResponse, response);
  REQUIRE(list->choice.profileInfoListOk.list.count == 2);
  const auto& first = *list->choice.profileInfoListOk.list.array[0];
  CHECK(first.iccid);
  CHECK(first.profileState);
  CHECK(first.profileNickname);
  CHECK(first.isdpAid == nullptr);
  CHECK(first.serviceProviderName == nullptr);
  CHECK(first.profileName == nullptr);
  CHECK(first.profileClass == nullptr);
  CHECK(first.notificationConfigurationInfo == nullptr);
  Bytes iccid1 = *rsp::iccid::to_bytes(kIccid1);
  Bytes iccid2 = *rsp::iccid::to_bytes(kIccid2);
  CHECK(response ==
        tlv(0xBF2D, tlv(0xA0, {tlv(0xE3, {tlv(0x5A, iccid1), hex("9F70 01 00"), hex("90 04"), rsp::to_bytes("nick")}),
                               tlv(0xE3, {tlv(0x5A, iccid2), hex("9F70 01 00")})})));
  // Criteria and tag list together; the multi-byte tag B6 on its own.
  response = card.call(tlv(0xBF2D, {tlv(0xA0, aid_tlv(0x11)), tlv(0x5C, hex("B6"))}));
  CHECK(response ==
        tlv(0xBF2D, tlv(0xA0, tlv(0xE3, tlv(0xB6, tlv(0x30, {hex("80 02 04 F0"), tlv(0x81, rsp::to_bytes(kSmdp))}))))));
}

TEST_CASE("GetProfilesInfo answers incorrectInputValues to malformed input", "[es10c]") {
  TestCard card;
  card.install(kIccid1, 0x10);
  Bytes incorrect = hex("BF2D 03 81 01 01");
  auto error = schema<ProfileInfoListResponse_t>(asn_DEF_ProfileInfoListResponse, incorrect);
  CHECK(error->present == ProfileInfoListResponse_PR_profileInfoListError);
  CHECK(card.call(hex("BF2D 03 5C 01 9F")) == incorrect);              // tag list ends inside a tag
  CHECK(card.call(hex("BF2D 07 A0 05 5A 03 98 94 44")) == incorrect);  // ICCID not 10 bytes
  CHECK(card.call(hex("BF2D 04 A0 02 81 00")) == incorrect);           // no such criterion
  CHECK(card.call(hex("BF2D 04 A0 02 4F 05")) == incorrect);           // truncated inner TLV
  CHECK(card.call(hex("BF2D 02 A0 00")) == incorrect);                 // empty criteria
}

// ---------------------------------------------------------------------------------------------
// EnableProfile / DisableProfile / DeleteProfile

TEST_CASE("EnableProfile switches profiles atomically and queues signed notifications", "[es10c][notifications]") {
  TestCard card;
  card.install(kIccid1, 0x10);
  card.install(kIccid2, 0x11).ci_ski = card.credentials(Curve::brainpool_p256r1).ci_ski;
  REQUIRE(card.ctx.commit());

  // Nothing enabled: enable by ICCID; one notification (enable) for the target.
  CHECK(enable(card, iccid_tlv(kIccid1)) == 0);
  CHECK(state_of(card, kIccid1) == ProfileState::enabled);
  REQUIRE(card.ctx.state.notifications.size() == 1);
  const auto& n1 = card.ctx.state.notifications[0];
  CHECK(n1.seq_number == 1);
  CHECK(n1.event == NotificationEvent::enable);
  CHECK(n1.address == kSmdp);
  CHECK(n1.iccid == kIccid1);
  auto v1 = verify_notification(n1.notification, card.credentials(Curve::nist_p256));
  CHECK(v1.seq_number == 1);
  CHECK(v1.event == hex("06 40"));
  CHECK(v1.address == kSmdp);
  CHECK(v1.iccid == kIccid1);
  card.check_persisted();

  // Enable the other one by ISD-P AID: the first is disabled (disable notification, signed with
  // its chain), then the target enabled (enable notification, signed with the brainpool chain its
  // download used).
  CHECK(enable(card, aid_tlv(0x11)) == 0);
  CHECK(state_of(card, kIccid1) == ProfileState::disabled);
  CHECK(state_of(card, kIccid2) == ProfileState::enabled);
  REQUIRE(card.ctx.state.notifications.size() == 3);
  auto v2 = verify_notification(card.ctx.state.notifications[1].notification, card.credentials(Curve::nist_p256));
  CHECK(v2.seq_number == 2);
  CHECK(v2.event == hex("05 20"));
  CHECK(v2.iccid == kIccid1);
  auto v3 =
      verify_notification(card.ctx.state.notifications[2].notification, card.credentials(Curve::brainpool_p256r1));
  CHECK(v3.seq_number == 3);
  CHECK(v3.event == hex("06 40"));
  CHECK(v3.iccid == kIccid2);
  CHECK(card.ctx.state.next_seq_number == 4);
  card.check_persisted();

  // The refresh flag does not change the outcome.
  CHECK(enable(card, iccid_tlv(kIccid1), false) == 0);
  CHECK(state_of(card, kIccid1) == ProfileState::enabled);
  CHECK(state_of(card, kIccid2) == ProfileState::disabled);
  card.check_persisted();

  // A restart finds the same card: profiles, notifications, sequence counter.
  auto reopened = open_card(card.dir.path());
  CHECK(reopened->state.find_profile(kIccid1)->state == ProfileState::enabled);
  CHECK(reopened->state.find_profile(kIccid2)->state == ProfileState::disabled);
  REQUIRE(reopened->state.notifications.size() == 5);
  CHECK(reopened->state.notifications[4].notification == card.ctx.state.notifications[4].notification);
  CHECK(reopened->state.next_seq_number == 6);
  CHECK(card.package_exists(kIccid1));
  CHECK(card.package_exists(kIccid2));
}

TEST_CASE("EnableProfile error codes", "[es10c]") {
  TestCard card;
  card.install(kIccid1, 0x10);
  card.install(kIccid2, 0x11);
  card.install(kIccid3, 0x12, ProfileClass::test);
  card.set_state(kIccid1, ProfileState::enabled);

  SECTION("iccidOrAidNotFound (1)") {
    CHECK(enable(card, iccid_tlv(kIccidAbsent)) == 1);
    CHECK(enable(card, aid_tlv(0x30)) == 1);
  }
  SECTION("profileNotInDisabledState (2)") {
    CHECK(enable(card, iccid_tlv(kIccid1)) == 2);
    CHECK(enable(card, aid_tlv(0x10)) == 2);
  }
  SECTION("disallowedByPolicy (3): the enabled profile may not be disabled (ppr1)") {
    card.ctx.state.find_profile(kIccid1)->profile_policy_rules = bit_string({1});
    REQUIRE(card.ctx.commit());
    CHECK(enable(card, iccid_tlv(kIccid2)) == 3);
    CHECK(state_of(card, kIccid1) == ProfileState::enabled);
    CHECK(state_of(card, kIccid2) == ProfileState::disabled);
    // ppr1 does not stand against a Test Profile.
    CHECK(enable(card, iccid_tlv(kIccid3)) == 0);
    CHECK(state_of(card, kIccid1) == ProfileState::disabled);
    CHECK(state_of(card, kIccid3) == ProfileState::enabled);
  }
  SECTION("undefinedError (127): the commit fails, nothing changes") {
    CardState before = card.ctx.state;
    card.break_store();
    CHECK(enable(card, iccid_tlv(kIccid2)) == 127);
    CHECK(state_of(card, kIccid1) == ProfileState::enabled);
    CHECK(state_of(card, kIccid2) == ProfileState::disabled);
    CHECK(card.ctx.state.notifications.empty());
    CHECK(card.ctx.state.next_seq_number == before.next_seq_number);
    card.repair_store();
    CHECK(enable(card, iccid_tlv(kIccid2)) == 0);
    card.check_persisted();
  }
  SECTION("malformed commands are refused at APDU level") {
    CHECK(card.status_word(hex("BF31 03 81 01 FF")) == 0x6A80);                       // no identifier
    CHECK(card.status_word(tlv(0xBF31, tlv(0xA0, iccid_tlv(kIccid2)))) == 0x6A80);    // no refreshFlag
    CHECK(card.status_word(hex("BF31 0A A0 05 5A 03 98 94 44 81 01 FF")) == 0x6A80);  // short ICCID
    CHECK(card.status_word(tlv(0xBF31, {tlv(0xA0, tlv(0x4F, Bytes(17, 0xA0))), hex("81 01 FF")})) == 0x6A80);
    CHECK(state_of(card, kIccid2) == ProfileState::disabled);
  }
  card.check_persisted();
}

TEST_CASE("DisableProfile: result codes and the disable notification", "[es10c][notifications]") {
  TestCard card;
  card.install(kIccid1, 0x10);
  card.install(kIccid2, 0x11);
  card.set_state(kIccid1, ProfileState::enabled);

  CHECK(disable(card, iccid_tlv(kIccidAbsent)) == 1);  // iccidOrAidNotFound
  CHECK(disable(card, aid_tlv(0x33)) == 1);
  CHECK(disable(card, iccid_tlv(kIccid2)) == 2);  // profileNotInEnabledState
  card.ctx.state.find_profile(kIccid1)->profile_policy_rules = bit_string({1});
  REQUIRE(card.ctx.commit());
  CHECK(disable(card, iccid_tlv(kIccid1)) == 3);  // disallowedByPolicy
  CHECK(card.ctx.state.notifications.empty());
  card.ctx.state.find_profile(kIccid1)->profile_policy_rules = bit_string({2});  // ppr2 does not stop a disable
  REQUIRE(card.ctx.commit());

  card.break_store();
  CHECK(disable(card, aid_tlv(0x10)) == 127);  // undefinedError
  CHECK(state_of(card, kIccid1) == ProfileState::enabled);
  CHECK(card.ctx.state.notifications.empty());
  card.repair_store();

  CHECK(disable(card, aid_tlv(0x10)) == 0);
  CHECK(state_of(card, kIccid1) == ProfileState::disabled);
  REQUIRE(card.ctx.state.notifications.size() == 1);
  auto v = verify_notification(last_notification(card).notification, card.credentials(Curve::nist_p256));
  CHECK(v.event == hex("05 20"));
  CHECK(v.iccid == kIccid1);
  CHECK(v.seq_number == 1);
  CHECK(disable(card, aid_tlv(0x10)) == 2);
  card.check_persisted();
  CHECK(card.status_word(hex("BF32 00")) == 0x6A80);
}

TEST_CASE("DeleteProfile: result codes, the package file and the delete notification", "[es10c][notifications]") {
  TestCard card;
  card.install(kIccid1, 0x10);
  card.install(kIccid2, 0x11);
  card.set_state(kIccid1, ProfileState::enabled);
  REQUIRE(card.package_exists(kIccid1));

  CHECK(remove_profile(card, iccid_tlv(kIccidAbsent)) == 1);  // iccidOrAidNotFound
  CHECK(remove_profile(card, aid_tlv(0x40)) == 1);
  CHECK(remove_profile(card, iccid_tlv(kIccid1)) == 2);  // enabled: profileNotInDisabledState
  card.ctx.state.find_profile(kIccid2)->profile_policy_rules = bit_string({2});
  REQUIRE(card.ctx.commit());
  CHECK(remove_profile(card, aid_tlv(0x11)) == 3);                               // ppr2: disallowedByPolicy
  card.ctx.state.find_profile(kIccid2)->profile_policy_rules = bit_string({1});  // ppr1 does not stop a delete
  REQUIRE(card.ctx.commit());
  CHECK(card.ctx.state.notifications.empty());

  card.break_store();
  CHECK(remove_profile(card, iccid_tlv(kIccid2)) == 127);  // undefinedError
  CHECK(card.ctx.state.find_profile(kIccid2));
  CHECK(card.package_exists(kIccid2));
  CHECK(card.ctx.state.notifications.empty());
  card.repair_store();

  CHECK(remove_profile(card, iccid_tlv(kIccid2)) == 0);
  CHECK(card.ctx.state.find_profile(kIccid2) == nullptr);
  CHECK_FALSE(card.package_exists(kIccid2));
  CHECK(card.package_exists(kIccid1));
  auto v = verify_notification(last_notification(card).notification, card.credentials(Curve::nist_p256));
  CHECK(v.event == hex("04 10"));
  CHECK(v.iccid == kIccid2);
  CHECK(remove_profile(card, iccid_tlv(kIccid2)) == 1);
  card.check_persisted();

  // Disable, then delete, by ISD-P AID.
  CHECK(disable(card, aid_tlv(0x10)) == 0);
  CHECK(remove_profile(card, aid_tlv(0x10)) == 0);
  CHECK(card.ctx.state.profiles.empty());
  CHECK_FALSE(card.package_exists(kIccid1));
  REQUIRE(card.ctx.state.notifications.size() == 3);
  CHECK(card.ctx.state.notifications[1].event == NotificationEvent::disable);
  CHECK(card.ctx.state.notifications[2].event == NotificationEvent::delete_);
  card.check_persisted();
  CHECK(card.status_word(hex("BF33 02 80 00")) == 0x6A80);
}

TEST_CASE("Notifications follow each profile's configuration", "[notifications]") {
  TestCard card;
  auto& p = card.install(kIccid1, 0x10);
  // Only delete wanted, at two receivers; enable and disable leave no notification.
  p.notification_configuration = {
      {event_mask(NotificationEvent::install), "install.example.com"},
      {event_mask(NotificationEvent::delete_), "a.example.com"},
      {static_cast<uint8_t>(event_mask(NotificationEvent::delete_) | event_mask(NotificationEvent::install)),
       "b.example.com"}};
  auto& q = card.install(kIccid2, 0x11);
  q.notification_configuration.clear();
  q.ci_ski = hex("0102030405060708090A0B0C0D0E0F1011121314");  // a CI the card has no chain for
  REQUIRE(card.ctx.commit());

  CHECK(enable(card, iccid_tlv(kIccid1)) == 0);
  CHECK(disable(card, iccid_tlv(kIccid1)) == 0);
  CHECK(enable(card, iccid_tlv(kIccid2)) == 0);
  CHECK(disable(card, iccid_tlv(kIccid2)) == 0);
  CHECK(card.ctx.state.notifications.empty());
  CHECK(remove_profile(card, iccid_tlv(kIccid1)) == 0);
  REQUIRE(card.ctx.state.notifications.size() == 2);
  CHECK(card.ctx.state.notifications[0].address == "a.example.com");
  CHECK(card.ctx.state.notifications[1].address == "b.example.com");
  CHECK(verify_notification(card.ctx.state.notifications[0].notification, card.credentials(Curve::nist_p256)).address ==
        "a.example.com");
  CHECK(verify_notification(card.ctx.state.notifications[1].notification, card.credentials(Curve::nist_p256))
            .seq_number == 2);

  // A profile whose CI the card has no chain for: signed with the first chain.
  card.ctx.state.find_profile(kIccid2)->notification_configuration = {{0x0F, kSmdp}};
  REQUIRE(card.ctx.commit());
  CHECK(remove_profile(card, iccid_tlv(kIccid2)) == 0);
  verify_notification(last_notification(card).notification, card.ctx.credentials.front());
  card.check_persisted();
}

TEST_CASE("The wrong-signature fault corrupts notification signatures", "[notifications]") {
  TestCard card;
  card.ctx.faults.insert("wrong-signature");
  card.install(kIccid1, 0x10);
  CHECK(enable(card, iccid_tlv(kIccid1)) == 0);
  auto parts = rsp::tlv::read_all(rsp::tlv::read(last_notification(card).notification)->value);
  REQUIRE(parts);
  auto key = card.credentials(Curve::nist_p256).euicc.public_key();
  CHECK_FALSE(rsp::crypto::verify(*key, (*parts)[0].whole, (*parts)[1].value));
}

// ---------------------------------------------------------------------------------------------
// eUICCMemoryReset

TEST_CASE("eUICCMemoryReset deletes by class, resets the default SM-DP+ address", "[es10c]") {
  TestCard card;
  card.install(kIccid1, 0x10);  // operational, enabled, with ppr1+ppr2
  card.install(kIccid2, 0x11, ProfileClass::test);
  card.install(kIccid3, 0x12, ProfileClass::provisioning);
  card.ctx.state.find_profile(kIccid1)->state = ProfileState::enabled;
  card.ctx.state.find_profile(kIccid1)->profile_policy_rules = bit_string({1, 2});
  card.ctx.state.default_dp_address = "default.example.com";
  REQUIRE(card.ctx.commit());
  size_t notifications = card.ctx.state.notifications.size();

  SECTION("operational profiles, whatever their state and rules") {
    CHECK(memory_reset(card, {0}) == 0);
    CHECK(card.ctx.state.find_profile(kIccid1) == nullptr);
    CHECK_FALSE(card.package_exists(kIccid1));
    CHECK(card.ctx.state.find_profile(kIccid2));
    CHECK(card.ctx.state.find_profile(kIccid3));
    CHECK(card.ctx.state.default_dp_address == "default.example.com");
    CHECK(memory_reset(card, {0}) == 1);  // nothingToDelete
  }
  SECTION("field-loaded test profiles") {
    CHECK(memory_reset(card, {1}) == 0);
    CHECK(card.ctx.state.find_profile(kIccid1));
    CHECK(card.ctx.state.find_profile(kIccid2) == nullptr);
    CHECK_FALSE(card.package_exists(kIccid2));
    CHECK(memory_reset(card, {1}) == 1);
  }
  SECTION("the default SM-DP+ address") {
    CHECK(memory_reset(card, {2}) == 0);
    CHECK(card.ctx.state.default_dp_address.empty());
    CHECK(card.ctx.state.profiles.size() == 3);
    CHECK(memory_reset(card, {2}) == 1);
  }
  SECTION("everything at once; provisioning profiles stay") {
    CHECK(memory_reset(card, {0, 1, 2}) == 0);
    REQUIRE(card.ctx.state.profiles.size() == 1);
    CHECK(card.ctx.state.profiles[0].iccid == kIccid3);
    CHECK(card.package_exists(kIccid3));
    CHECK(card.ctx.state.default_dp_address.empty());
    CHECK(memory_reset(card, {0, 1, 2}) == 1);
  }
  SECTION("no option set") { CHECK(memory_reset(card, {}) == 1); }
  SECTION("undefinedError (127) when the commit fails") {
    card.break_store();
    CHECK(memory_reset(card, {0, 1, 2}) == 127);
    CHECK(card.ctx.state.profiles.size() == 3);
    CHECK(card.package_exists(kIccid1));
    CHECK(card.package_exists(kIccid2));
    CHECK(card.ctx.state.default_dp_address == "default.example.com");
    card.repair_store();
  }
  CHECK(card.ctx.state.notifications.size() == notifications);  // a reset sends no notifications
  card.check_persisted();
  CHECK(card.status_word(hex("BF34 00")) == 0x6A80);
}

// ---------------------------------------------------------------------------------------------
// SetNickname, addresses

TEST_CASE("SetNickname", "[es10c]") {
  TestCard card;
  card.install(kIccid1, 0x10);
  CHECK(nickname(card, kIccid1, "My data plan") == 0);
  CHECK(card.ctx.state.find_profile(kIccid1)->nickname == "My data plan");
  card.check_persisted();
  auto list = schema<ProfileInfoListResponse_t>(asn_DEF_ProfileInfoListResponse, card.call(hex("BF2D 03 5C 01 90")));
  CHECK(rsp::asn1::text(*list->choice.profileInfoListOk.list.array[0]->profileNickname) == "My data plan");

  CHECK(nickname(card, kIccidAbsent, "x") == 1);  // iccidNotFound
  // 64 characters (more bytes, as UTF-8) is the limit; 65 is refused.
  std::string sixty_four;
  for (int i = 0; i < 64; ++i) sixty_four += "\xC3\xA9";  // é
  CHECK(nickname(card, kIccid1, sixty_four) == 0);
  CHECK(card.status_word(nickname_request(kIccid1, sixty_four + "e")) == 0x6A80);
  CHECK(card.ctx.state.find_profile(kIccid1)->nickname == sixty_four);
  // An empty nickname clears it.
  CHECK(nickname(card, kIccid1, "") == 0);
  CHECK(card.call(hex("BF2D 03 5C 01 90")) == hex("BF2D 04 A0 02 E3 00"));

  card.break_store();
  CHECK(nickname(card, kIccid1, "lost") == 127);
  CHECK(card.ctx.state.find_profile(kIccid1)->nickname.empty());
  card.repair_store();
  card.check_persisted();
  CHECK(card.status_word(tlv(0xBF29, iccid_tlv(kIccid1))) == 0x6A80);
}

TEST_CASE("GetEuiccConfiguredAddresses and SetDefaultDpAddress", "[es10a]") {
  TestCard card;
  auto addresses = [&] {
    return schema<EuiccConfiguredAddressesResponse_t>(asn_DEF_EuiccConfiguredAddressesResponse,
                                                      card.call(hex("BF3C 00")));
  };
  {
    auto a = addresses();
    CHECK(a->defaultDpAddress == nullptr);
    CHECK(rsp::asn1::text(a->rootDsAddress) == "lpa.ds.gsma.com");
    CHECK(card.call(hex("BF3C 00")) == tlv(0xBF3C, tlv(0x81, rsp::to_bytes("lpa.ds.gsma.com"))));
  }
  auto set = [&](const std::string& address) {
    auto r = schema<SetDefaultDpAddressResponse_t>(asn_DEF_SetDefaultDpAddressResponse,
                                                   card.call(tlv(0xBF3F, tlv(0x80, rsp::to_bytes(address)))));
    return integer(r->setDefaultDpAddressResult);
  };
  CHECK(set("smdp.example.com") == 0);
  {
    auto a = addresses();
    REQUIRE(a->defaultDpAddress);
    CHECK(rsp::asn1::text(*a->defaultDpAddress) == "smdp.example.com");
    CHECK(rsp::asn1::text(a->rootDsAddress) == "lpa.ds.gsma.com");
  }
  card.check_persisted();
  card.break_store();
  CHECK(set("other.example.com") == 127);
  CHECK(card.ctx.state.default_dp_address == "smdp.example.com");
  card.repair_store();
  CHECK(set("") == 0);  // clears it
  CHECK(addresses()->defaultDpAddress == nullptr);
  card.check_persisted();
  CHECK(card.status_word(hex("BF3F 00")) == 0x6A80);
  CHECK(card.status_word(hex("BF3C 02 80 00")) == 0x6A80);
}

// The factory's addresses: config.json's defaultDpAddress / rootDsAddress as found when the card is
// created, the flags' values over them; afterwards only the state's copy changes.
TEST_CASE("the configured addresses come from config.json and the creation options, once", "[es10a]") {
  TempDir dir;
  auto configured = [](CardContext& ctx) {
    Isdr isdr{ctx};
    Usim usim{ctx};
    Card terminal{isdr, usim};
    test::Es10Channel es10{terminal};
    return es10.call(hex("BF3C 00"));
  };
  auto expected = [](const std::string& dp, const std::string& ds) {
    return tlv(0xBF3C, {dp.empty() ? Bytes{} : tlv(0x80, rsp::to_bytes(dp)), tlv(0x81, rsp::to_bytes(ds))});
  };
  SECTION("a new card: no default SM-DP+, GSMA's root SM-DS, both written into config.json") {
    auto ctx = open_card(dir.path());
    CHECK(configured(*ctx) == expected("", "lpa.ds.gsma.com"));
    auto config = CardStore(dir.path()).load_config();
    REQUIRE(config);
    CHECK(config->default_dp_address.empty());
    CHECK(config->root_ds_address == "lpa.ds.gsma.com");
  }
  SECTION("config.json put there by the factory before the first start") {
    CardConfig factory;
    factory.default_dp_address = "smdp.factory.example";
    factory.root_ds_address = "testrootsmds.example.com";
    REQUIRE(CardStore(dir.path()).save_config(factory));
    auto ctx = open_card(dir.path());
    CHECK(configured(*ctx) == expected("smdp.factory.example", "testrootsmds.example.com"));
    // ES10a.SetDefaultDpAddress changes the card's address, not the factory's record; a restart keeps it.
    ctx->state.default_dp_address = "other.example.com";
    REQUIRE(ctx->commit());
    ctx.reset();
    auto again = open_card(dir.path());
    CHECK(configured(*again) == expected("other.example.com", "testrootsmds.example.com"));
    CHECK(CardStore(dir.path()).load_config()->default_dp_address == "smdp.factory.example");
  }
  SECTION("the creation options win over config.json, and are ignored once the card exists") {
    CardConfig factory;
    factory.default_dp_address = "smdp.factory.example";
    REQUIRE(CardStore(dir.path()).save_config(factory));
    Options options;
    options.state_dir = dir.path();
    options.default_dp_address = "smdp.flag.example";
    options.root_ds_address = "smds.flag.example";
    {
      auto ctx = open_card_context(options);
      REQUIRE(ctx);
      CHECK(configured(**ctx) == expected("smdp.flag.example", "smds.flag.example"));
    }
    auto config = CardStore(dir.path()).load_config();
    CHECK(config->default_dp_address == "smdp.flag.example");
    CHECK(config->root_ds_address == "smds.flag.example");
    options.default_dp_address = "later.example.com";
    auto reopened = open_card_context(options);
    REQUIRE(reopened);
    CHECK(configured(**reopened) == expected("smdp.flag.example", "smds.flag.example"));
  }
  SECTION("an empty root SM-DS address is refused at creation") {
    Options options;
    options.state_dir = dir.path();
    options.root_ds_address = "";
    auto ctx = open_card_context(options);
    REQUIRE_FALSE(ctx);
    CHECK(ctx.error().message.find("root SM-DS") != std::string::npos);
  }
}

// ---------------------------------------------------------------------------------------------
// ListNotification, RetrieveNotificationsList, RemoveNotificationFromList

TEST_CASE("ListNotification, RetrieveNotificationsList and RemoveNotificationFromList", "[notifications]") {
  TestCard card;
  card.install(kIccid1, 0x10);
  card.install(kIccid2, 0x11);
  // An installation result as the download queues it, through notification_metadata().
  uint32_t install_seq = 0;
  Bytes install_metadata = notification_metadata(card.ctx, NotificationEvent::install, kSmdp, kIccid1, &install_seq);
  CHECK(install_seq == 1);
  CHECK(install_metadata ==
        tlv(0xBF2F, {hex("80 01 01"), hex("81 02 07 80"), tlv(0x0C, rsp::to_bytes(kSmdp)), iccid_tlv(kIccid1)}));
  Bytes result_data = tlv(0xBF27, {hex("80 01 AA"), install_metadata, hex("06 03 88 37 0A"),
                                   tlv(0xA2, tlv(0xA0, {tlv(0x4F, isdp_aid(0x10)), hex("04 01 00")}))});
  Bytes install_result =
      tlv(0xBF37, {result_data, tlv(0x5F37, card.ctx.sign(card.ctx.credentials.front(), result_data))});
  card.ctx.state.notifications.push_back({install_seq, NotificationEvent::install, kSmdp, kIccid1, install_result});
  REQUIRE(card.ctx.commit());

  CHECK(enable(card, iccid_tlv(kIccid1)) == 0);          // 2 enable 1
  CHECK(enable(card, iccid_tlv(kIccid2)) == 0);          // 3 disable 1, 4 enable 2
  CHECK(disable(card, iccid_tlv(kIccid2)) == 0);         // 5 disable 2
  CHECK(remove_profile(card, iccid_tlv(kIccid1)) == 0);  // 6 delete 1

  auto list = [&](const Bytes& request) {
    Bytes response = card.call(request);
    auto decoded = schema<ListNotificationResponse_t>(asn_DEF_ListNotificationResponse, response);
    REQUIRE(decoded->present == ListNotificationResponse_PR_notificationMetadataList);
    std::vector<std::pair<long, Bytes>> out;
    for (int i = 0; i < decoded->choice.notificationMetadataList.list.count; ++i) {
      const auto& m = *decoded->choice.notificationMetadataList.list.array[i];
      CHECK(rsp::asn1::text(m.notificationAddress) == kSmdp);
      REQUIRE(m.iccid);
      out.emplace_back(integer(m.seqNumber), bits(m.profileManagementOperation));
    }
    return out;
  };
  using Listed = std::vector<std::pair<long, Bytes>>;
  const Bytes install = hex("07 80"), enable_bits = hex("06 40"), disable_bits = hex("05 20"),
              delete_bits = hex("04 10");
  CHECK(
      list(hex("BF28 00")) ==
      Listed{{1, install}, {2, enable_bits}, {3, disable_bits}, {4, enable_bits}, {5, disable_bits}, {6, delete_bits}});
  CHECK(list(tlv(0xBF28, tlv(0x81, bit_string({2})))) == Listed{{3, disable_bits}, {5, disable_bits}});
  CHECK(list(tlv(0xBF28, tlv(0x81, bit_string({0, 3})))) == Listed{{1, install}, {6, delete_bits}});
  CHECK(list(tlv(0xBF28, tlv(0x81, bit_string({})))).empty());
  // The listed metadata is exactly the signed one.
  Bytes all = card.call(hex("BF28 00"));
  auto first = rsp::tlv::read(rsp::tlv::read(rsp::tlv::read(all)->value)->value);
  CHECK(rsp::to_hex(first->whole) == rsp::to_hex(install_metadata));

  auto retrieve = [&](const Bytes& request) {
    Bytes response = card.call(request);
    auto decoded = schema<RetrieveNotificationsListResponse_t>(asn_DEF_RetrieveNotificationsListResponse, response);
    REQUIRE(decoded->present == RetrieveNotificationsListResponse_PR_notificationList);
    auto outer = rsp::tlv::read(response);
    auto items = rsp::tlv::read_all(rsp::tlv::read(outer->value)->value);
    REQUIRE(items);
    std::vector<Bytes> out;
    for (const auto& item : *items) out.emplace_back(item.whole.begin(), item.whole.end());
    REQUIRE(static_cast<int>(out.size()) == decoded->choice.notificationList.list.count);
    return out;
  };
  auto everything = retrieve(hex("BF2B 00"));
  REQUIRE(everything.size() == 6);
  CHECK(everything[0] == install_result);
  for (size_t i = 1; i < everything.size(); ++i) {
    CHECK(everything[i] == card.ctx.state.notifications[i].notification);
    CHECK(verify_notification(everything[i], card.credentials(Curve::nist_p256)).seq_number ==
          static_cast<long>(i + 1));
  }
  auto by_seq = retrieve(tlv(0xBF2B, tlv(0xA0, tlv_integer(0x80, 4))));
  REQUIRE(by_seq.size() == 1);
  CHECK(verify_notification(by_seq[0], card.credentials(Curve::nist_p256)).iccid == kIccid2);
  auto by_event = retrieve(tlv(0xBF2B, tlv(0xA0, tlv(0x81, bit_string({1})))));
  REQUIRE(by_event.size() == 2);
  CHECK(verify_notification(by_event[0], card.credentials(Curve::nist_p256)).seq_number == 2);
  CHECK(verify_notification(by_event[1], card.credentials(Curve::nist_p256)).seq_number == 4);
  CHECK(retrieve(tlv(0xBF2B, tlv(0xA0, tlv_integer(0x80, 99)))).empty());
  CHECK(card.call(tlv(0xBF2B, tlv(0xA0, tlv_integer(0x80, 99)))) == hex("BF2B 02 A0 00"));
  // SGP.32: eUICC Package Results; the card keeps none.
  Bytes package_results = card.call(hex("BF2B 04 A0 02 82 00"));
  CHECK(package_results == hex("BF2B 02 A2 00"));
  auto sgp32 = schema<SGP32_RetrieveNotificationsListResponse_t>(asn_DEF_SGP32_RetrieveNotificationsListResponse,
                                                                 package_results);
  CHECK(sgp32->present == SGP32_RetrieveNotificationsListResponse_PR_euiccPackageResultList);

  // RemoveNotificationFromList.
  CHECK(remove_notification(card, 4) == 0);
  CHECK(remove_notification(card, 4) == 1);  // nothingToDelete
  CHECK(remove_notification(card, 999) == 1);
  CHECK(remove_notification(card, -1) == 1);
  CHECK(retrieve(tlv(0xBF2B, tlv(0xA0, tlv_integer(0x80, 4)))).empty());
  CHECK(list(hex("BF28 00")).size() == 5);
  card.check_persisted();
  card.break_store();
  CHECK(remove_notification(card, 1) == 127);  // undefinedError, kept
  CHECK(card.ctx.state.notifications.size() == 5);
  card.repair_store();
  for (long seq : {1, 2, 3, 5, 6}) CHECK(remove_notification(card, seq) == 0);
  CHECK(card.call(hex("BF28 00")) == hex("BF28 02 A0 00"));
  CHECK(card.call(hex("BF2B 00")) == hex("BF2B 02 A0 00"));
  card.check_persisted();
  // Sequence numbers keep counting after the list is empty.
  CHECK(enable(card, iccid_tlv(kIccid2)) == 0);
  CHECK(last_notification(card).seq_number == 7);

  // Malformed.
  CHECK(card.status_word(hex("BF28 03 81 01 01")) == 0x6A80);  // bit string with unused bits but no byte
  CHECK(card.status_word(hex("BF30 00")) == 0x6A80);
  CHECK(card.status_word(hex("BF2B 02 A0 00")) == 0x6A80);
}

}  // namespace euicc::test_es10c
