#pragma once
// Records as rows: each table's columns in one order, a record's values in that order for
// statements, and a row read back into a record.
#include <algorithm>
#include <array>
#include <span>
#include <string>

#include "store/sql.hpp"

namespace smdp::sql {

// A table's columns, key first; `version` is kept apart because the store alone writes it.
template <size_t N>
struct Table {
  std::string_view name;
  std::array<std::string_view, N> columns;

  std::string column_list() const {
    std::string out;
    for (auto c : columns) out += (out.empty() ? "" : ", ") + std::string(c);
    return out;
  }
  std::string select() const { return "SELECT " + column_list() + ", version FROM " + std::string(name) + " "; }
  // Every column from $1..$N, version 1; a row with that key already there is left alone.
  std::string insert() const {
    std::string values;
    for (size_t i = 1; i <= N; ++i) values += "$" + std::to_string(i) + ", ";
    return "INSERT INTO " + std::string(name) + " (" + column_list() + ", version) VALUES (" + values +
           "1) ON CONFLICT (" + std::string(columns[0]) + ") DO NOTHING";
  }
  // The same for `rows` rows at once: row r's columns from $(r*N+1).
  std::string insert_rows(size_t rows) const {
    std::string values;
    for (size_t r = 0; r < rows; ++r) {
      values += r == 0 ? "(" : ", (";
      for (size_t i = 1; i <= N; ++i) values += "$" + std::to_string(r * N + i) + ", ";
      values += "1)";
    }
    return "INSERT INTO " + std::string(name) + " (" + column_list() + ", version) VALUES " + values +
           " ON CONFLICT (" + std::string(columns[0]) + ") DO NOTHING";
  }
  // Writes the columns but the key and `written_once` (set by the insert, never changed), from $2 in
  // column order, where the key is $1 and the version still the last parameter.
  std::string versioned_update(std::span<const std::string_view> written_once = {}) const {
    std::string sets;
    size_t n = 1;
    for (size_t i = 1; i < N; ++i)
      if (std::ranges::find(written_once, columns[i]) == written_once.end())
        sets += std::string(columns[i]) + " = $" + std::to_string(++n) + ", ";
    return "UPDATE " + std::string(name) + " SET " + sets + "version = version + 1 WHERE " + std::string(columns[0]) +
           " = $1 AND version = $" + std::to_string(n + 1);
  }
  // A record's values (one per column) as versioned_update(written_once) numbers them.
  std::vector<Value> update_values(std::vector<Value> values, std::span<const std::string_view> written_once) const {
    std::vector<Value> out;
    for (size_t i = 0; i < N && i < values.size(); ++i)
      if (i == 0 || std::ranges::find(written_once, columns[i]) == written_once.end())
        out.push_back(std::move(values[i]));
    return out;
  }
};

inline constexpr Table<17> kProfiles{
    "profiles",
    {"iccid", "operator_id", "profile_type", "state", "package", "metadata", "ppk_enc", "ppk_mac", "ppk_initial_mcv",
     "eid", "matching_id", "confirmation_code_hash", "confirmation_attempts_left", "released", "order_expires",
     "smds_address", "transaction_id"}};
inline constexpr Table<16> kSessions{"sessions",
                                     {"transaction_id", "state", "smdp_address", "euicc_challenge", "server_challenge",
                                      "ci_pkid", "euicc_ci_pkid", "eid", "iccid", "cc_required", "euicc_certificate",
                                      "smdp_signature2", "euicc_otpk", "bound_profile_package", "created", "expires"}};
inline constexpr std::string_view kNotificationColumns =
    "eid, sequence_number, event, iccid, transaction_id, success, pending_notification, received";
inline constexpr std::string_view kCallbackColumns = "id, operator_id, url, body, attempts, next_attempt";

std::vector<Value> values_of(const ProfileRecord& record);
std::vector<Value> values_of(const SessionRecord& record);
std::vector<Value> values_of(const NotificationRecord& record);
std::vector<Value> values_of(const CallbackRecord& record);  // without the id, which the store sets

// A row of a SELECT of the table's columns (and version, where there is one); `row` is consumed.
StoreResult<ProfileRecord> profile_of(Row& row);
StoreResult<SessionRecord> session_of(Row& row);
StoreResult<NotificationRecord> notification_of(Row& row);
StoreResult<CallbackRecord> callback_of(Row& row);
StoreError unreadable(std::string_view table);

}  // namespace smdp::sql
