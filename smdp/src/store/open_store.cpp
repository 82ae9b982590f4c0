// open_store(): the URL's scheme picks the backend.
#include "store/sql.hpp"

namespace smdp {

StoreResult<std::unique_ptr<Store>> open_store(std::string_view url) {
  if (url.starts_with("sqlite:")) return sql::open_sqlite_store(url.substr(7));
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return sql::open_postgres_store(url);
  // Only the scheme in the message: the rest may hold a password.
  const std::string scheme(url.substr(0, std::min(url.find(':'), size_t{32})));
  return sql::store_error(StoreErrorKind::failed,
                          "unknown store URL scheme '" + scheme + "' (expected sqlite:PATH or postgresql://...)");
}

}  // namespace smdp
