#pragma once
#include <vector>

#include "rsp/sql/database.hpp"

namespace smds {

// The SM-DS's tables (events, es11_sessions) as rsp/sql schema steps.
const std::vector<rsp::sql::SchemaStep>& event_schema();

}  // namespace smds
