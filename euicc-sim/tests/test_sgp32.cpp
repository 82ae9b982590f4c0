// The software eUICC's SGP.32 v1.2 functions, with the test plays the eIM (the PKI's eIM key):
// GetCerts, AddInitialEim, GetEimConfigurationData, signed eUICC Packages (PSMOs and eCOs) with
// their signed results checked against the eUICC chain, every package error, the results kept
// for the IPA, ProfileRollback, immediate enabling, fallback, memory reset and the smaller ES10b'
// functions. Every response is decoded (and re-encoded byte for byte) with the SGP.32 module.
#include <catch2/catch.hpp>

#include <AddInitialEimResponse.h>
#include <AddInitialEimResult.h>
#include <ConfigureImmediateProfileEnablingResponse.h>
#include <DisableEmergencyProfileResponse.h>
#include <EUICCInfo1.h>
#include <EimConfigurationData.h>
#include <EimIdInfo.h>
#include <EnableEmergencyProfileResponse.h>
#include <EuiccPackageResult.h>
#include <EuiccResultData.h>
#include <ExecuteFallbackMechanismResponse.h>
#include <GetCertsResponse.h>
#include <GetConnectivityParametersResponse.h>
#include <GetEimConfigurationDataResponse.h>
#include <GetEuiccDataResponse.h>
#include <GetRatResponse.h>
#include <ImmediateEnableResponse.h>
#include <ListEimResult.h>
#include <NotificationSentResponse.h>
#include <ProfileRollbackResponse.h>
#include <ReturnFromFallbackResponse.h>
#include <SGP32-EUICCInfo2.h>
#include <SGP32-EuiccMemoryResetResponse.h>
#include <SGP32-ProfileInfo.h>
#include <SGP32-ProfileInfoListResponse.h>
#include <SGP32-RetrieveNotificationsListResponse.h>
#include <SGP32-SetDefaultDpAddressResponse.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "download_fixture.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/asn1/primitives.hpp"
#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/crypto/openssl.hpp"
#include "rsp/files.hpp"
#include "rsp/iccid.hpp"
#include "schema_check.hpp"
#include "support/kit.hpp"

// Inside the namespace: the generated C types (ProfileState ...) share names with the card's own.
namespace euicc::test_sgp32 {
namespace {

using euicc::test::integer;
using euicc::test::schema;

namespace fs = std::filesystem;
namespace crypto = rsp::crypto;
using crypto::Certificate;
using crypto::Curve;
using crypto::Role;
using rsp::test::hex;

const std::string kIccid1 = "8949449999999990049";
const std::string kIccid2 = "89000123456789012341";
const std::string kIccid3 = "8901234567890123456";
const std::string kIccidAbsent = "8999999999999999999";
const std::string kEimId = "eim.example.org";
const std::string kSmdp = "smdp.example.com";

Bytes iccid_tlv(const std::string& iccid) { return tlv(0x5A, *rsp::iccid::to_bytes(iccid)); }
Bytes contents(ByteView der) {
  auto t = rsp::tlv::read(der);
  REQUIRE(t);
  return Bytes(t->value.begin(), t->value.end());
}
std::string hex_of(ByteView b) { return rsp::to_hex(b); }

// The eIM side: its key, the association token the card issued to it, its counter.
struct Eim {
  std::string id;
  crypto::PrivateKey key;
  std::optional<Certificate> certificate;  // eimPublicKeyData: the certificate, else the bare key
  std::optional<int64_t> token;
  long counter = 0;

  // EimConfigurationData; `request_token` asks the card to issue an association token.
  Bytes configuration(long initial_counter, bool request_token, const Bytes& tail = {}) const {
    Bytes key_data =
        certificate ? tlv(0xA1, contents(certificate->der())) : tlv(0xA0, contents(key.public_key().spki_der()));
    return tlv(0x30,
               {tlv(0x80, rsp::to_bytes(id)), tlv(0x81, rsp::to_bytes(id)), tlv_integer(0x82, 2),  // eimIdTypeFqdn
                tlv_integer(0x83, initial_counter), request_token ? tlv_integer(0x84, 0) : Bytes{}, tlv(0xA5, key_data),
                tlv(0x87, bit_string({0})), tail});
  }

  // EuiccPackageRequest with eimSignature over DER(euiccPackageSigned) || 84 L associationToken.
  Bytes package(ByteView eid, const Bytes& body, std::optional<long> counter_value = {}) {
    long c = counter_value.value_or(counter + 1);
    if (!counter_value) counter = c;
    Bytes signed_part =
        tlv(0x30, {tlv(0x80, rsp::to_bytes(id)), tlv(0x5A, eid), tlv_integer(0x81, c), tlv(0x82, hex("A1B2C3")), body});
    Bytes signature = crypto::sign(key, rsp::concat({signed_part, tlv_integer(0x84, token.value_or(0))}));
    return tlv(0xBF51, {signed_part, tlv(0x5F37, signature)});
  }
};

Bytes psmos(std::initializer_list<ByteView> operations) { return tlv(0xA0, operations); }
Bytes ecos(std::initializer_list<ByteView> operations) { return tlv(0xA1, operations); }
Bytes enable(const std::string& iccid, bool rollback = false) {
  return tlv(0xA3, {iccid_tlv(iccid), rollback ? tlv(0x05, Bytes{}) : Bytes{}});
}
Bytes disable(const std::string& iccid) { return tlv(0xA4, iccid_tlv(iccid)); }
Bytes remove(const std::string& iccid) { return tlv(0xA5, iccid_tlv(iccid)); }
Bytes list_profiles() { return tlv(0xBF2D, Bytes{}); }

// What a signed eUICC Package Result (or a signed error) says, once its signature checked out.
struct Signed {
  std::string eim_id;
  long counter_value = 0;
  long seq_number = -1;              // results only
  std::vector<std::string> entries;  // results: each EuiccResultData, hex
  long error = -1;                   // errors only
};

struct Fixture : test::CardFixture {
  Eim eim{kEimId, rsp::pki::load_key(pki, Curve::nist_p256, Role::eim).value(),
          rsp::pki::load_certificate(pki, Curve::nist_p256, Role::eim).value(), std::nullopt, 0};
  fs::path card_dir = dir.path() / "card";

