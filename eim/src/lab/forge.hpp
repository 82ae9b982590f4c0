#pragma once
// Lab only: eUICC Packages a card must refuse, queued for a device in the eIM's store as if the
// eIM had sent them, so that tools/demo --iot can show the card's refusals through the real IPA.
// Never part of `eim serve`; the `eim lab forge` command is its only user besides its test.
#include <cstdint>
#include <string>
#include <vector>

#include "eim/euicc_package.hpp"
#include "eim/store.hpp"
#include "rsp/crypto/keys.hpp"
#include "rsp/expected.hpp"

namespace eim::lab {

enum class ForgeKind {
  bad_signature,  // the device's own package with one bit of eimSignature flipped
  old_counter,    // a package whose counterValue the card has already passed (as a replayed one carries)
  other_eid,      // signed by the eIM, but for another EID
  unknown_eim,    // from an eimId the card does not know, signed by another key
};

struct ForgeRequest {
  std::string eid;  // the device whose queue gets it
  ForgeKind kind = ForgeKind::bad_signature;
  std::vector<Operation> operations;  // what the forged package asks for (all PSMOs or all eCOs)
  std::string other_eid;              // other_eid: the EID written into the package
  std::string eim_id;                 // unknown_eim: the eimId the card does not know
  int64_t now = 0;                    // unix seconds
  int64_t lifetime = 3600;            // seconds the packages wait for delivery
};

// Queues the forged package (old_counter: first a genuine listProfileInfo with a later counter,
// which the card runs, then the forged one with the earlier counter); the queued records in the
// order the device receives them, the forged one last. `key` signs: the eIM's, for unknown_eim
// the stranger's.
rsp::Expected<std::vector<PackageRecord>> forge(EimStore& store, const ForgeRequest& request,
                                                const rsp::crypto::PrivateKey& key);

// "bad-signature", "old-counter", "other-eid", "unknown-eim"; nullopt for others.
std::optional<ForgeKind> forge_kind(std::string_view name);

}  // namespace eim::lab
