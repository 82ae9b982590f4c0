// The eIM builds eUICC Packages: EuiccPackageRequest (BF51) with its PSMOs or eCOs, signed with
// the eIM's private key (SGP.32 v1.2 §2.11, FACTS §5.3).
#include <EimConfigurationData.h>
#include <EuiccPackageRequest.h>

#include "der.hpp"
#include "eim/euicc_package.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/iccid.hpp"

namespace eim {
namespace {

using der::integer;
using der::tlv;

// SGP.32 v1.2 §2.11.1 the ICCID of a PSMO, swapped BCD; an unusable one stays empty and fails the schema
Bytes iccid_tlv(const std::string& iccid) { return tlv(0x5A, rsp::iccid::to_bytes(iccid).value_or(Bytes{})); }

}  // namespace

namespace psmo {
// SGP.32 v1.2 §2.11.1 enable
Operation enable(const std::string& iccid, bool rollback) {
  return {tlv(0xA3, {iccid_tlv(iccid), rollback ? tlv(0x05, Bytes{}) : Bytes{}})};
}
// SGP.32 v1.2 §2.11.1 disable
Operation disable(const std::string& iccid) { return {tlv(0xA4, iccid_tlv(iccid))}; }
// SGP.32 v1.2 §2.11.1 delete
Operation remove(const std::string& iccid) { return {tlv(0xA5, iccid_tlv(iccid))}; }
// SGP.32 v1.2 §2.11.1 listProfileInfo
Operation list_profile_info(ByteView request_contents) { return {tlv(0xBF2D, request_contents)}; }
// SGP.32 v1.2 §2.11.1 getRAT
Operation get_rat() { return {tlv(0xA6, Bytes{})}; }
// SGP.32 v1.2 §2.11.1 configureImmediateEnable
Operation configure_immediate_enable(bool immediate_enable, const std::optional<Bytes>& smdp_oid,
                                     const std::optional<std::string>& smdp_address) {
  return {tlv(0xA7, {immediate_enable ? tlv(0x80, Bytes{}) : Bytes{}, smdp_oid ? tlv(0x81, *smdp_oid) : Bytes{},
                     smdp_address ? tlv(0x82, rsp::to_bytes(*smdp_address)) : Bytes{}})};
}
// SGP.32 v1.2 §2.11.1 setFallbackAttribute
Operation set_fallback_attribute(const std::string& iccid) { return {tlv(0xA8, iccid_tlv(iccid))}; }
// SGP.32 v1.2 §2.11.1 unsetFallbackAttribute
Operation unset_fallback_attribute() { return {tlv(0xA9, Bytes{})}; }
// SGP.32 v1.2 §2.11.1 setDefaultDpAddress
Operation set_default_dp_address(const std::string& address) {
  return {tlv(0xBF65, tlv(0x80, rsp::to_bytes(address)))};
}
}  // namespace psmo

namespace eco {
namespace {
// SGP.32 v1.2 §2.11.2 addEim / updateEim: EimConfigurationData's contents under the eCO's own tag
Operation configuration(rsp::tlv::Tag tag, ByteView eim_configuration_data) {
  auto whole = rsp::tlv::read(eim_configuration_data);
  if (!whole || whole->tag != 0x30) return {tlv(tag, Bytes{}), true};  // fails the schema check
  return {tlv(tag, whole->value), true};
}
}  // namespace
// SGP.32 v1.2 §2.11.2.1 addEim
Operation add_eim(ByteView eim_configuration_data) { return configuration(0xA8, eim_configuration_data); }
// SGP.32 v1.2 §2.11.2.3 updateEim
Operation update_eim(ByteView eim_configuration_data) { return configuration(0xAA, eim_configuration_data); }
// SGP.32 v1.2 §2.11.2.2 deleteEim
Operation delete_eim(const std::string& eim_id) { return {tlv(0xA9, tlv(0x80, rsp::to_bytes(eim_id))), true}; }
// SGP.32 v1.2 §2.11.2.4 listEim
Operation list_eim() { return {tlv(0xAB, Bytes{}), true}; }
}  // namespace eco

// SGP.32 v1.2 §2.11 associationToken in the signed data (FACTS §5.3: absent counts as 0)
Bytes association_token_tlv(std::optional<int64_t> token) { return integer(0x84, token.value_or(0)); }

// SGP.32 v1.2 §2.11 EuiccPackageRequest: eimSignature over DER(euiccPackageSigned) || associationToken
rsp::Expected<Bytes> build_euicc_package_request(const PackageRequest& request,
                                                 const rsp::crypto::PrivateKey& eim_key) {
  if (request.eid.size() != 16) return rsp::fail("EID must be 16 bytes");
  if (request.operations.empty()) return rsp::fail("a package needs at least one operation");
  bool eco = request.operations.front().eco;
  Bytes list;
  for (const auto& op : request.operations) {
    if (op.eco != eco) return rsp::fail("a package holds PSMOs or eCOs, not both");
    list.insert(list.end(), op.der.begin(), op.der.end());
  }
  if (request.counter_value > static_cast<uint64_t>(INT64_MAX)) return rsp::fail("counterValue out of range");
  Bytes package_signed = tlv(0x30, {tlv(0x80, rsp::to_bytes(request.eim_id)), tlv(0x5A, request.eid),
                                    integer(0x81, static_cast<int64_t>(request.counter_value)),
                                    request.eim_transaction_id ? tlv(0x82, *request.eim_transaction_id) : Bytes{},
                                    tlv(eco ? 0xA1 : 0xA0, list)});
  Bytes signature =
      rsp::crypto::sign(eim_key, rsp::concat({package_signed, association_token_tlv(request.association_token)}));
  Bytes out = tlv(0xBF51, {package_signed, tlv(0x5F37, signature)});
  // What goes out must be an EuiccPackageRequest by the schema and already DER.
  auto decoded = rsp::asn1::decode(asn_DEF_EuiccPackageRequest, out);
  if (!decoded) return rsp::fail("not a valid EuiccPackageRequest: " + decoded.error().message());
  auto encoded = rsp::asn1::encode(*decoded);
  if (!encoded || *encoded != out) return rsp::fail("EuiccPackageRequest is not DER");
  // addEim / updateEim: the configuration must hold as EimConfigurationData too.
  for (const auto& op : request.operations) {
    if (!op.eco || (op.der.empty() || (op.der[0] != 0xA8 && op.der[0] != 0xAA))) continue;
    auto t = rsp::tlv::read(op.der);
    auto config = rsp::asn1::decode(asn_DEF_EimConfigurationData, tlv(0x30, t->value));
    if (!config) return rsp::fail("not a valid EimConfigurationData: " + config.error().message());
  }
  return out;
}

}  // namespace eim
