// The SM-DP+'s schema: versioned steps, applied by rsp/sql when a store is opened.
#include "store/sql.hpp"

namespace smdp::sql {

namespace {

// The steps, written once for both backends: BYTES and SERIAL_KEY stand for the dialect's types.
// Flags are BIGINT 0/1 in both, so that one row reader serves both.
const std::vector<rsp::sql::SchemaStep> kSteps{
    {1,
     {R"(CREATE TABLE profiles (
          iccid TEXT PRIMARY KEY, operator_id TEXT NOT NULL, profile_type TEXT NOT NULL, state TEXT NOT NULL,
          package BYTES NOT NULL, metadata BYTES NOT NULL,
          ppk_enc BYTES NOT NULL, ppk_mac BYTES NOT NULL, ppk_initial_mcv BYTES NOT NULL,
          eid TEXT, matching_id TEXT UNIQUE, confirmation_code_hash BYTES NOT NULL,
          confirmation_attempts_left BIGINT NOT NULL, released BIGINT NOT NULL, order_expires BIGINT NOT NULL,
          smds_address TEXT, transaction_id TEXT, version BIGINT NOT NULL))",
      "CREATE INDEX profiles_by_type ON profiles (operator_id, profile_type, state)",
      R"(CREATE TABLE sessions (
          transaction_id TEXT PRIMARY KEY, state TEXT NOT NULL, smdp_address TEXT NOT NULL,
          euicc_challenge BYTES NOT NULL, server_challenge BYTES NOT NULL, ci_pkid BYTES NOT NULL,
          eid TEXT NOT NULL, iccid TEXT NOT NULL, cc_required BIGINT NOT NULL, euicc_certificate BYTES NOT NULL,
          smdp_signature2 BYTES NOT NULL, euicc_otpk BYTES NOT NULL, bound_profile_package BYTES NOT NULL,
          created BIGINT NOT NULL, expires BIGINT NOT NULL, version BIGINT NOT NULL))",
      "CREATE INDEX sessions_by_expiry ON sessions (expires)",
      R"(CREATE TABLE notifications (
          eid TEXT NOT NULL, sequence_number BIGINT NOT NULL, event TEXT NOT NULL, iccid TEXT NOT NULL,
          transaction_id TEXT NOT NULL, success BIGINT NOT NULL, pending_notification BYTES NOT NULL,
          received BIGINT NOT NULL, PRIMARY KEY (eid, sequence_number)))",
      "CREATE INDEX notifications_by_iccid ON notifications (iccid)",
      R"(CREATE TABLE callbacks (
          id SERIAL_KEY, operator_id TEXT NOT NULL, url TEXT NOT NULL, body TEXT NOT NULL,
          attempts BIGINT NOT NULL, next_attempt BIGINT NOT NULL))",
      "CREATE INDEX callbacks_by_due ON callbacks (next_attempt, id)"}},
    // Orders by EID (the default SM-DP+ and SM-DS downloads come without a matchingId), and the CI
    // the eUICC signs under apart from the SM-DP+'s (NULL in sessions opened before: the same CI).
    {2,
     {"CREATE INDEX profiles_by_eid ON profiles (eid, state)", "ALTER TABLE sessions ADD COLUMN euicc_ci_pkid BYTES"}},
    // DownloadOrder by profileType takes the lowest available ICCID of a type (sql_store.cpp's
    // available_profile_, which orders by this very expression): this index hands it over at once.
    // Without it PostgreSQL walked the primary key in ICCID order past every profile already taken
    // (they are the lowest ICCIDs) or sorted every available one: 240-820 ms a pick with 500k of a
    // million taken, against 0.04 ms here (docs/performance.md, PostgreSQL at scale).
    {3,
     {"CREATE INDEX profiles_available ON profiles (operator_id, profile_type, (iccid || '')) WHERE state = 'available'"}},
    // Profiles sealed at rest (store/profile_sealing.cpp): the id of the key the rows are sealed with,
    // never the key. No row: the database was never sealed (its profiles are sealed at the next open
    // with a key).
    {4, {"CREATE TABLE profile_sealing (name TEXT PRIMARY KEY, key_id BYTES NOT NULL)"}},
    // Secrets the instances on one database share: the key of ES9+'s stateless transactionIds
    // (initiateAuthentication stores no session; any instance recognises the ones another issued).
    {5, {"CREATE TABLE secrets (name TEXT PRIMARY KEY, value BYTES NOT NULL)"}},
};

}  // namespace

const std::vector<rsp::sql::SchemaStep>& schema() { return kSteps; }

}  // namespace smdp::sql
