#pragma once
// The eIMs this card is associated with (SGP.32 v1.2 §2.5, EimConfigurationData): each is checked
// when it is added (its key on an RSP curve, a certificate chained to a CI the card holds) and kept
// with its replay counter and association token. Here are the ES10b functions that set up and read
// the association (GetCerts, AddInitialEim, GetEimConfigurationData) and the eIM Configuration
// Operations (eCO) that a signed eUICC Package carries.
#include <EimConfigurationData.h>

#include <optional>
#include <string_view>

#include "es10_function.hpp"
#include "rsp/crypto/keys.hpp"

namespace euicc {

// AddInitialEimError / AddEimResult / UpdateEimResult / DeleteEimResult values (they share numbers).
namespace eim_result {
constexpr long kOk = 0;
constexpr long kInsufficientMemory = 1;
constexpr long kEimNotFound = 1;                 // deleteEim, updateEim
constexpr long kAssociatedEimAlreadyExists = 2;  // AddInitialEim, addEim
constexpr long kLastEimDeleted = 2;              // deleteEim: done, and no eIM is left
constexpr long kCiPkUnknown = 3;
constexpr long kCounterValueOutOfRange = 6;
constexpr long kCommandError = 7;
constexpr long kUndefinedError = 127;
}  // namespace eim_result

// How many eIMs the card keeps (more: insufficientMemory).
constexpr size_t kMaxEims = 8;
// The highest counterValue the card accepts. SGP.32 names counterValueOutOfRange but no range: this
// card keeps counters as non-negative 31-bit values (a Java Card int), so larger or negative values
// are out of range.
constexpr long kMaxCounterValue = 0x7FFFFFFF;

EimConfiguration* find_eim(CardState& state, std::string_view eim_id);
// The key that verifies this eIM's eimSignature: eimPublicKeyData's SubjectPublicKeyInfo, or the
// key of its certificate (checked when the eIM was added).
rsp::Expected<rsp::crypto::PublicKey> eim_public_key(const EimConfiguration& eim);
// The eUICC credentials that sign results for this eIM: the chain under its euiccCiPKId when it
// names one, else the card's first chain.
const Credentials& eim_signing_credentials(const CardContext& card, const EimConfiguration& eim);

// eCO (SGP.32 v1.2 §5.9.x, Eco): each changes card.state in memory; the package commits.
namespace eim_operations {
// addEim: AddEimResult, either `84 associationToken` or `02 code`; `contents` is the
// EimConfigurationData's contents as received.
Bytes add(CardContext& card, const EimConfigurationData_t& data, ByteView contents, long* code_out);
long remove(CardContext& card, std::string_view eim_id);                                // deleteEim: DeleteEimResult
long update(CardContext& card, const EimConfigurationData_t& data, ByteView contents);  // updateEim: UpdateEimResult
Bytes list(const CardState& state);  // listEim: ListEimResult (A0 { 30 { 80 eimId, 82 eimIdType? } ... })
}  // namespace eim_operations

Es10Result get_eim_configuration_data(CardContext& card, const Tlv& request);  // BF55
Es10Result get_certs(CardContext& card, const Tlv& request);                   // BF56
Es10Result add_initial_eim(CardContext& card, const Tlv& request);             // BF57

}  // namespace euicc
