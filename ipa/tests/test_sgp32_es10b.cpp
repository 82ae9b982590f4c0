// The SGP.32 v1.2 ES10b' calls against the software eUICC, the test playing the eIM with the
// PKI's eIM key: GetCerts, AddInitialEim, GetEimConfigurationData, LoadEuiccPackage (a signed
// enable PSMO), ProfileRollback, ConfigureImmediateProfileEnabling, ImmediateEnable and the v1.2
// eUICCMemoryReset.
#include <catch2/catch.hpp>

#include "ipa/es10b.hpp"
#include "ipa/es10c.hpp"
#include "ipa/sgp32_es10b.hpp"
#include "ipa_fixture.hpp"
#include "rsp/crypto/ecdsa.hpp"

using ipa::Es10Error;
using ipa::test::IpaFixture;
using ipa::test::kIccid;
using rsp::Bytes;
using rsp::tlv::encode;
namespace sgp32 = ipa::sgp32;
namespace crypto = rsp::crypto;

namespace {

const std::string kEimId = "eim.example.org";

Bytes small_integer(rsp::tlv::Tag tag, uint8_t value) { return encode(tag, Bytes{value}); }

// EimConfigurationData for the PKI's eIM certificate, asking the card for an association token.
Bytes eim_configuration(const crypto::Certificate& certificate) {
  const Bytes der = certificate.der();  // bound first: the TLV views point into it
  auto cert = rsp::tlv::read(der).value();
  return encode(0x30, rsp::concat({encode(0x80, rsp::to_bytes(kEimId)), encode(0x81, rsp::to_bytes(kEimId)),
                                   small_integer(0x82, 2), small_integer(0x83, 0), small_integer(0x84, 0),
                                   encode(0xA5, encode(0xA1, cert.value)), encode(0x87, Bytes{0x07, 0x80})}));
}

// EuiccPackageRequest with one disable PSMO, signed over DER(euiccPackageSigned) || 84 associationToken.
Bytes disable_package(const crypto::PrivateKey& key, long token, uint8_t counter) {
  Bytes signed_part =
      encode(0x30, rsp::concat({encode(0x80, rsp::to_bytes(kEimId)),
                                encode(0x5A, rsp::eid::to_bytes(rsp::pki::default_eid()).value()),
                                small_integer(0x81, counter), encode(0x82, Bytes{0xA1, 0xB2, 0xC3}),
                                encode(0xA0, encode(0xA4, encode(0x5A, rsp::iccid::to_bytes(kIccid).value())))}));
  Bytes signature = crypto::sign(key, rsp::concat({signed_part, small_integer(0x84, static_cast<uint8_t>(token))}));
  return encode(0xBF51, rsp::concat({signed_part, encode(0x5F37, signature)}));
}

}  // namespace

TEST_CASE("SGP.32 ES10b': certificates, the initial eIM, a signed eUICC Package, immediate enabling, memory reset") {
  const size_t segment = GENERATE(size_t{255}, size_t{6});
  IpaFixture f(segment);
  auto& ch = f.channel;

  auto certs = sgp32::get_certs(ch);
  REQUIRE(certs);
  CHECK(certs->eum_certificate.at(0) == 0x30);
  CHECK(certs->euicc_certificate.at(0) == 0x30);
  auto unknown_ci = sgp32::get_certs(ch, Bytes(20, 0x11));
  REQUIRE_FALSE(unknown_ci);
  CHECK(unknown_ci.error().kind == Es10Error::Kind::result);
  CHECK(unknown_ci.error().code == 1);  // invalidCiPKId

  // Immediate enabling, configured while no eIM is associated: the profile just installed is enabled.
  sgp32::ImmediateProfileEnabling immediate;
  immediate.immediate_enable = true;
  immediate.default_smdp_address = "smdp.example.org";
  REQUIRE(sgp32::configure_immediate_profile_enabling(ch, immediate));
  auto nothing = sgp32::immediate_enable(ch);
  REQUIRE_FALSE(nothing);
  CHECK(nothing.error().code == 4);  // noSessionContext: nothing installed yet
  REQUIRE(ipa::es10b::load_bound_profile_package(ch, f.bound_profile_package())->success);
  REQUIRE(sgp32::immediate_enable(ch, true));
  CHECK(ipa::es10c::get_profiles_info(ch)->front().state == ipa::es10c::ProfileState::enabled);

  CHECK(sgp32::get_eim_configuration_data(ch)->empty());
  auto eim_key = rsp::pki::load_key(f.card.pki, crypto::Curve::nist_p256, crypto::Role::eim).value();
  auto eim_cert = rsp::pki::load_certificate(f.card.pki, crypto::Curve::nist_p256, crypto::Role::eim).value();
  auto added = sgp32::add_initial_eim(ch, {eim_configuration(eim_cert)});
  INFO((added ? std::string() : added.error().message));
  REQUIRE(added);
  REQUIRE(added->size() == 1);
  REQUIRE(added->front());  // the association token the card issued
  auto again = sgp32::add_initial_eim(ch, {eim_configuration(eim_cert)});
  REQUIRE_FALSE(again);
  CHECK(again.error().kind == Es10Error::Kind::result);
  auto reconfigure = sgp32::configure_immediate_profile_enabling(ch, immediate);
  REQUIRE_FALSE(reconfigure);
  CHECK(reconfigure.error().code == 2);  // associatedEimAlreadyExists

  auto eims = sgp32::get_eim_configuration_data(ch);
  REQUIRE(eims);
  REQUIRE(eims->size() == 1);
  CHECK(eims->front().eim_id == kEimId);
  CHECK(eims->front().eim_fqdn == kEimId);
  CHECK(sgp32::get_eim_configuration_data(ch, kEimId)->size() == 1);

  // The eIM's package, relayed: a signed result, and the profile disabled.
  auto result = sgp32::load_euicc_package(ch, disable_package(eim_key, *added->front(), 1));
  REQUIRE(result);
  CHECK(rsp::tlv::read(*result)->value[0] == 0xA0);  // euiccPackageResultSigned
  CHECK(ipa::es10c::get_profiles_info(ch)->front().state == ipa::es10c::ProfileState::disabled);
  // The same counter again: the card answers with an error result, still a BF51 for the eIM.
  auto replay = sgp32::load_euicc_package(ch, disable_package(eim_key, *added->front(), 1));
  REQUIRE(replay);
  CHECK(rsp::to_hex(*replay).starts_with("BF51"));

  auto rollback = sgp32::profile_rollback(ch);
  REQUIRE_FALSE(rollback);            // no enable with rollback allowed came before
  CHECK(rollback.error().code == 1);  // rollbackNotAllowed

  sgp32::MemoryResetOptions reset;
  reset.reset_eim_config_data = true;
  reset.delete_operational_profiles = true;
  REQUIRE(sgp32::euicc_memory_reset(ch, reset));
  CHECK(sgp32::get_eim_configuration_data(ch)->empty());
  CHECK(ipa::es10c::get_profiles_info(ch)->empty());
}
