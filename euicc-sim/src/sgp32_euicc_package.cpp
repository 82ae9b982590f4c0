// SGP.32 v1.2 §5.9.x ES10b.LoadEuiccPackage (eUICC Packages: PSMOs and eCOs, §2.11).
//
// In this order: the eimId must name an associated eIM (else EuiccPackageErrorUnsigned, as the
// card cannot know whom it answers); eimSignature must verify with that eIM's key over
// DER(euiccPackageSigned) || 84 L associationToken (else EuiccPackageErrorUnsigned: the sender is
// not authenticated, so the card signs nothing for it); then, answered by EuiccPackageErrorSigned,
// the EID must be this card's (invalidEid) and counterValue within range (counterValueOutOfRange)
// and above the last one accepted from this eIM (replayError).
//
// The operations run in order, one result each. The first one that fails ends the package: its
// result is the last one (an operation the card cannot decode gets processingTerminated
// unknownOrDamagedCommand). Whatever the package changed - profiles, notifications, eIMs, the new
// counter and the kept result - is one commit: if that commit fails the card is as before the
// package and answers EuiccPackageErrorSigned undefinedError, so the eIM can send it again.
// Codes this card never produces: sizeOverflow (15) and processingTerminated resultSizeOverflow /
// interruption (the card has no result size limit, and an interrupted package leaves no trace),
// ecallActive (104) (no eCall), catBusy (no CAT session).
#include "sgp32_euicc_package.hpp"

#include <Eco.h>
#include <EuiccPackageRequest.h>
#include <Psmo.h>

#include "profile_operations.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/asn1/primitives.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "sgp32_eim_configuration.hpp"
#include "sgp32_profile_functions.hpp"

namespace euicc {
namespace {

using rsp::apdu::sw::kIncorrectData;
using rsp::asn1::view;

namespace package_error {
// EuiccPackageErrorCode
constexpr long kInvalidEid = 3;
constexpr long kReplayError = 4;
constexpr long kCounterValueOutOfRange = 6;
constexpr long kUndefinedError = 127;
// processingTerminated
constexpr long kUnknownOrDamagedCommand = 2;
}  // namespace package_error

// The members of euiccPackageSigned as received: the results echo them byte for byte.
struct Received {
  Bytes eim_id;                   // 80 TLV
  Bytes counter_value;            // 81 TLV
  Bytes transaction_id;           // 82 TLV, or empty
  std::optional<Tlv> operations;  // A0 psmoList / A1 ecoList
  Bytes skeleton;                 // the request with an empty operation list, for the schema check
};

// Splits the request at TLV level. Operations are decoded one by one as they run, so that one the
// card cannot decode ends the package with processingTerminated instead of refusing all of it;
// the rest of the request is checked against the schema with an empty operation list in place.
std::optional<Received> received_members(const Tlv& request, Tlv& euicc_package_signed) {
  auto parts = rsp::tlv::read_all(request.value);
  if (!parts || parts->empty() || (*parts)[0].tag != 0x30) return std::nullopt;
  euicc_package_signed = (*parts)[0];
  auto members = rsp::tlv::read_all(euicc_package_signed.value);
  if (!members) return std::nullopt;
  Received r;
  Bytes skeleton_members;
  for (const auto& m : *members) {
    if (m.tag == 0x80) r.eim_id = bytes_of(m.whole);
    if (m.tag == 0x81) r.counter_value = bytes_of(m.whole);
    if (m.tag == 0x82) r.transaction_id = bytes_of(m.whole);
    if ((m.tag == 0xA0 || m.tag == 0xA1) && !r.operations) {
      r.operations = m;
      Bytes empty = tlv(m.tag, Bytes{});
      skeleton_members.insert(skeleton_members.end(), empty.begin(), empty.end());
    } else {
      skeleton_members.insert(skeleton_members.end(), m.whole.begin(), m.whole.end());
    }
  }
  Bytes rest;
  for (size_t i = 1; i < parts->size(); ++i)
    rest.insert(rest.end(), (*parts)[i].whole.begin(), (*parts)[i].whole.end());
  r.skeleton = tlv(request.tag, {tlv(0x30, skeleton_members), rest});
  return r;
}

// One step of the package: its result (an EuiccResultData TLV) and whether processing goes on.
struct Step {
  Bytes result;
  bool go_on = true;
};

Step coded(rsp::tlv::Tag tag, long code, bool go_on) { return {tlv_integer(tag, code), go_on}; }

// Executes a package's PSMOs and eCOs against card.state (in memory).
class Executor {
 public:
  explicit Executor(CardContext& card) : card_(card) {}

