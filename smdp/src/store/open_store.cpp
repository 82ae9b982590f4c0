// open_store(): the SM-DP+'s schema on the database the URL names (rsp/sql picks the backend).
#include "store/sql.hpp"

namespace smdp {

StoreResult<std::unique_ptr<Store>> open_store(std::string_view url) {
  auto database = rsp::sql::open_database(url, sql::schema(), "smdp");
  if (!database) return rsp::Unexpected{database.error()};
  return sql::make_sql_store(std::move(*database), url.starts_with("postgres"));
}

}  // namespace smdp
