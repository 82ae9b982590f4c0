#pragma once
// Profiles sealed at rest (issue 13, finding 10): the profile package (Ki, OPc and the rest) and
// the profile protection keys of each row, sealed with the profile key (rsp/crypto/sealing.hpp),
// bound to their column and ICCID. The profile_sealing table names the key (by id) the database's
// rows are sealed with; the key itself never goes into the database.
#include <optional>

#include "rsp/crypto/sealing.hpp"
#include "store/sql.hpp"

namespace smdp::sql {

using rsp::crypto::SealingKey;

// Seals the secret columns of a profile row's values (kProfiles' order), in place.
void seal_profile_values(const SealingKey& key, std::vector<Value>& values);
// Opens them in a row read back (kProfiles' columns first). Values in clear, written by a version
// before sealing or by a store opened without the key, pass as they are.
StoreResult<rsp::Ok> open_profile_row(const SealingKey& key, Row& row);

// The id of the key the database's profiles are sealed with; nullopt: never sealed.
StoreResult<std::optional<Bytes>> sealed_key_id(Database& db);
// At open, in one transaction: a database never sealed has its profiles sealed with `key` (the
// migration of rows written in clear) and the key's id recorded; one sealed with another key is
// refused and left as it is.
StoreResult<rsp::Ok> seal_profiles(Database& db, const SealingKey& key, bool postgresql);
// Every profile opened with `current` and sealed again with `next`, and `next`'s id recorded, in
// one transaction; returns how many profiles. Refused (nothing changed) unless the database is
// sealed with `current`.
StoreResult<int64_t> reseal_profiles(Database& db, const SealingKey& current, const SealingKey& next, bool postgresql);

}  // namespace smdp::sql
