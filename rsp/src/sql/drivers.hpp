#pragma once
// The two drivers behind open_database(): open, configure, migrate.
#include "rsp/sql/database.hpp"

namespace rsp::sql {

Result<std::unique_ptr<Database>> open_sqlite_database(std::string_view path, const std::vector<SchemaStep>& schema);
Result<std::unique_ptr<Database>> open_postgres_database(std::string_view uri, const std::vector<SchemaStep>& schema,
                                                         std::string_view application);

}  // namespace rsp::sql