  Step psmo(const Tlv& raw) {
    using namespace profile_result;
    auto decoded = rsp::asn1::decode_as<Psmo_t>(asn_DEF_Psmo, raw.whole);
    if (!decoded) return coded(0x02, package_error::kUnknownOrDamagedCommand, false);
    const Psmo_t& operation = **decoded;
    switch (operation.present) {
      case Psmo_PR_enable: {
        auto index = find_by_iccid(card_.state, view(operation.choice.enable.iccid));
        if (!index) return coded(0x83, kIccidOrAidNotFound, false);
        if (card_.state.profiles[*index].state != ProfileState::disabled)
          return coded(0x83, kProfileNotInRequiredState, false);
        // rollbackFlag: the card may later return to the profile enabled now (ES10b.ProfileRollback);
        // with no profile enabled there is nothing to return to.
        bool rollback = operation.choice.enable.rollbackFlag != nullptr;
        auto previous = enabled_index(card_.state);
        if (rollback && !previous) return coded(0x83, kRollbackNotAvailable, false);
        std::string previous_iccid = previous ? card_.state.profiles[*previous].iccid : std::string();
        long code = profile_operations::enable(card_, *index);
        if (code == kOk && rollback) {
          card_.state.rollback_iccid = previous_iccid;
          rollback_armed_ = true;
        }
        return coded(0x83, code, code == kOk);
      }
      case Psmo_PR_disable: {
        auto index = find_by_iccid(card_.state, view(operation.choice.disable.iccid));
        long code = index ? profile_operations::disable(card_, *index) : kIccidOrAidNotFound;
        return coded(0x84, code, code == kOk);
      }
      case Psmo_PR_delete: {
        auto index = find_by_iccid(card_.state, view(operation.choice.delete_.iccid));
        if (!index) return coded(0x85, kIccidOrAidNotFound, false);
        std::string iccid = card_.state.profiles[*index].iccid;
        long code = profile_operations::remove(card_, *index);
        if (code == kOk) deleted_.push_back(iccid);
        return coded(0x85, code, code == kOk);
      }
      case Psmo_PR_listProfileInfo: return {profile_info_list(card_.state, operation.choice.listProfileInfo)};
      case Psmo_PR_getRAT:
        // No profile policy rules are authorised on this card: an empty rules authorisation table.
        return {tlv(0xA6, Bytes{})};
      case Psmo_PR_configureImmediateEnable: {
        const auto& c = operation.choice.configureImmediateEnable;
        configure_immediate_enable(card_.state, c.immediateEnableFlag != nullptr, c.defaultSmdpOid,
                                   c.defaultSmdpAddress);
        return coded(0x87, kOk, true);
      }
      case Psmo_PR_setFallbackAttribute: {
        auto index = find_by_iccid(card_.state, view(operation.choice.setFallbackAttribute.iccid));
        long code =
            index ? profile_operations::set_fallback_attribute(card_, *index) : fallback_result::kIccidOrAidNotFound;
        return coded(0x8D, code, code == kOk);
      }
      case Psmo_PR_unsetFallbackAttribute: {
        long code = profile_operations::unset_fallback_attribute(card_);
        return coded(0x8E, code, code == kOk);
      }
      case Psmo_PR_setDefaultDpAddress:
        card_.state.default_dp_address = rsp::asn1::text(operation.choice.setDefaultDpAddress.defaultDpAddress);
        return {tlv(0xBF65, tlv_integer(0x80, kOk))};
      default: return coded(0x02, package_error::kUnknownOrDamagedCommand, false);
    }
  }

  Step eco(const Tlv& raw) {
    using namespace eim_result;
    auto decoded = rsp::asn1::decode_as<Eco_t>(asn_DEF_Eco, raw.whole);
    if (!decoded) return coded(0x02, package_error::kUnknownOrDamagedCommand, false);
    const Eco_t& operation = **decoded;
    ByteView raw_contents = raw.value;  // addEim / updateEim: the EimConfigurationData's contents
    switch (operation.present) {
      case Eco_PR_addEim: {
        long code = kOk;
        Bytes r = eim_operations::add(card_, operation.choice.addEim, raw_contents, &code);
        return {tlv(0xA8, r), code == kOk};
      }
      case Eco_PR_deleteEim: {
        long code = eim_operations::remove(card_, rsp::asn1::text(operation.choice.deleteEim.eimId));
        return coded(0x89, code, code == kOk || code == kLastEimDeleted);
      }
      case Eco_PR_updateEim: {
        long code = eim_operations::update(card_, operation.choice.updateEim, raw_contents);
        return coded(0x8A, code, code == kOk);
      }
      case Eco_PR_listEim: return {tlv(0xAB, eim_operations::list(card_.state))};
      default: return coded(0x02, package_error::kUnknownOrDamagedCommand, false);
    }
  }

  const std::vector<std::string>& deleted() const { return deleted_; }
  bool rollback_armed() const { return rollback_armed_; }