  // A profile as a download leaves it, disabled, every notification wanted.
  void install(const std::string& iccid, uint8_t aid, ProfileState state = ProfileState::disabled,
               ProfileClass profile_class = ProfileClass::operational) {
    Profile p;
    p.iccid = iccid;
    p.isdp_aid = hex("A0000005591010FFFFFFFF890000");
    p.isdp_aid.push_back(aid);
    p.isdp_aid.push_back(0x00);
    p.state = state;
    p.profile_class = profile_class;
    p.service_provider_name = "Operator";
    p.profile_name = "Profile " + iccid;
    p.notification_configuration = {{0x0F, kSmdp}};
    p.ci_ski = card->credentials.front().ci_ski;
    p.smdp_oid = hex("8737");  // OID contents of the SM-DP+ that installed it (2.871)
    p.store_metadata = tlv(0xBF25, {iccid_tlv(iccid), tlv(0x91, rsp::to_bytes(p.service_provider_name)),
                                    tlv(0x92, rsp::to_bytes(p.profile_name))});
    card->state.profiles.push_back(p);
    REQUIRE(card->store.write_profile_package(iccid, hex("A0 03 80 01 02")));
    REQUIRE(card->commit());
  }
  ProfileState state_of(const std::string& iccid) { return card->state.find_profile(iccid)->state; }

  // AddInitialEim for `eim` asking for a token; keeps the token the card issued.
  void associate() {
    auto response = schema<AddInitialEimResponse_t>(asn_DEF_AddInitialEimResponse,
                                                    call(tlv(0xBF57, tlv(0xA0, eim.configuration(0, true)))));
    REQUIRE(response->present == AddInitialEimResponse_PR_addInitialEimOk);
    REQUIRE(response->choice.addInitialEimOk.list.count == 1);
    const auto& r = *response->choice.addInitialEimOk.list.array[0];
    REQUIRE(r.present == AddInitialEimResult_PR_associationToken);
    eim.token = integer(r.choice.associationToken);
  }

  Bytes send(Eim& from, const Bytes& body) { return call(from.package(card->eid_bytes, body)); }

  // The eUICC's certificate as the eIM gets it (GetCerts), chain checked to the PKI's CI.
  crypto::PublicKey euicc_key() {
    Bytes response = call(hex("BF56 00"));
    auto certs = rsp::tlv::read(response)->value;
    auto a0 = rsp::tlv::read(certs).value();
    auto parts = rsp::tlv::read_all(a0.value).value();
    auto eum = Certificate::from_der(tlv(0x30, parts[0].value)).value();
    auto euicc = Certificate::from_der(tlv(0x30, parts[1].value)).value();
    crypto::TrustedCis cis;
    cis.add(rsp::pki::load_certificate(pki, Curve::nist_p256, Role::ci).value());
    auto chain = crypto::verify_chain(euicc, Role::euicc, {eum}, cis, time(nullptr));
    if (!chain) FAIL(chain.error().message);
    return euicc.public_key().value();
  }

  // Checks a BF51 signed result or signed error: schema, and euiccSignEPR / euiccSignEPE with the
  // eUICC key over the signed data || 84 L associationToken of `signer`.
  Signed verify(const Bytes& response, const Eim& signer) {
    auto decoded = schema<EuiccPackageResult_t>(asn_DEF_EuiccPackageResult, response);
    auto outer = rsp::tlv::read(response).value();
    auto choice = rsp::tlv::read(outer.value).value();
    auto parts = rsp::tlv::read_all(choice.value).value();
    REQUIRE(parts.size() == 2);
    REQUIRE(parts[1].tag == 0x5F37);
    Bytes token = tlv_integer(0x84, signer.token.value_or(0));
    CHECK(crypto::verify(euicc_key(), rsp::concat({parts[0].whole, token}), parts[1].value));
    Signed s;
    if (decoded->present == EuiccPackageResult_PR_euiccPackageResultSigned) {
      const auto& data = decoded->choice.euiccPackageResultSigned.euiccPackageResultDataSigned;
      s.eim_id = rsp::asn1::text(data.eimId);
      s.counter_value = integer(data.counterValue);
      s.seq_number = integer(data.seqNumber);
      REQUIRE(data.eimTransactionId);
      CHECK(rsp::asn1::octets(*data.eimTransactionId) == hex("A1B2C3"));
      auto members = rsp::tlv::read_all(parts[0].value).value();
      for (const auto& entry : rsp::tlv::read_all(members.back().value).value())
        s.entries.push_back(hex_of(entry.whole));
      CHECK(s.entries.size() == static_cast<size_t>(data.euiccResult.list.count));
    } else {
      REQUIRE(decoded->present == EuiccPackageResult_PR_euiccPackageErrorSigned);
      const auto& data = decoded->choice.euiccPackageErrorSigned.euiccPackageErrorDataSigned;
      s.eim_id = rsp::asn1::text(data.eimId);
      s.counter_value = integer(data.counterValue);
      s.error = integer(data.euiccPackageErrorCode);
    }
    return s;
  }

  // The eUICC Package Results the card keeps (RetrieveNotificationsList with euiccPackageResults).
  std::vector<Bytes> pending_results() {
    Bytes bytes = call(hex("BF2B 04 A0 02 82 00"));
    auto response =
        schema<SGP32_RetrieveNotificationsListResponse_t>(asn_DEF_SGP32_RetrieveNotificationsListResponse, bytes);
    REQUIRE(response->present == SGP32_RetrieveNotificationsListResponse_PR_euiccPackageResultList);
    std::vector<Bytes> out;
    auto list = rsp::tlv::read(rsp::tlv::read(bytes)->value).value();
    for (const auto& r : rsp::tlv::read_all(list.value).value()) out.emplace_back(r.whole.begin(), r.whole.end());
    CHECK(out.size() == static_cast<size_t>(response->choice.euiccPackageResultList.list.count));
    return out;
  }

  // Makes every later commit fail: state.json becomes a directory the rename cannot replace.
  void break_store() {
    fs::remove(card_dir / "state.json");
    fs::create_directories(card_dir / "state.json" / "blocker");
  }
  void repair_store() {
    fs::remove_all(card_dir / "state.json");
    REQUIRE(card->commit());
  }
};

// `tag { 80 code }` responses and their decoded code.
template <class T>
long coded(Fixture& f, const asn_TYPE_descriptor_t& type, const Bytes& request, INTEGER_t T::*member) {
  auto decoded = schema<T>(type, f.call(request));
  return integer((*decoded).*member);
}

// An EC key on a curve RSP does not use (P-384), as SubjectPublicKeyInfo DER.
Bytes p384_spki() {
  rsp::crypto::PkeyPtr key(EVP_EC_gen("secp384r1"));
  REQUIRE(key);
  int n = i2d_PUBKEY(key.get(), nullptr);
  Bytes der(static_cast<size_t>(n));
  unsigned char* p = der.data();
  i2d_PUBKEY(key.get(), &p);
  return der;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// GetCerts, AddInitialEim, GetEimConfigurationData

TEST_CASE("GetCerts returns the EUM and eUICC certificates re-tagged A5/A6; an unknown CI is invalidCiPKId",
          "[sgp32]") {
  Fixture f;
  const Credentials& c = f.card->credentials.front();
  auto certs = schema<GetCertsResponse_t>(asn_DEF_GetCertsResponse, f.call(hex("BF56 00")));
  REQUIRE(certs->present == GetCertsResponse_PR_certs);
  Bytes response = f.call(tlv(0xBF56, tlv(0x80, c.ci_ski)));
  CHECK(response == f.call(hex("BF56 00")));
  auto a0 = rsp::tlv::read(rsp::tlv::read(response)->value).value();
  CHECK(a0.tag == 0xA0);
  auto parts = rsp::tlv::read_all(a0.value).value();
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].tag == 0xA5);
  CHECK(parts[1].tag == 0xA6);
  CHECK(tlv(0x30, parts[0].value) == c.eum.der());
  CHECK(tlv(0x30, parts[1].value) == c.euicc.der());

