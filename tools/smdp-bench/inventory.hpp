#pragma once
// smdp-bench --inventory N: the store filled with N more available profiles before the run (the
// store's bulk import, timed), and the ES2+ order creation measured on that inventory: DownloadOrder
// by profileType (the "next available profile" pick) and ConfirmOrder with release, in process on
// the same store. Issue 12: with 10k, 100k and 1M profiles in the inventory, order creation and
// the downloads should cost the same.
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "rsp/crypto/sealing.hpp"
#include "rsp/expected.hpp"

namespace smdp_bench {

struct InventoryFigures {
  size_t profiles = 0;        // added by the import (available, one operator and type)
  double import_seconds = 0;  // wall time of the bulk import
  size_t orders = 0;          // DownloadOrder + ConfirmOrder pairs timed
  double order_p50_ms = 0, order_mean_ms = 0, order_p95_ms = 0;  // per pair, wall
};

// Imports `profiles` available profiles (the profile maker's package padded to `profile_size`, 0: as
// made; ICCIDs of a run of their own) into the store at `store_url`, then times `orders` order
// creations on them, one after another.
// `profile_key`: the profiles sealed at rest under it (none: in clear).
rsp::Expected<InventoryFigures> fill_inventory_and_order(const std::string& store_url,
                                                         const rsp::crypto::SealingKey* profile_key, size_t profiles,
                                                         size_t orders, const std::string& smdp_address,
                                                         size_t profile_size);

nlohmann::json to_json(const InventoryFigures& figures);
std::string to_text(const InventoryFigures& figures);

}  // namespace smdp_bench