 private:
  CardContext& card_;
  std::vector<std::string> deleted_;  // profile packages to remove once committed
  bool rollback_armed_ = false;
};

// Runs the package's operations in order; the concatenated EuiccResultData.
Bytes execute(Executor& executor, const Tlv& list) {
  auto operations = rsp::tlv::read_all(list.value);
  if (!operations) return tlv_integer(0x02, package_error::kUnknownOrDamagedCommand);
  Bytes results;
  for (const auto& operation : *operations) {
    Step s = list.tag == 0xA0 ? executor.psmo(operation) : executor.eco(operation);
    results.insert(results.end(), s.result.begin(), s.result.end());
    if (!s.go_on) break;
  }
  return results;
}

}  // namespace

Bytes association_token_tlv(std::optional<int64_t> token) { return tlv_integer(0x84, token.value_or(0)); }

Bytes signed_package_result(const CardContext& card, const Credentials& credentials, std::optional<int64_t> token,
                            ByteView result_data) {
  // euiccSignEPR: SGP.32 v1.1/v1.2 sign DER(euiccPackageResultDataSigned) || associationToken (v1.0
  // signed it with the eIM's signature instead, FACTS §5.3).
  Bytes signature = card.sign(credentials, rsp::concat({result_data, association_token_tlv(token)}));
  return tlv(0xBF51, tlv(0xA0, {result_data, tlv(0x5F37, signature)}));
}

// SGP.32 v1.2 §5.9.x ES10b.LoadEuiccPackage
Es10Result load_euicc_package(CardContext& card, const Tlv& request) {
  Tlv euicc_package_signed;  // exactly as received: the signature covers these bytes, not a re-encoding
  auto members = received_members(request, euicc_package_signed);
  if (!members) return rsp::Unexpected{kIncorrectData};
  const Received& received = *members;
  auto decoded = rsp::asn1::decode_as<EuiccPackageRequest_t>(asn_DEF_EuiccPackageRequest, received.skeleton);
  if (!decoded || !received.operations) return rsp::Unexpected{kIncorrectData};
  const EuiccPackageSigned_t& package_signed = (*decoded)->euiccPackageSigned;
  std::string eim_id = rsp::asn1::text(package_signed.eimId);

  auto unsigned_error = [&](std::optional<int64_t> token) -> Bytes {
    Bytes token_tlv = token ? association_token_tlv(token) : Bytes{};
    return tlv(0xBF51, tlv(0xA2, {received.eim_id, received.transaction_id, token_tlv}));
  };
  EimConfiguration* eim = find_eim(card.state, eim_id);
  if (!eim) return unsigned_error(std::nullopt);
  // The token lets the eIM see which association the card holds for it; it is not a secret.
  std::optional<int64_t> token = eim->association_token;
  auto key = eim_public_key(*eim);
  ByteView signature = view((*decoded)->eimSignature);
  if (!key || signature.size() != rsp::crypto::kPlainSignatureSize ||
      (!card.fault("skip-signature-check") &&
       !rsp::crypto::verify(*key, rsp::concat({euicc_package_signed.whole, association_token_tlv(token)}), signature)))
    return unsigned_error(token);

  const Credentials& credentials = eim_signing_credentials(card, *eim);
  auto signed_error = [&](long code) -> Bytes {
    Bytes data = tlv(0x30, {received.eim_id, received.counter_value, received.transaction_id, tlv_integer(0x02, code)});
    Bytes signature_epe = card.sign(credentials, rsp::concat({data, association_token_tlv(token)}));
    return tlv(0xBF51, tlv(0xA1, {data, tlv(0x5F37, signature_epe)}));
  };
  ByteView eid = view(package_signed.eidValue);
  if (!std::equal(eid.begin(), eid.end(), card.eid_bytes.begin(), card.eid_bytes.end()))
    return signed_error(package_error::kInvalidEid);
  auto counter = rsp::asn1::to_long(package_signed.counterValue);
  if (!counter || *counter < 0 || *counter > kMaxCounterValue)
    return signed_error(package_error::kCounterValueOutOfRange);
  if (static_cast<uint64_t>(*counter) <= eim->counter_value && !card.fault("reuse-counter"))
    return signed_error(package_error::kReplayError);

  CardState before = card.state;
  // The counter first: an updateEim in the package that sets this eIM's counter overrides it.
  eim->counter_value = static_cast<uint64_t>(*counter);
  Executor executor(card);
  Bytes results = execute(executor, *received.operations);
  uint32_t seq_number = card.state.next_seq_number++;
  Bytes data = tlv(0x30, {received.eim_id, received.counter_value, received.transaction_id,
                          tlv_integer(0x83, seq_number), tlv(0x30, results)});
  Bytes result = signed_package_result(card, credentials, token, data);
  card.state.euicc_package_results.push_back({seq_number, eim_id, result});
  if (executor.rollback_armed() && card.state.rollback_iccid) card.state.rollback_package_result = data;
  if (!card.commit()) {
    card.state = std::move(before);
    return signed_error(package_error::kUndefinedError);
  }
  for (const auto& iccid : executor.deleted()) card.store.remove_profile_package(iccid);
  return result;
}

}  // namespace euicc