  auto error = schema<GetCertsResponse_t>(asn_DEF_GetCertsResponse, f.call(tlv(0xBF56, tlv(0x80, Bytes(20, 0x42)))));
  REQUIRE(error->present == GetCertsResponse_PR_getCertsError);
  CHECK(integer(error->choice.getCertsError) == 1);
}

TEST_CASE("AddInitialEim keeps the eIM with its counter and a fresh association token, once", "[sgp32]") {
  Fixture f;
  f.associate();
  REQUIRE(f.eim.token);
  CHECK(*f.eim.token >= 1);

  auto read_configurations = [&](const Bytes& request) {
    return schema<GetEimConfigurationDataResponse_t>(asn_DEF_GetEimConfigurationDataResponse, f.call(request));
  };
  auto all = read_configurations(hex("BF55 00"));
  REQUIRE(all->eimConfigurationDataList.list.count == 1);
  const EimConfigurationData_t& data = *all->eimConfigurationDataList.list.array[0];
  CHECK(rsp::asn1::text(data.eimId) == kEimId);
  REQUIRE(data.counterValue);
  CHECK(integer(*data.counterValue) == 0);
  REQUIRE(data.associationToken);
  CHECK(integer(*data.associationToken) == *f.eim.token);
  REQUIRE(data.eimPublicKeyData);
  CHECK(data.eimPublicKeyData->present == EimConfigurationData__eimPublicKeyData_PR_eimCertificate);
  CHECK(read_configurations(tlv(0xBF55, tlv(0xA0, tlv(0x80, rsp::to_bytes(kEimId)))))
            ->eimConfigurationDataList.list.count == 1);
  CHECK(read_configurations(tlv(0xBF55, tlv(0xA0, tlv(0x80, rsp::to_bytes("other")))))
            ->eimConfigurationDataList.list.count == 0);

  // Only while no eIM is configured: associatedEimAlreadyExists.
  Eim other{"other.example.org", crypto::PrivateKey::generate(Curve::nist_p256), std::nullopt, std::nullopt, 0};
  auto again = schema<AddInitialEimResponse_t>(asn_DEF_AddInitialEimResponse,
                                               f.call(tlv(0xBF57, tlv(0xA0, other.configuration(0, false)))));
  REQUIRE(again->present == AddInitialEimResponse_PR_addInitialEimError);
  CHECK(integer(again->choice.addInitialEimError) == 2);

  // It survives a restart.
  f.reopen();
  REQUIRE(f.card->state.eims.size() == 1);
  CHECK(f.card->state.eims[0].association_token == f.eim.token);
  CHECK(read_configurations(hex("BF55 00"))->eimConfigurationDataList.list.count == 1);
}

TEST_CASE("AddInitialEim checks each configuration and adds all of them or none", "[sgp32]") {
  Fixture f;
  auto add = [&](std::initializer_list<ByteView> configurations) {
    Bytes list = rsp::concat(configurations);
    auto r = schema<AddInitialEimResponse_t>(asn_DEF_AddInitialEimResponse, f.call(tlv(0xBF57, tlv(0xA0, list))));
    if (r->present == AddInitialEimResponse_PR_addInitialEimError) return integer(r->choice.addInitialEimError);
    return 0L;
  };
  Eim bare{"bare.example.org", crypto::PrivateKey::generate(Curve::nist_p256), std::nullopt, std::nullopt, 0};
  // No eimPublicKeyData: commandError.
  CHECK(add({tlv(0x30, {tlv(0x80, rsp::to_bytes("nokey")), tlv_integer(0x83, 1)})}) == 7);
  // counterValue beyond the card's range: counterValueOutOfRange.
  CHECK(add({bare.configuration(0x80000000L, false)}) == 6);
  CHECK(add({bare.configuration(-1, false)}) == 6);
  // A certificate from a CI the card does not hold: ciPKUnknown.
  rsp::test::TempDir other_dir;
  REQUIRE(rsp::pki::make(other_dir.path(), rsp::pki::MakeOptions{}));
  Eim stranger{"stranger.example.org", rsp::pki::load_key(other_dir.path(), Curve::nist_p256, Role::eim).value(),
               rsp::pki::load_certificate(other_dir.path(), Curve::nist_p256, Role::eim).value(), std::nullopt, 0};
  CHECK(add({stranger.configuration(0, true)}) == 3);
  // euiccCiPKId naming a CI the card has no credentials under: ciPKUnknown.
  CHECK(add({bare.configuration(0, false, tlv(0x88, Bytes(20, 0x42)))}) == 3);
  // A key on a curve RSP does not use: commandError.
  Bytes p384 = tlv(0x30, {tlv(0x80, rsp::to_bytes("p384")), tlv(0xA5, tlv(0xA0, contents(p384_spki())))});
  CHECK(add({p384}) == 7);
  // The same eimId twice: commandError. A bad one after a good one: none is kept.
  CHECK(add({bare.configuration(0, false), bare.configuration(0, false)}) == 7);
  CHECK(add({bare.configuration(0, false), bare.configuration(-1, false)}) == 6);
  CHECK(f.card->state.eims.empty());

  // A bare key without a token request: addOk, stored with its counter and without a token.
  auto ok = schema<AddInitialEimResponse_t>(asn_DEF_AddInitialEimResponse,
                                            f.call(tlv(0xBF57, tlv(0xA0, bare.configuration(7, false)))));
  REQUIRE(ok->present == AddInitialEimResponse_PR_addInitialEimOk);
  REQUIRE(ok->choice.addInitialEimOk.list.count == 1);
  CHECK(ok->choice.addInitialEimOk.list.array[0]->present == AddInitialEimResult_PR_addOk);
  REQUIRE(f.card->state.eims.size() == 1);
  CHECK(f.card->state.eims[0].counter_value == 7);
  CHECK_FALSE(f.card->state.eims[0].association_token);
}

// ---------------------------------------------------------------------------------------------
// LoadEuiccPackage

TEST_CASE("PSMOs enable, disable, delete and list, with signed results the eIM can verify", "[sgp32]") {
  Fixture f;
  f.install(kIccid1, 0x10);
  f.install(kIccid2, 0x11);
  f.associate();

  Signed first = f.verify(f.send(f.eim, psmos({enable(kIccid1), list_profiles(), tlv(0xA6, Bytes{})})), f.eim);
  CHECK(first.eim_id == kEimId);
  CHECK(first.counter_value == 1);
  REQUIRE(first.entries.size() == 3);
  CHECK(first.entries[0] == "830100");  // enableResult ok
  CHECK(first.entries[2] == "A600");    // getRATResult: an empty table
  auto list = schema<SGP32_ProfileInfoListResponse_t>(asn_DEF_SGP32_ProfileInfoListResponse, hex(first.entries[1]));
  REQUIRE(list->present == SGP32_ProfileInfoListResponse_PR_profileInfoListOk);
  REQUIRE(list->choice.profileInfoListOk.list.count == 2);
  CHECK(integer(*list->choice.profileInfoListOk.list.array[0]->profileState) == 1);  // enabled
  CHECK(f.state_of(kIccid1) == ProfileState::enabled);

  // Enabling the other disables the first; then disable and delete.
  Signed second = f.verify(f.send(f.eim, psmos({enable(kIccid2), disable(kIccid2), remove(kIccid1)})), f.eim);
  CHECK(second.counter_value == 2);
  CHECK(second.entries == std::vector<std::string>{"830100", "840100", "850100"});
  CHECK(second.seq_number > first.seq_number);
  CHECK(f.state_of(kIccid2) == ProfileState::disabled);
  CHECK(f.card->state.find_profile(kIccid1) == nullptr);
  CHECK_FALSE(fs::exists(f.card_dir / "profiles" / (kIccid1 + ".upp")));

  // Each change queued its notification (enable, disable, enable, disable, delete), signed as in SGP.22.
  std::vector<NotificationEvent> events;
  for (const auto& n : f.card->state.notifications) events.push_back(n.event);
  CHECK(events == std::vector<NotificationEvent>{NotificationEvent::enable, NotificationEvent::disable,
                                                 NotificationEvent::enable, NotificationEvent::disable,
                                                 NotificationEvent::delete_});

  // Both results are kept until removed, with their sequence numbers.
  auto pending = f.pending_results();
  REQUIRE(pending.size() == 2);
  CHECK(f.verify(pending[0], f.eim).seq_number == first.seq_number);
  CHECK(f.verify(pending[1], f.eim).seq_number == second.seq_number);
  auto removed = schema<NotificationSentResponse_t>(asn_DEF_NotificationSentResponse,
                                                    f.call(tlv(0xBF30, tlv_integer(0x80, first.seq_number))));
  CHECK(integer(removed->deleteNotificationStatus) == 0);
  REQUIRE(f.pending_results().size() == 1);
  // The SGP.22 notification list is untouched by it.
  CHECK(f.card->state.notifications.size() == 5);

  // All of it survives a restart; the counter too.
  f.reopen();
  REQUIRE(f.pending_results().size() == 1);
  CHECK(f.verify(f.pending_results()[0], f.eim).seq_number == second.seq_number);
  CHECK(f.card->state.eims[0].counter_value == 2);
  CHECK(f.state_of(kIccid2) == ProfileState::disabled);
}

TEST_CASE("PSMO errors: the failing operation's code ends the package", "[sgp32]") {
  Fixture f;
  f.install(kIccid1, 0x10, ProfileState::enabled);
  f.install(kIccid2, 0x11);
  f.associate();
  auto run = [&](const Bytes& body) { return f.verify(f.send(f.eim, body), f.eim).entries; };
  CHECK(run(psmos({enable(kIccidAbsent), disable(kIccid1)})) == std::vector<std::string>{"830101"});
  CHECK(f.state_of(kIccid1) == ProfileState::enabled);
  CHECK(run(psmos({enable(kIccid1)})) == std::vector<std::string>{"830102"});   // profileNotInDisabledState
  CHECK(run(psmos({disable(kIccid2)})) == std::vector<std::string>{"840102"});  // profileNotInEnabledState
  CHECK(run(psmos({remove(kIccid1)})) == std::vector<std::string>{"850102"});   // enabled: not deletable
  CHECK(run(psmos({remove(kIccidAbsent)})) == std::vector<std::string>{"850101"});
  // ppr1 on the enabled profile: disallowedByPolicy.
  f.card->state.find_profile(kIccid1)->profile_policy_rules = bit_string({1});
  REQUIRE(f.card->commit());
  CHECK(run(psmos({disable(kIccid1)})) == std::vector<std::string>{"840103"});
  CHECK(run(psmos({enable(kIccid2)})) == std::vector<std::string>{"830103"});
  // An operation the card does not know (an extension alternative): processingTerminated
  // unknownOrDamagedCommand, after the results of those before it.
  CHECK(run(psmos({list_profiles(), tlv(0xBF7F, Bytes{})})).size() == 2);
  CHECK(run(psmos({tlv(0xBF7F, Bytes{})})) == std::vector<std::string>{"020102"});
  CHECK(f.state_of(kIccid1) == ProfileState::enabled);
  CHECK(f.state_of(kIccid2) == ProfileState::disabled);
}

TEST_CASE("Package errors: replay, counter range, wrong signature, wrong EID, unknown eIM", "[sgp32]") {
  Fixture f;
  f.install(kIccid1, 0x10);
  f.associate();
  REQUIRE(f.verify(f.send(f.eim, psmos({list_profiles()})), f.eim).entries.size() == 1);
  size_t results_before = f.card->state.euicc_package_results.size();
  auto notifications_before = f.card->state.notifications.size();

  // The same counter again: replayError, signed.
  Signed replay = f.verify(f.call(f.eim.package(f.card->eid_bytes, psmos({enable(kIccid1)}), 1)), f.eim);
  CHECK(replay.error == 4);
  CHECK(replay.counter_value == 1);
  CHECK(f.verify(f.call(f.eim.package(f.card->eid_bytes, psmos({enable(kIccid1)}), 0)), f.eim).error == 4);
  // Beyond the card's range: counterValueOutOfRange.
  CHECK(f.verify(f.call(f.eim.package(f.card->eid_bytes, psmos({enable(kIccid1)}), 0x80000000L)), f.eim).error == 6);
  CHECK(f.verify(f.call(f.eim.package(f.card->eid_bytes, psmos({enable(kIccid1)}), -5)), f.eim).error == 6);
  // Another card's EID: invalidEid.
  Bytes other_eid = f.card->eid_bytes;
  other_eid[15] ^= 0x11;
  CHECK(f.verify(f.call(f.eim.package(other_eid, psmos({enable(kIccid1)}))), f.eim).error == 3);

  auto unsigned_error = [&](const Bytes& response) {
    auto decoded = schema<EuiccPackageResult_t>(asn_DEF_EuiccPackageResult, response);
    REQUIRE(decoded->present == EuiccPackageResult_PR_euiccPackageErrorUnsigned);
    return decoded;
  };
  // A wrong signature: the sender is not authenticated, the card signs nothing for it.
  Bytes tampered = f.eim.package(f.card->eid_bytes, psmos({enable(kIccid1)}));
  tampered[tampered.size() - 1] ^= 0x01;
  {
    auto e = unsigned_error(f.call(tampered));
    CHECK(rsp::asn1::text(e->choice.euiccPackageErrorUnsigned.eimId) == kEimId);
    REQUIRE(e->choice.euiccPackageErrorUnsigned.associationToken);
    CHECK(integer(*e->choice.euiccPackageErrorUnsigned.associationToken) == *f.eim.token);
  }
  // Signed by the right key but without the association token: also wrong.
  Eim forgetful{kEimId, rsp::pki::load_key(f.pki, Curve::nist_p256, Role::eim).value(), std::nullopt, std::nullopt, 0};
  unsigned_error(f.call(forgetful.package(f.card->eid_bytes, psmos({enable(kIccid1)}), 50)));
  // Signed by another key.
  Eim impostor{kEimId, crypto::PrivateKey::generate(Curve::nist_p256), std::nullopt, f.eim.token, 60};
  unsigned_error(f.send(impostor, psmos({enable(kIccid1)})));
  // An eimId the card does not know: unsigned, without a token.
  Eim unknown{"unknown.example.org", crypto::PrivateKey::generate(Curve::nist_p256), std::nullopt, std::nullopt, 0};
  {
    auto e = unsigned_error(f.send(unknown, psmos({enable(kIccid1)})));
    CHECK(rsp::asn1::text(e->choice.euiccPackageErrorUnsigned.eimId) == "unknown.example.org");
    REQUIRE(e->choice.euiccPackageErrorUnsigned.eimTransactionId);
    CHECK(e->choice.euiccPackageErrorUnsigned.associationToken == nullptr);
  }
  // None of them changed anything, nor kept a result.
  CHECK(f.state_of(kIccid1) == ProfileState::disabled);
  CHECK(f.card->state.eims[0].counter_value == 1);
  CHECK(f.card->state.euicc_package_results.size() == results_before);
  CHECK(f.card->state.notifications.size() == notifications_before);
  // Malformed: the schema refuses it with 6A80.
  CHECK(f.call_status_word(hex("BF51 03 30 01 00")) == 0x6A80);
  // The next counter still works.
  CHECK(f.verify(f.send(f.eim, psmos({enable(kIccid1)})), f.eim).entries == std::vector<std::string>{"830100"});
}

TEST_CASE("A package whose commit fails leaves the card as it was, and can be sent again", "[sgp32]") {
  Fixture f;
  f.install(kIccid1, 0x10, ProfileState::enabled);
  f.install(kIccid2, 0x11);
  f.associate();
  CardState before = f.card->state;
  Bytes package = f.eim.package(f.card->eid_bytes, psmos({enable(kIccid2), remove(kIccid1)}));
  f.break_store();
  Signed failed = f.verify(f.call(package), f.eim);
  CHECK(failed.error == 127);
  CHECK(f.card->state.profiles.size() == before.profiles.size());
  CHECK(f.state_of(kIccid1) == ProfileState::enabled);
  CHECK(f.state_of(kIccid2) == ProfileState::disabled);
  CHECK(f.card->state.eims[0].counter_value == before.eims[0].counter_value);
  CHECK(f.card->state.notifications.size() == before.notifications.size());
  CHECK(f.card->state.euicc_package_results.empty());
  CHECK(f.card->state.next_seq_number == before.next_seq_number);
  CHECK(fs::exists(f.card_dir / "profiles" / (kIccid1 + ".upp")));
  f.repair_store();
  Signed done = f.verify(f.call(package), f.eim);
  CHECK(done.entries == std::vector<std::string>{"830100", "850100"});
  f.reopen();
  CHECK(f.card->state.find_profile(kIccid1) == nullptr);
  CHECK(f.state_of(kIccid2) == ProfileState::enabled);
}

TEST_CASE("eCOs add a second eIM, list, update and delete eIMs", "[sgp32]") {
  Fixture f;
  f.associate();
  f.install(kIccid1, 0x10);
  // A second eIM with a bare key and no token: its signatures count the token as 0.
  Eim second{"second.example.org", crypto::PrivateKey::generate(Curve::nist_p256), std::nullopt, std::nullopt, 0};
  Signed added =
      f.verify(f.send(f.eim, ecos({tlv(0xA8, contents(second.configuration(10, false))), tlv(0xAB, Bytes{})})), f.eim);
  REQUIRE(added.entries.size() == 2);
  CHECK(added.entries[0] == "A803020100");  // addEimResult: ok, no token asked for
  auto listed = schema<ListEimResult_t>(asn_DEF_ListEimResult, contents(hex(added.entries[1])));
  REQUIRE(listed->present == ListEimResult_PR_eimIdList);
  REQUIRE(listed->choice.eimIdList.list.count == 2);
  CHECK(rsp::asn1::text(listed->choice.eimIdList.list.array[0]->eimId) == kEimId);
  CHECK(rsp::asn1::text(listed->choice.eimIdList.list.array[1]->eimId) == "second.example.org");
  REQUIRE(listed->choice.eimIdList.list.array[1]->eimIdType);
  CHECK(integer(*listed->choice.eimIdList.list.array[1]->eimIdType) == 2);
  auto decoded_entry = schema<EuiccResultData_t>(asn_DEF_EuiccResultData, hex(added.entries[0]));
  CHECK(decoded_entry->present == EuiccResultData_PR_addEimResult);

  // The second eIM's packages: counter above its initial 10, signed without a token.
  second.counter = 10;
  Signed by_second = f.verify(f.send(second, psmos({enable(kIccid1)})), second);
  CHECK(by_second.eim_id == "second.example.org");
  CHECK(by_second.entries == std::vector<std::string>{"830100"});
  CHECK(f.verify(f.call(second.package(f.card->eid_bytes, psmos({list_profiles()}), 5)), second).error == 4);

  // Adding it again: associatedEimAlreadyExists, and the package ends there. A token asked for is issued.
  Eim third{"third.example.org", crypto::PrivateKey::generate(Curve::nist_p256), std::nullopt, std::nullopt, 0};
  Signed again = f.verify(f.send(f.eim, ecos({tlv(0xA8, contents(second.configuration(0, false))),
                                              tlv(0xA8, contents(third.configuration(0, true)))})),
                          f.eim);
  CHECK(again.entries == std::vector<std::string>{"A803020102"});
  Signed with_token = f.verify(f.send(f.eim, ecos({tlv(0xA8, contents(third.configuration(0, true)))})), f.eim);
  REQUIRE(with_token.entries.size() == 1);
  auto token_entry = schema<EuiccResultData_t>(asn_DEF_EuiccResultData, hex(with_token.entries[0]));
  REQUIRE(token_entry->choice.addEimResult.present == AddEimResult_PR_associationToken);
  third.token = integer(token_entry->choice.addEimResult.choice.associationToken);
  CHECK(third.token != f.eim.token);
  CHECK(f.verify(f.send(third, psmos({list_profiles()})), third).entries.size() == 1);

  // updateEim resets the second eIM's counter; unknown eIMs are eimNotFound.
  Bytes update = tlv(0xAA, {tlv(0x80, rsp::to_bytes("second.example.org")), tlv_integer(0x83, 100)});
  Bytes update_unknown = tlv(0xAA, {tlv(0x80, rsp::to_bytes("nobody")), tlv_integer(0x83, 1)});
  CHECK(f.verify(f.send(f.eim, ecos({update, update_unknown})), f.eim).entries ==
        std::vector<std::string>{"8A0100", "8A0101"});
  CHECK(f.verify(f.call(second.package(f.card->eid_bytes, psmos({list_profiles()}), 100)), second).error == 4);
  second.counter = 100;
  CHECK(f.verify(f.send(second, psmos({list_profiles()})), second).counter_value == 101);
  // The update kept the key, FQDN and type it did not repeat.
  auto config = schema<GetEimConfigurationDataResponse_t>(
      asn_DEF_GetEimConfigurationDataResponse,
      f.call(tlv(0xBF55, tlv(0xA0, tlv(0x80, rsp::to_bytes("second.example.org"))))));
  REQUIRE(config->eimConfigurationDataList.list.count == 1);
  CHECK(config->eimConfigurationDataList.list.array[0]->eimPublicKeyData);
  CHECK(config->eimConfigurationDataList.list.array[0]->eimFqdn);
  CHECK(integer(*config->eimConfigurationDataList.list.array[0]->counterValue) == 101);

  // deleteEim: the second and third go; deleting the last one says so.
  auto delete_eim = [](const std::string& id) { return tlv(0xA9, tlv(0x80, rsp::to_bytes(id))); };
  CHECK(f.verify(f.send(f.eim, ecos({delete_eim("second.example.org"), delete_eim("third.example.org"),
                                     delete_eim("nobody")})),
                 f.eim)
            .entries == std::vector<std::string>{"890100", "890100", "890101"});
  Bytes only_first = tlv(0xAB, tlv(0xA0, tlv(0x30, {tlv(0x80, rsp::to_bytes(kEimId)), tlv_integer(0x82, 2)})));
  CHECK(f.verify(f.send(f.eim, ecos({tlv(0xAB, Bytes{}), delete_eim(kEimId)})), f.eim).entries ==
        std::vector<std::string>{hex_of(only_first), "890102"});
  CHECK(f.card->state.eims.empty());
}

// ---------------------------------------------------------------------------------------------
// ProfileRollback, immediate enabling, fallback

TEST_CASE("ProfileRollback returns to the profile enabled before an eIM enable with rollbackFlag", "[sgp32]") {
  Fixture f;
  f.install(kIccid1, 0x10, ProfileState::enabled);
  f.install(kIccid2, 0x11);
  f.associate();
  auto rollback = [&] {
    return schema<ProfileRollbackResponse_t>(asn_DEF_ProfileRollbackResponse, f.call(hex("BF58 03 80 01 FF")));
  };
  CHECK(integer(rollback()->cmdResult) == 1);  // nothing to roll back: rollbackNotAllowed

  Signed enabled = f.verify(f.send(f.eim, psmos({enable(kIccid2, true)})), f.eim);
  CHECK(enabled.entries == std::vector<std::string>{"830100"});
  CHECK(f.state_of(kIccid2) == ProfileState::enabled);
  f.reopen();  // the rollback survives a restart

  Bytes response = f.call(hex("BF58 03 80 01 FF"));
  auto r = schema<ProfileRollbackResponse_t>(asn_DEF_ProfileRollbackResponse, response);
  CHECK(integer(r->cmdResult) == 0);
  REQUIRE(r->eUICCPackageResult);
  CHECK(f.state_of(kIccid1) == ProfileState::enabled);
  CHECK(f.state_of(kIccid2) == ProfileState::disabled);
  auto package_result = rsp::tlv::find(rsp::tlv::read(response)->value, 0xBF51).value();
  Signed rolled_back = f.verify(Bytes(package_result.whole.begin(), package_result.whole.end()), f.eim);
  CHECK(rolled_back.counter_value == enabled.counter_value);
  CHECK(rolled_back.entries == std::vector<std::string>{"830100", "8C0100"});
  CHECK(rolled_back.seq_number > enabled.seq_number);
  // It replaces the package's first result.
  auto pending = f.pending_results();
  REQUIRE(pending.size() == 1);
  CHECK(pending[0] == Bytes(package_result.whole.begin(), package_result.whole.end()));
  CHECK(integer(rollback()->cmdResult) == 1);  // once

  // Any other profile change ends the rollback; with no profile enabled there is nothing to return to.
  f.verify(f.send(f.eim, psmos({enable(kIccid2, true)})), f.eim);
  f.verify(f.send(f.eim, psmos({disable(kIccid2)})), f.eim);
  CHECK(integer(rollback()->cmdResult) == 1);
  CHECK(f.verify(f.send(f.eim, psmos({enable(kIccid2, true)})), f.eim).entries == std::vector<std::string>{"830114"});
}

TEST_CASE("Immediate enabling: configured by the IPA without an eIM, or by the eIM's PSMO", "[sgp32]") {
  Fixture f;
  auto configure = [&](const Bytes& request) {
    return coded(f, asn_DEF_ConfigureImmediateProfileEnablingResponse, request,
                 &ConfigureImmediateProfileEnablingResponse_t::configImmediateEnableResult);
  };
  auto immediate = [&] {
    return coded(f, asn_DEF_ImmediateEnableResponse, hex("BF5A 03 80 01 00"),
                 &ImmediateEnableResponse_t::immediateEnableResult);
  };
  CHECK(immediate() == 1);  // immediateEnableNotAvailable
  CHECK(configure(hex("BF59 02 80 00")) == 0);
  CHECK(immediate() == 4);  // nothing installed: noSessionContext
  f.install(kIccid1, 0x10);
  CHECK(immediate() == 0);
  CHECK(f.state_of(kIccid1) == ProfileState::enabled);
  CHECK(immediate() == 4);  // already enabled
  // Restricted to one SM-DP+ by OID: a profile from another is not enabled at once.
  CHECK(configure(tlv(0xBF59, {tlv(0x80, Bytes{}), tlv(0x81, hex("8738")), tlv(0x82, rsp::to_bytes(kSmdp))})) == 0);
  CHECK(f.card->state.immediate_enable_smdp_address == kSmdp);
  f.install(kIccid2, 0x11);
  CHECK(immediate() == 1);
  CHECK(configure(tlv(0xBF59, {tlv(0x80, Bytes{}), tlv(0x81, hex("8737"))})) == 0);
  CHECK(immediate() == 0);
  CHECK(f.state_of(kIccid2) == ProfileState::enabled);
  CHECK(f.state_of(kIccid1) == ProfileState::disabled);

  // Once an eIM is associated only the eIM configures it (PSMO configureImmediateEnable).
  f.associate();
  CHECK(configure(hex("BF59 00")) == 2);  // associatedEimAlreadyExists
  CHECK(f.verify(f.send(f.eim, psmos({tlv(0xA7, Bytes{})})), f.eim).entries == std::vector<std::string>{"870100"});
  CHECK_FALSE(f.card->state.immediate_enable);
  f.install(kIccid3, 0x12);
  CHECK(immediate() == 1);
}

TEST_CASE("Fallback: the attribute set by PSMO, ExecuteFallbackMechanism and ReturnFromFallback", "[sgp32]") {
  Fixture f;
  f.install(kIccid1, 0x10, ProfileState::enabled);
  f.install(kIccid2, 0x11);
  f.associate();
  auto execute = [&] {
    return coded(f, asn_DEF_ExecuteFallbackMechanismResponse, hex("BF5D 03 80 01 FF"),
                 &ExecuteFallbackMechanismResponse_t::executeFallbackMechanismResult);
  };
  auto back = [&] {
    return coded(f, asn_DEF_ReturnFromFallbackResponse, hex("BF5E 03 80 01 FF"),
                 &ReturnFromFallbackResponse_t::returnFromFallbackResult);
  };
  CHECK(execute() == 6);  // no fallback profile: fallbackNotAvailable
  CHECK(back() == 6);
  CHECK(f.verify(f.send(f.eim, psmos({tlv(0xA9, Bytes{})})), f.eim).entries == std::vector<std::string>{"8E0102"});
  CHECK(f.verify(f.send(f.eim, psmos({tlv(0xA8, iccid_tlv(kIccidAbsent))})), f.eim).entries ==
        std::vector<std::string>{"8D0101"});
  CHECK(f.verify(f.send(f.eim, psmos({tlv(0xA8, iccid_tlv(kIccid2))})), f.eim).entries ==
        std::vector<std::string>{"8D0100"});
  CHECK(f.card->state.find_profile(kIccid2)->fallback_attribute);

  CHECK(execute() == 0);
  CHECK(f.state_of(kIccid2) == ProfileState::enabled);
  CHECK(f.state_of(kIccid1) == ProfileState::disabled);
  CHECK(execute() == 2);  // already in fallback
  // While it runs the attribute stays where it is.
  CHECK(f.verify(f.send(f.eim, psmos({tlv(0xA9, Bytes{})})), f.eim).entries == std::vector<std::string>{"8E0103"});
  CHECK(f.verify(f.send(f.eim, psmos({tlv(0xA8, iccid_tlv(kIccid1))})), f.eim).entries ==
        std::vector<std::string>{"8D0103"});
  f.reopen();
  CHECK(back() == 0);
  CHECK(f.state_of(kIccid1) == ProfileState::enabled);
  CHECK(f.state_of(kIccid2) == ProfileState::disabled);
  CHECK(back() == 6);

  // The profile owner can forbid fallback (fallbackAllowed FALSE in the metadata).
  f.install(kIccid3, 0x12);
  f.card->state.find_profile(kIccid3)->store_metadata = tlv(0xBF25, {iccid_tlv(kIccid3), tlv(0x9F67, Bytes{0x00})});
  REQUIRE(f.card->commit());
  CHECK(f.verify(f.send(f.eim, psmos({tlv(0xA8, iccid_tlv(kIccid3))})), f.eim).entries ==
        std::vector<std::string>{"8D0102"});
  CHECK(f.verify(f.send(f.eim, psmos({tlv(0xA9, Bytes{})})), f.eim).entries == std::vector<std::string>{"8E0100"});
  CHECK_FALSE(f.card->state.find_profile(kIccid2)->fallback_attribute);
}

// ---------------------------------------------------------------------------------------------
// EuiccMemoryReset (BF64), SetDefaultDpAddress (BF65) and the functions this card answers "not available"

TEST_CASE("EuiccMemoryReset (SGP.32 form) with the eIM and immediate-enable bits", "[sgp32]") {
  Fixture f;
  f.install(kIccid1, 0x10, ProfileState::enabled);
  f.install(kIccid2, 0x11, ProfileState::disabled, ProfileClass::test);
  f.install(kIccid3, 0x12, ProfileState::disabled, ProfileClass::provisioning);
  f.associate();
  f.call(tlv(0xBF65, tlv(0x80, rsp::to_bytes(kSmdp))));
  auto reset = [&](std::initializer_list<int> bits) {
    return schema<SGP32_EuiccMemoryResetResponse_t>(asn_DEF_SGP32_EuiccMemoryResetResponse,
                                                    f.call(tlv(0xBF64, tlv(0x82, bit_string(bits)))));
  };
  {
    auto r = reset({4});  // provisioning profiles only
    CHECK(integer(r->resetResult) == 0);
    CHECK(r->resetEimResult == nullptr);
    CHECK(f.card->state.find_profile(kIccid3) == nullptr);
  }
  {
    auto r = reset({0, 2, 5, 6});
    CHECK(integer(r->resetResult) == 0);
    REQUIRE(r->resetEimResult);
    CHECK(integer(*r->resetEimResult) == 0);
    REQUIRE(r->resetImmediateEnableConfigResult);
    CHECK(integer(*r->resetImmediateEnableConfigResult) == 0);
    CHECK(f.card->state.find_profile(kIccid1) == nullptr);
    CHECK(f.card->state.find_profile(kIccid2) != nullptr);
    CHECK(f.card->state.eims.empty());
    CHECK(f.card->state.default_dp_address.empty());
    CHECK_FALSE(fs::exists(f.card_dir / "profiles" / (kIccid1 + ".upp")));
  }
  {
    auto r = reset({0, 5});  // nothing left of either
    CHECK(integer(r->resetResult) == 1);
    REQUIRE(r->resetEimResult);
    CHECK(integer(*r->resetEimResult) == 1);
  }
  // No notifications for a reset; AddInitialEim works again.
  CHECK(f.card->state.notifications.empty());
  f.associate();
  CHECK(f.card->state.eims.size() == 1);
  // SGP.22's BF34 is still there.
  CHECK(f.call(tlv(0xBF34, tlv(0x82, bit_string({1})))) == hex("BF34 03 80 01 00"));
}

TEST_CASE("SetDefaultDpAddress (BF65), GetConnectivityParameters, emergency profile", "[sgp32]") {
  Fixture f;
  auto set = schema<SGP32_SetDefaultDpAddressResponse_t>(asn_DEF_SGP32_SetDefaultDpAddressResponse,
                                                         f.call(tlv(0xBF65, tlv(0x80, rsp::to_bytes(kSmdp)))));
  CHECK(integer(set->setDefaultDpAddressResult) == 0);
  CHECK(f.card->state.default_dp_address == kSmdp);
  CHECK(f.child(f.call(hex("BF3C 00")), 0x80).value.size() == kSmdp.size());
  // ... and as a PSMO.
  f.associate();
  Signed s = f.verify(f.send(f.eim, psmos({tlv(0xBF65, tlv(0x80, rsp::to_bytes("other.example.org")))})), f.eim);
  CHECK(s.entries == std::vector<std::string>{"BF6503800100"});
  CHECK(f.card->state.default_dp_address == "other.example.org");

  auto connectivity =
      schema<GetConnectivityParametersResponse_t>(asn_DEF_GetConnectivityParametersResponse, f.call(hex("BF5F 00")));
  REQUIRE(connectivity->present == GetConnectivityParametersResponse_PR_connectivityParametersError);
  CHECK(integer(connectivity->choice.connectivityParametersError) == 1);  // parametersNotAvailable
  CHECK(coded(f, asn_DEF_EnableEmergencyProfileResponse, hex("BF5B 03 80 01 FF"),
              &EnableEmergencyProfileResponse_t::enableEmergencyProfileResult) == 8);  // ecallNotAvailable
  CHECK(coded(f, asn_DEF_DisableEmergencyProfileResponse, hex("BF5C 03 80 01 FF"),
              &DisableEmergencyProfileResponse_t::disableEmergencyProfileResult) == 2);  // profileNotInEnabledState
  // Malformed requests: 6A80.
  CHECK(f.call_status_word(hex("BF5B 00")) == 0x6A80);
  CHECK(f.call_status_word(hex("BF57 02 80 00")) == 0x6A80);
}

TEST_CASE(
    "GetEUICCInfo1, GetEUICCInfo2, GetRAT and GetEID by the schema, and the ISD-R refusing unknown or malformed commands",
    "[es10b]") {
  Fixture f;
  f.install(kIccid1, 0x10);
  std::vector<Bytes> verification = f.card->verification_skis(), signing = f.card->signing_skis();
  auto skis = [](const auto& list) {
    std::vector<Bytes> out;
    for (int i = 0; i < list.count; ++i) out.push_back(rsp::asn1::octets(*list.array[i]));
    return out;
  };

  auto info1 = schema<EUICCInfo1_t>(asn_DEF_EUICCInfo1, f.call(hex("BF20 00")));
  CHECK(rsp::asn1::octets(info1->svn) == f.card->config.svn);
  CHECK(skis(info1->euiccCiPKIdListForVerification.list) == verification);
  CHECK(skis(info1->euiccCiPKIdListForSigning.list) == signing);

  auto info2 = schema<SGP32_EUICCInfo2_t>(asn_DEF_SGP32_EUICCInfo2, f.call(hex("BF22 00")));
  CHECK(rsp::asn1::octets(info2->svn) == f.card->config.svn);
  CHECK(rsp::to_hex(rsp::asn1::octets(info2->extCardResource)).substr(0, 6) == "810101");  // one installed profile
  CHECK(skis(info2->euiccCiPKIdListForVerification.list) == verification);
  CHECK(skis(info2->euiccCiPKIdListForSigning.list) == signing);
  REQUIRE(info2->euiccCategory);
  CHECK(integer(*info2->euiccCategory) == 1);  // basicEuicc
  CHECK(info2->iotSpecificInfo);

  auto rat = schema<GetRatResponse_t>(asn_DEF_GetRatResponse, f.call(hex("BF43 00")));
  CHECK(rat->rat.list.count == 0);  // no profile policy rule is authorised

  auto eid = schema<GetEuiccDataResponse_t>(asn_DEF_GetEuiccDataResponse, f.call(hex("BF3E 03 5C 01 5A")));
  CHECK(rsp::asn1::octets(eid->eidValue) == f.card->eid_bytes);
  CHECK(f.call_status_word(hex("BF3E 03 5C 01 4F")) == 0x6A80);  // a tag other than the EID's
  CHECK(f.call_status_word(hex("BF3E 00")) == 0x6A80);           // no tag list

  // The ISD-R's own refusals: a tag no function has, a TLV that is not one whole TLV.
  CHECK(f.call_status_word(hex("BF7F 00")) == 0x6D00);
  CHECK(f.call_status_word(hex("BF20 02 80")) == 0x6A80);
  CHECK(f.call_status_word(hex("BF20 00 00")) == 0x6A80);
}

// ---------------------------------------------------------------------------------------------
// The store

TEST_CASE("A state file from before the SGP.32 members loads with their defaults", "[sgp32]") {
  Fixture f;
  f.install(kIccid1, 0x10);
  fs::path path = f.card_dir / "state.json";
  auto text = rsp::files::read(path).value();
  auto j = nlohmann::json::parse(text.begin(), text.end());
  for (const char* key :
       {"euiccPackageResults", "nextAssociationToken", "immediateEnableSmdpOid", "immediateEnableSmdpAddress"}) {
    REQUIRE(j.contains(key));
    j.erase(key);
  }
  std::ofstream(path) << j.dump(1);
  f.reopen();
  CHECK(f.card->state.euicc_package_results.empty());
  CHECK(f.card->state.next_association_token == 1);
  CHECK(f.card->state.immediate_enable_smdp_oid.empty());
  f.associate();
  CHECK(f.eim.token == 1);
  CHECK(f.verify(f.send(f.eim, psmos({enable(kIccid1)})), f.eim).entries == std::vector<std::string>{"830100"});
}

}  // namespace euicc::test_sgp32
