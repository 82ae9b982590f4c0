#pragma once
// A query's rows turned into records by a row parser (Result<Record> parse(Row&)), for every
// store over rsp/sql: the first error stops it.
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "rsp/sql/database.hpp"

namespace rsp::sql {

template <class Parse>
using ParsedRecord = std::remove_cvref_t<decltype(*std::declval<Parse&>()(std::declval<Row&>()))>;

// Every row of `outcome` through `parse`, or the first error.
template <class Parse>
Result<std::vector<ParsedRecord<Parse>>> all_rows(Result<Outcome> outcome, Parse parse) {
  if (!outcome) return Unexpected{outcome.error()};
  std::vector<ParsedRecord<Parse>> out;
  for (Row& row : outcome->rows) {
    auto record = parse(row);
    if (!record) return Unexpected{record.error()};
    out.push_back(std::move(*record));
  }
  return out;
}

// The first row of `outcome` through `parse`, nullopt when there is none.
template <class Parse>
Result<std::optional<ParsedRecord<Parse>>> first_row(Result<Outcome> outcome, Parse parse) {
  if (!outcome) return Unexpected{outcome.error()};
  if (outcome->rows.empty()) return std::optional<ParsedRecord<Parse>>();
  auto record = parse(outcome->rows.front());
  if (!record) return Unexpected{record.error()};
  return std::optional(std::move(*record));
}

}  // namespace rsp::sql
