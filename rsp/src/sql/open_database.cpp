// open_database(): the URL's scheme picks the backend.
#include "drivers.hpp"

namespace rsp::sql {

Result<std::unique_ptr<Database>> open_database(std::string_view url, const std::vector<SchemaStep>& schema,
                                                std::string_view application) {
  if (url.starts_with("sqlite:")) return open_sqlite_database(url.substr(7), schema);
  if (url.starts_with("postgresql://") || url.starts_with("postgres://"))
    return open_postgres_database(url, schema, application);
  // Only the scheme in the message: the rest may hold a password.
  const std::string scheme(url.substr(0, std::min(url.find(':'), size_t{32})));
  return error(ErrorKind::failed,
               "unknown store URL scheme '" + scheme + "' (expected sqlite:PATH or postgresql://...)");
}

}  // namespace rsp::sql
