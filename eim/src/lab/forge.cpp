// Lab only: forged eUICC Packages queued in the eIM's store (see forge.hpp).
#include "lab/forge.hpp"

#include "rsp/eid.hpp"

namespace eim::lab {
namespace {

constexpr size_t kTransactionIdLength = 16;

rsp::Expected<int64_t> reserve(EimStore& store, const std::string& eid) {
  auto counter = store.reserve_counter(eid);
  if (!counter) return rsp::fail("store: " + counter.error().message);
  if (!*counter) return rsp::fail("unknown EID " + eid);
  return **counter;
}

// Signs `r` with `key` and queues it under the store counter `counter`.
rsp::Expected<PackageRecord> queue(EimStore& store, const ForgeRequest& f, const PackageRequest& r, int64_t counter,
                                   const rsp::crypto::PrivateKey& key, bool flip_signature) {
  auto signed_request = build_euicc_package_request(r, key);
  if (!signed_request) return rsp::fail(signed_request.error().message);
  // The last byte belongs to s of eimSignature (r||s, the TLV's end).
  if (flip_signature) signed_request->back() ^= 0x01;
  PackageRecord p;
  p.eid = f.eid;
  p.counter_value = counter;
  p.eim_transaction_id = r.eim_transaction_id;
  p.request = std::move(*signed_request);
  p.created = f.now;
  p.expires = f.now + f.lifetime;
  if (auto stored = store.enqueue(p); !stored) return rsp::fail("store: " + stored.error().message);
  return p;
}

}  // namespace

std::optional<ForgeKind> forge_kind(std::string_view name) {
  if (name == "bad-signature") return ForgeKind::bad_signature;
  if (name == "old-counter") return ForgeKind::old_counter;
  if (name == "other-eid") return ForgeKind::other_eid;
  if (name == "unknown-eim") return ForgeKind::unknown_eim;
  return std::nullopt;
}

rsp::Expected<std::vector<PackageRecord>> forge(EimStore& store, const ForgeRequest& f,
                                                const rsp::crypto::PrivateKey& key) {
  auto found = store.device(f.eid);
  if (!found) return rsp::fail("store: " + found.error().message);
  if (!*found) return rsp::fail("unknown EID " + f.eid);
  const DeviceRecord& device = **found;
  if (f.kind == ForgeKind::other_eid && f.other_eid == f.eid) return rsp::fail("the other EID is the device's own");
  if (f.kind == ForgeKind::unknown_eim && (f.eim_id.empty() || f.eim_id == device.eim_id))
    return rsp::fail("an unknown eIM needs an eimId other than the device's " + device.eim_id);
  auto eid = rsp::eid::to_bytes(f.kind == ForgeKind::other_eid ? f.other_eid : f.eid);
  if (!eid) return rsp::fail("EID: " + eid.error().message);

  PackageRequest r;
  r.eim_id = f.kind == ForgeKind::unknown_eim ? f.eim_id : device.eim_id;
  r.eid = *eid;
  r.operations = f.operations;
  r.association_token = device.association_token;
  std::vector<PackageRecord> queued;
  auto counter = reserve(store, f.eid);
  if (!counter) return rsp::Unexpected{counter.error()};
  if (f.kind == ForgeKind::old_counter) {
    // The genuine package takes the later counter and goes first: once the card has run it, the
    // forged package's earlier counter is one the card has passed.
    auto later = reserve(store, f.eid);
    if (!later) return rsp::Unexpected{later.error()};
    PackageRequest genuine = r;
    genuine.eid = rsp::eid::to_bytes(f.eid).value_or(Bytes{});
    genuine.counter_value = static_cast<uint64_t>(*later);
    genuine.eim_transaction_id = rsp::random_bytes(kTransactionIdLength);
    genuine.operations = {psmo::list_profile_info()};
    auto first = queue(store, f, genuine, *later, key, false);
    if (!first) return rsp::Unexpected{first.error()};
    queued.push_back(std::move(*first));
  }
  r.counter_value = static_cast<uint64_t>(*counter);
  r.eim_transaction_id = rsp::random_bytes(kTransactionIdLength);
  auto forged = queue(store, f, r, *counter, key, f.kind == ForgeKind::bad_signature);
  if (!forged) return rsp::Unexpected{forged.error()};
  queued.push_back(std::move(*forged));
  return queued;
}

}  // namespace eim::lab
