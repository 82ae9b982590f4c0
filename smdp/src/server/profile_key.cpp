#include "smdp/profile_key.hpp"

#include <cstdio>

namespace smdp {
namespace {

namespace fs = std::filesystem;
using rsp::crypto::ResolvedSealingKey;
using rsp::crypto::SealingKey;

fs::path pending_file(const fs::path& key_file) { return fs::path(key_file) += ".new"; }

// A hint for a database sealed with another key: a rotation cut short leaves its key in FILE.new.
std::string hint(const fs::path& key_file, const std::string& url) {
  const fs::path pending = pending_file(key_file);
  std::error_code ec;
  if (!fs::exists(pending, ec)) return "";
  auto pending_key = rsp::crypto::read_sealing_key_file(pending);
  auto sealed_with = profile_key_id(url);
  if (pending_key && sealed_with && *sealed_with && **sealed_with == pending_key->id())
    return "; " + pending.string() + " holds the database's key (a rotation cut short): move it to " +
           key_file.string();
  return "";
}

rsp::Expected<ResolvedSealingKey> configured_key(const SmdpConfig& config) {
  const fs::path file = profile_key_file(config);
  auto resolved = rsp::crypto::resolve_sealing_key(kProfileKeyVariable, file, config.profile_key.has_value());
  if (!resolved) return rsp::Unexpected{resolved.error()};
  if (*resolved) return std::move(**resolved);
  // The default file is absent: the first start, unless the database is sealed already.
  auto sealed_with = profile_key_id(config.database);
  if (!sealed_with) return rsp::fail("database: " + sealed_with.error().message);
  if (*sealed_with)
    return rsp::fail("the profile key file " + file.string() +
                     " is missing, and the database's profiles are sealed with key id " + rsp::to_hex(**sealed_with) +
                     " (give that key: profile_key, --profile-key or $" + std::string(kProfileKeyVariable) + ")");
  auto made = rsp::crypto::create_sealing_key_file(file);
  std::error_code ec;
  if (!made && fs::exists(file, ec)) {  // another instance made it just now: take that one
    auto read = rsp::crypto::read_sealing_key_file(file);
    if (!read) return rsp::Unexpected{read.error()};
    return ResolvedSealingKey{std::move(*read), file.string(), false};
  }
  if (!made) return rsp::Unexpected{made.error()};
  return ResolvedSealingKey{std::move(*made), file.string(), true};
}

}  // namespace

fs::path profile_key_file(const SmdpConfig& config) {
  if (config.profile_key) return *config.profile_key;
  if (config.database.starts_with("sqlite:")) return fs::path(config.database.substr(7)).parent_path() / "profile-key";
  return "profile-key";
}

rsp::Expected<SealedStore> open_sealed_store(const SmdpConfig& config) {
  auto key = configured_key(config);
  if (!key) return rsp::Unexpected{key.error()};
  auto store = open_store(config.database, &key->key);
  if (!store)
    return rsp::fail("database: " + store.error().message + " (profile key from " + key->origin + ")" +
                     hint(profile_key_file(config), config.database));
  return SealedStore{std::move(*store), std::move(*key)};
}

rsp::Expected<ProfileKeyRotation> rotate_profile_key_file(const SmdpConfig& config,
                                                          const std::optional<fs::path>& new_key_file) {
  const fs::path file = profile_key_file(config);
  auto current = rsp::crypto::resolve_sealing_key(kProfileKeyVariable, file, config.profile_key.has_value());
  if (!current) return rsp::Unexpected{current.error()};
  if (!*current) return rsp::fail("the profile key file " + file.string() + " is missing: nothing to rotate from");
  const bool in_place = !new_key_file;
  if (in_place && (*current)->origin != file.string())
    return rsp::fail("the profile key comes from " + (*current)->origin + ": give the new key's file (--new-key-file)");
  const fs::path target = in_place ? pending_file(file) : *new_key_file;
  std::error_code ec;
  const bool made = !fs::exists(target, ec);
  auto next = made ? rsp::crypto::create_sealing_key_file(target) : rsp::crypto::read_sealing_key_file(target);
  if (!next) return rsp::Unexpected{next.error()};
  if (next->id() == (*current)->key.id()) return rsp::fail(target.string() + " holds the current key");
  auto rotated = rotate_profile_key(config.database, (*current)->key, *next);
  if (!rotated) {
    if (made) fs::remove(target, ec);  // the database is as it was: the new key opens nothing
    return rsp::fail("database: " + rotated.error().message + " (nothing changed)");
  }
  ProfileKeyRotation out{*rotated, (*current)->key.id_hex(), next->id_hex(), target};
  if (in_place) {
    if (std::rename(target.c_str(), file.c_str()) != 0)
      return rsp::fail("the profiles are sealed with the key in " + target.string() + ", which could not replace " +
                       file.string() + ": move it there");
    out.key_file = file;
  }
  return out;
}

}  // namespace smdp
