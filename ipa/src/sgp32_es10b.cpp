// SGP.32 v1.2 §5.9 ES10b' functions (FACTS §5.2).
#include "ipa/sgp32_es10b.hpp"

#include <AddInitialEimResponse.h>
#include <ConfigureImmediateProfileEnablingResponse.h>
#include <EuiccPackageResult.h>
#include <GetCertsResponse.h>
#include <GetEimConfigurationDataResponse.h>
#include <ImmediateEnableResponse.h>
#include <ProfileRollbackResponse.h>
#include <SGP32-EuiccMemoryResetResponse.h>

#include "es10_call.hpp"

namespace ipa::sgp32 {
namespace {

using rsp::tlv::encode;

// An implicitly re-tagged Certificate (A5/A6) as the X.509 SEQUENCE it is.
Bytes as_certificate(const rsp::tlv::Tlv& t) { return encode(0x30, t.value); }

}  // namespace

// SGP.32 v1.2 ES10b.GetCerts
Es10Expected<Certs> get_certs(Es10Channel& channel, std::optional<Bytes> euicc_ci_pkid) {
  constexpr std::string_view kFunction = "GetCerts";
  auto answer = detail::call(channel, kFunction, encode(0xBF56, euicc_ci_pkid ? encode(0x80, *euicc_ci_pkid) : Bytes{}),
                             {&asn_DEF_GetCertsResponse});
  if (!answer) return rsp::Unexpected{answer.error()};
  // certs (A0) is a SEQUENCE { A5 eumCertificate, A6 euiccCertificate }, read like a list.
  auto certs = detail::list_or_error(kFunction, *answer, {{1, "invalidCiPKId"}, {127, "undefinedError"}});
  if (!certs) return rsp::Unexpected{certs.error()};
  if (certs->size() != 2 || (*certs)[0].tag != 0xA5 || (*certs)[1].tag != 0xA6)
    return rsp::Unexpected{detail::malformed(kFunction, "no certificates")};
  return Certs{as_certificate((*certs)[0]), as_certificate((*certs)[1])};
}

// SGP.32 v1.2 ES10b.GetEimConfigurationData
Es10Expected<std::vector<EimConfiguration>> get_eim_configuration_data(Es10Channel& channel,
                                                                       std::optional<std::string> eim_id) {
  constexpr std::string_view kFunction = "GetEimConfigurationData";
  Bytes request = encode(0xBF55, eim_id ? encode(0xA0, encode(0x80, rsp::to_bytes(*eim_id))) : Bytes{});
  auto answer = detail::call(channel, kFunction, request, {&asn_DEF_GetEimConfigurationDataResponse});
  if (!answer) return rsp::Unexpected{answer.error()};
  auto top = detail::outer(kFunction, *answer);
  if (!top) return rsp::Unexpected{top.error()};
  std::vector<EimConfiguration> out;
  auto list = rsp::tlv::find(top->value, 0xA0);
  if (!list) return out;
  auto items = detail::children(kFunction, list->value);
  if (!items) return rsp::Unexpected{items.error()};
  for (const auto& item : *items) {
    EimConfiguration c;
    if (auto id = rsp::tlv::find(item.value, 0x80)) c.eim_id.assign(id->value.begin(), id->value.end());
    if (auto fqdn = rsp::tlv::find(item.value, 0x81)) c.eim_fqdn.assign(fqdn->value.begin(), fqdn->value.end());
    if (auto counter = rsp::tlv::find(item.value, 0x83)) c.counter_value = detail::integer(counter->value);
    if (auto token = rsp::tlv::find(item.value, 0x84)) c.association_token = detail::integer(token->value);
    c.indirect_profile_download = rsp::tlv::find(item.value, 0x89).has_value();
    c.tlv.assign(item.whole.begin(), item.whole.end());
    out.push_back(std::move(c));
  }
  return out;
}

// SGP.32 v1.2 ES10b.AddInitialEim
Es10Expected<std::vector<std::optional<long>>> add_initial_eim(Es10Channel& channel,
                                                               const std::vector<Bytes>& eim_configuration_data) {
  constexpr std::string_view kFunction = "AddInitialEim";
  Bytes list;
  for (const auto& c : eim_configuration_data) list.insert(list.end(), c.begin(), c.end());
  auto answer = detail::call(channel, kFunction, encode(0xBF57, encode(0xA0, list)), {&asn_DEF_AddInitialEimResponse});
  if (!answer) return rsp::Unexpected{answer.error()};
  auto items = detail::list_or_error(kFunction, *answer,
                                     {{1, "insufficientMemory"},
                                      {2, "associatedEimAlreadyExists"},
                                      {3, "ciPKUnknown"},
                                      {5, "invalidAssociationToken"},
                                      {6, "counterValueOutOfRange"},
                                      {7, "commandError"},
                                      {127, "undefinedError"}});
  if (!items) return rsp::Unexpected{items.error()};
  std::vector<std::optional<long>> out;
  for (const auto& item : *items) out.push_back(item.tag == 0x84 ? detail::integer(item.value) : std::nullopt);
  return out;
}

// SGP.32 v1.2 ES10b.LoadEuiccPackage
Es10Expected<Bytes> load_euicc_package(Es10Channel& channel, ByteView euicc_package_request) {
  return detail::call(channel, "LoadEuiccPackage", euicc_package_request, {&asn_DEF_EuiccPackageResult});
}

// SGP.32 v1.2 ES10b.ProfileRollback
Es10Expected<RollbackResult> profile_rollback(Es10Channel& channel, bool refresh) {
  constexpr std::string_view kFunction = "ProfileRollback";
  auto answer = detail::call(channel, kFunction, encode(0xBF58, encode(0x80, detail::boolean(refresh))),
                             {&asn_DEF_ProfileRollbackResponse});
  if (!answer) return rsp::Unexpected{answer.error()};
  auto top = detail::outer(kFunction, *answer);
  if (!top) return rsp::Unexpected{top.error()};
  auto result = rsp::tlv::find(top->value, 0x02);
  auto code = result ? detail::integer(result->value) : std::nullopt;
  if (!code) return rsp::Unexpected{detail::malformed(kFunction, "no cmdResult")};
  if (*code != 0)
    return rsp::Unexpected{detail::result_error(
        kFunction, *code, {{1, "rollbackNotAllowed"}, {5, "catBusy"}, {7, "commandError"}, {127, "undefinedError"}})};
  RollbackResult out;
  if (auto package_result = rsp::tlv::find(top->value, 0xBF51))
    out.euicc_package_result.assign(package_result->whole.begin(), package_result->whole.end());
  return out;
}

// SGP.32 v1.2 ES10b.ConfigureImmediateProfileEnabling
Es10Status configure_immediate_profile_enabling(Es10Channel& channel, const ImmediateProfileEnabling& config) {
  Bytes request = encode(
      0xBF59,
      rsp::concat({config.immediate_enable ? encode(0x80, {}) : Bytes{},
                   config.default_smdp_oid ? encode(0x81, *config.default_smdp_oid) : Bytes{},
                   config.default_smdp_address ? encode(0x82, rsp::to_bytes(*config.default_smdp_address)) : Bytes{}}));
  return detail::result_function(
      channel, "ConfigureImmediateProfileEnabling", request, asn_DEF_ConfigureImmediateProfileEnablingResponse, 0x80,
      {{1, "insufficientMemory"}, {2, "associatedEimAlreadyExists"}, {127, "undefinedError"}});
}

// SGP.32 v1.2 ES10b.ImmediateEnable
Es10Status immediate_enable(Es10Channel& channel, bool refresh) {
  return detail::result_function(
      channel, "ImmediateEnable", encode(0xBF5A, encode(0x80, detail::boolean(refresh))),
      asn_DEF_ImmediateEnableResponse, 0x80,
      {{1, "immediateEnableNotAvailable"}, {4, "noSessionContext"}, {5, "catBusy"}, {127, "undefinedError"}});
}

// SGP.32 v1.2 ES10b.eUICCMemoryReset
Es10Status euicc_memory_reset(Es10Channel& channel, const MemoryResetOptions& o) {
  Bytes bits =
      detail::named_bits({o.delete_operational_profiles, o.delete_field_loaded_test_profiles,
                          o.reset_default_smdp_address, o.delete_pre_loaded_test_profiles,
                          o.delete_provisioning_profiles, o.reset_eim_config_data, o.reset_immediate_enable_config});
  return detail::result_function(
      channel, "eUICCMemoryReset", encode(0xBF64, encode(0x82, bits)), asn_DEF_SGP32_EuiccMemoryResetResponse, 0x80,
      {{1, "nothingToDelete"}, {5, "catBusy"}, {104, "ecallActive"}, {127, "undefinedError"}});
}

}  // namespace ipa::sgp32
