#include "store/profile_sealing.hpp"

#include <array>

#include "store/record_rows.hpp"

namespace smdp::sql {
namespace {

// The columns sealed, by their place in kProfiles.
constexpr std::array<size_t, 4> kSealed{4, 6, 7, 8};  // package, ppk_enc, ppk_mac, ppk_initial_mcv
static_assert(kProfiles.columns[4] == "package" && kProfiles.columns[6] == "ppk_enc" &&
              kProfiles.columns[7] == "ppk_mac" && kProfiles.columns[8] == "ppk_initial_mcv");

// A sealed value opens only in its own column of its own profile.
Bytes place(size_t column, std::string_view iccid) {
  return rsp::to_bytes("smdp profiles." + std::string(kProfiles.columns[column]) + " " + std::string(iccid));
}

StoreError wrong_key(ByteView sealed_with, const SealingKey& key) {
  return {StoreErrorKind::failed, "the database's profiles are sealed with key id " + rsp::to_hex(sealed_with) +
                                      ", not with the profile key given (key id " + key.id_hex() + ")"};
}

// Runs `work` in a transaction that holds the profile_sealing table against other instances.
// SQLite keeps what an update replaced in free pages of the file and in the WAL: with secure_delete
// the replaced values are overwritten, and the WAL is emptied afterwards, so that no copy of the
// file shows a value as it was before (PostgreSQL keeps old row versions until VACUUM reuses
// their space; a dump shows only live rows).
StoreResult<rsp::Ok> locked(Database& db, bool postgresql, const std::function<StoreResult<rsp::Ok>(Database&)>& work) {
  std::optional<Value> secure_delete;
  if (!postgresql) {
    auto before = db.run("PRAGMA secure_delete");
    if (before && !before->rows.empty()) secure_delete = before->rows[0].at(0);
    if (auto on = db.run("PRAGMA secure_delete = ON"); !on) return rsp::Unexpected{on.error()};
  }
  auto done = db.transaction([&](Database& connection) -> StoreResult<rsp::Ok> {
    // SQLite's BEGIN IMMEDIATE already keeps other writers out.
    if (postgresql)
      if (auto lock = connection.run("LOCK TABLE profile_sealing IN EXCLUSIVE MODE"); !lock)
        return rsp::Unexpected{lock.error()};
    return work(connection);
  });
  if (!postgresql) {
    if (done) db.run("PRAGMA wal_checkpoint(TRUNCATE)");  // best effort: a reader elsewhere may hold the WAL
    const int64_t* was = secure_delete ? std::get_if<int64_t>(&*secure_delete) : nullptr;
    db.run(std::string("PRAGMA secure_delete = ") + (was && *was ? "ON" : "OFF"));
  }
  return done;
}

// Each profile in ICCID order, 200 at a time (a million 12 KB packages do not fit in memory):
// `change` rewrites a row's secret columns; the row is written back if it returns true.
StoreResult<int64_t> rewrite_profiles(
    Database& db, const std::function<StoreResult<bool>(const std::string& iccid, Row& row)>& change) {
  static constexpr int64_t kPage = 200;
  const std::string select =
      "SELECT iccid, package, ppk_enc, ppk_mac, ppk_initial_mcv FROM profiles WHERE iccid > $1 "
      "ORDER BY iccid LIMIT " +
      std::to_string(kPage);
  const std::string update =
      "UPDATE profiles SET package = $2, ppk_enc = $3, ppk_mac = $4, ppk_initial_mcv = $5 WHERE iccid = $1";
  int64_t rewritten = 0;
  std::string after;
  for (;;) {
    const Value params[] = {after};
    auto page = db.run(select, params);
    if (!page) return rsp::Unexpected{page.error()};
    for (Row& selected : page->rows) {
      auto* iccid = std::get_if<std::string>(&selected.at(0));
      if (!iccid) return rsp::Unexpected{unreadable("profiles")};
      after = *iccid;
      // As a kProfiles row: the secret columns at their places.
      Row row(kProfiles.columns.size());
      row[0] = selected[0];
      for (size_t i = 0; i < kSealed.size(); ++i) row[kSealed[i]] = std::move(selected[i + 1]);
      auto changed = change(after, row);
      if (!changed) return rsp::Unexpected{changed.error()};
      if (!*changed) continue;
      std::vector<Value> values{after};
      for (size_t column : kSealed) values.push_back(std::move(row[column]));
      if (auto written = db.run(update, values); !written) return rsp::Unexpected{written.error()};
      ++rewritten;
    }
    if (static_cast<int64_t>(page->rows.size()) < kPage) return rewritten;
  }
}

StoreResult<rsp::Ok> record_key(Database& db, const SealingKey& key) {
  const Value params[] = {key.id()};
  auto recorded = db.run(
      "INSERT INTO profile_sealing (name, key_id) VALUES ('profiles', $1) "
      "ON CONFLICT (name) DO UPDATE SET key_id = excluded.key_id",
      params);
  if (!recorded) return rsp::Unexpected{recorded.error()};
  return rsp::Ok{};
}

}  // namespace

void seal_profile_values(const SealingKey& key, std::vector<Value>& values) {
  const auto* iccid = std::get_if<std::string>(&values.at(0));
  for (size_t column : kSealed)
    // Empty stays empty: no protection keys, or a secret erased once installed.
    if (auto* plain = std::get_if<Bytes>(&values.at(column)); plain && iccid && !plain->empty())
      *plain = key.seal(*plain, place(column, *iccid));
}

StoreResult<rsp::Ok> open_profile_row(const SealingKey& key, Row& row) {
  const auto* iccid = std::get_if<std::string>(&row.at(0));
  if (!iccid) return rsp::Unexpected{unreadable("profiles")};
  for (size_t column : kSealed) {
    auto* value = std::get_if<Bytes>(&row.at(column));
    if (!value || !rsp::crypto::is_sealed(*value)) continue;  // in clear: written before sealing
    auto opened = key.open(*value, place(column, *iccid));
    if (!opened)
      return rsp::Unexpected{StoreError{StoreErrorKind::failed, "profile " + *iccid + ": " +
                                                                    std::string(kProfiles.columns[column]) +
                                                                    " cannot be opened: " + opened.error().message}};
    *value = std::move(*opened);
  }
  return rsp::Ok{};
}

StoreResult<std::optional<Bytes>> sealed_key_id(Database& db) {
  auto found = db.run("SELECT key_id FROM profile_sealing WHERE name = 'profiles'");
  if (!found) return rsp::Unexpected{found.error()};
  if (found->rows.empty()) return std::optional<Bytes>();
  auto* id = std::get_if<Bytes>(&found->rows[0].at(0));
  if (!id) return rsp::Unexpected{unreadable("profile_sealing")};
  return std::optional(*id);
}

StoreResult<rsp::Ok> seal_profiles(Database& db, const SealingKey& key, bool postgresql) {
  return locked(db, postgresql, [&](Database& connection) -> StoreResult<rsp::Ok> {
    auto sealed_with = sealed_key_id(connection);
    if (!sealed_with) return rsp::Unexpected{sealed_with.error()};
    if (*sealed_with) {
      if (**sealed_with != key.id()) return rsp::Unexpected{wrong_key(**sealed_with, key)};
      return rsp::Ok{};
    }
    auto migrated = rewrite_profiles(connection, [&](const std::string& iccid, Row& row) -> StoreResult<bool> {
      bool changed = false;
      for (size_t column : kSealed) {
        auto* value = std::get_if<Bytes>(&row[column]);
        if (!value || value->empty() || rsp::crypto::is_sealed(*value)) continue;
        *value = key.seal(*value, place(column, iccid));
        changed = true;
      }
      return changed;
    });
    if (!migrated) return rsp::Unexpected{migrated.error()};
    return record_key(connection, key);
  });
}

StoreResult<int64_t> reseal_profiles(Database& db, const SealingKey& current, const SealingKey& next, bool postgresql) {
  int64_t count = 0;
  auto done = locked(db, postgresql, [&](Database& connection) -> StoreResult<rsp::Ok> {
    auto sealed_with = sealed_key_id(connection);
    if (!sealed_with) return rsp::Unexpected{sealed_with.error()};
    if (!*sealed_with)
      return store_error(StoreErrorKind::failed, "the database's profiles were never sealed (start the SM-DP+ once)");
    if (**sealed_with != current.id()) return rsp::Unexpected{wrong_key(**sealed_with, current)};
    auto rewritten = rewrite_profiles(connection, [&](const std::string&, Row& row) -> StoreResult<bool> {
      if (auto opened = open_profile_row(current, row); !opened) return rsp::Unexpected{opened.error()};
      std::vector<Value>& values = row;
      seal_profile_values(next, values);
      return true;
    });
    if (!rewritten) return rsp::Unexpected{rewritten.error()};
    count = *rewritten;
    return record_key(connection, next);
  });
  if (!done) return rsp::Unexpected{done.error()};
  return count;
}

}  // namespace smdp::sql
