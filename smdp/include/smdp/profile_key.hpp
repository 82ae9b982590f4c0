#pragma once
// The SM-DP+'s profile key (issue 13, finding 10): it seals each profile's package (Ki, OPc) and
// protection keys in the database, so that a copied database, a dump or a backup reveals none.
// It never goes into the database: it is
//   $SMDP_PROFILE_KEY   64 hex digits (e.g. from a secret store), when set; else
//   profile_key         the key file the configuration (or --profile-key) names, which must exist; else
//   DIR/profile-key     beside the SQLite file (./profile-key for PostgreSQL), made 0600 at first start.
// Key files hold 64 hex digits, mode 0600 (refused when others may read them).
#include <filesystem>
#include <memory>
#include <optional>

#include "rsp/crypto/sealing.hpp"
#include "smdp/config.hpp"
#include "smdp/store.hpp"

namespace smdp {

inline constexpr std::string_view kProfileKeyVariable = "SMDP_PROFILE_KEY";

// The key file the configuration names, or the default one.
std::filesystem::path profile_key_file(const SmdpConfig& config);

struct SealedStore {
  std::unique_ptr<Store> store;
  rsp::crypto::ResolvedSealingKey key;  // for the start-up line: origin, id, made now
};
// config.database with its profiles sealed under the profile key (rows in clear sealed now). The
// default key file is made when absent, unless the database is sealed already: then, as for a
// named file that is missing or a key that is not the database's, a clear error and nothing changed.
rsp::Expected<SealedStore> open_sealed_store(const SmdpConfig& config);

struct ProfileKeyRotation {
  int64_t profiles = 0;
  std::string old_id, new_id;
  std::filesystem::path key_file;  // where the new key is
};
// `smdp rotate-profile-key`: every profile opened with the current key and sealed with a new one,
// in one transaction. The new key is `new_key_file` (read, or made when absent); without it the
// current key file is replaced (the new key is written to FILE.new first and renamed over FILE
// once the database is committed; a start that finds the database sealed with FILE.new's key says
// so). A key from $SMDP_PROFILE_KEY needs `new_key_file`.
rsp::Expected<ProfileKeyRotation> rotate_profile_key_file(const SmdpConfig& config,
                                                          const std::optional<std::filesystem::path>& new_key_file);

}  // namespace smdp
