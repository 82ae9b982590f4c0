#pragma once
// The owner's operations list (PSMOs or eCOs as JSON) read into eUICC Package operations.
#include <vector>

#include "owner_call.hpp"

namespace eim::owner {

// body.operations: [{"<name>": {arguments}}, ...], at most `max_operations`; names and arguments as
// owner_api.hpp lists them. 400 naming the first bad one.
Answer<std::vector<Operation>> read_operations(const json& body, bool eco_list, size_t max_operations);

}  // namespace eim::owner
