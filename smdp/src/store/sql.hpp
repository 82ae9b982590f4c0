#pragma once
// The SM-DP+'s store over rsp/sql's driver interface (SQLite or PostgreSQL): the schema, and the
// Store made of one set of statements for both backends.
#include <memory>
#include <vector>

#include "rsp/sql/database.hpp"
#include "smdp/store.hpp"

namespace smdp::sql {

using rsp::sql::Database;
using rsp::sql::Outcome;
using rsp::sql::Row;
using rsp::sql::Value;

// The SM-DP+'s tables, as versioned steps (store/migrations.cpp).
const std::vector<rsp::sql::SchemaStep>& schema();

// Store over a database that serialises or pools its connections (safe from several threads).
// `postgresql`: the database is PostgreSQL, whose planner needs statistics after a bulk import.
// `profile_key`: profiles' secrets sealed on the way in and opened on the way out (copied).
std::unique_ptr<Store> make_sql_store(std::unique_ptr<Database> database, bool postgresql = false,
                                      const rsp::crypto::SealingKey* profile_key = nullptr);

inline rsp::Unexpected<StoreError> store_error(StoreErrorKind kind, std::string message) {
  return rsp::sql::error(kind, std::move(message));
}

}  // namespace smdp::sql
