// open_store(): the SM-DP+'s schema on the database the URL names (rsp/sql picks the backend), and
// with a profile key the profiles sealed (store/profile_sealing.hpp).
#include "store/profile_sealing.hpp"

namespace smdp {

StoreResult<std::unique_ptr<Store>> open_store(std::string_view url, const rsp::crypto::SealingKey* profile_key) {
  auto database = rsp::sql::open_database(url, sql::schema(), "smdp");
  if (!database) return rsp::Unexpected{database.error()};
  const bool postgresql = url.starts_with("postgres");
  if (profile_key)
    if (auto sealed = sql::seal_profiles(**database, *profile_key, postgresql); !sealed)
      return rsp::Unexpected{sealed.error()};
  return sql::make_sql_store(std::move(*database), postgresql, profile_key);
}

StoreResult<std::optional<Bytes>> profile_key_id(std::string_view url) {
  auto database = rsp::sql::open_database(url, sql::schema(), "smdp");
  if (!database) return rsp::Unexpected{database.error()};
  return sql::sealed_key_id(**database);
}

StoreResult<int64_t> rotate_profile_key(std::string_view url, const rsp::crypto::SealingKey& current,
                                        const rsp::crypto::SealingKey& next) {
  auto database = rsp::sql::open_database(url, sql::schema(), "smdp");
  if (!database) return rsp::Unexpected{database.error()};
  return sql::reseal_profiles(**database, current, next, url.starts_with("postgres"));
}

}  // namespace smdp
