// The SM-DS's schema: versioned steps, applied by rsp/sql when the store is opened.
#include "store/event_schema.hpp"

namespace smds {

const std::vector<rsp::sql::SchemaStep>& event_schema() {
  static const std::vector<rsp::sql::SchemaStep> steps{
      {1,
       {R"(CREATE TABLE events (
            sequence SERIAL_KEY, eid TEXT NOT NULL, event_id TEXT NOT NULL, rsp_server_address TEXT NOT NULL,
            smdp TEXT NOT NULL, registered BIGINT NOT NULL, UNIQUE (eid, event_id)))",
        "CREATE INDEX events_by_registered ON events (registered)",
        R"(CREATE TABLE es11_sessions (
            transaction_id TEXT PRIMARY KEY, smds_address TEXT NOT NULL, euicc_challenge BYTES NOT NULL,
            server_challenge BYTES NOT NULL, ci_pkid BYTES NOT NULL, euicc_ci_pkid BYTES NOT NULL,
            created BIGINT NOT NULL, expires BIGINT NOT NULL))",
        "CREATE INDEX es11_sessions_by_expiry ON es11_sessions (expires)"}},
      // The root SM-DS an event was cascaded to (NULL: not forwarded).
      {2, {"ALTER TABLE events ADD COLUMN forwarded_to TEXT"}},
  };
  return steps;
}

}  // namespace smds
