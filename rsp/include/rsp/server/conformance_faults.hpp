#pragma once
// The servers' `--conformance-harness --fault NAME` (smds, eim): named misbehaviours that let
// rsp-conformance show its cases fail when a server is wrong. Never allowed in normal runs.
#include <set>
#include <string>
#include <vector>

#include "rsp/expected.hpp"

namespace rsp::server {

// The faults asked for, once each is known and the harness flag is given; else why not.
inline Expected<std::set<std::string>> conformance_faults(const std::vector<std::string>& requested,
                                                          bool conformance_harness,
                                                          const std::set<std::string>& known) {
  if (!requested.empty() && !conformance_harness)
    return fail("--fault is refused in normal runs (only with --conformance-harness)");
  for (const auto& fault : requested)
    if (!known.count(fault)) {
      std::string names;
      for (const auto& name : known) names += (names.empty() ? "" : ", ") + name;
      return fail("--fault " + fault + ": no such fault (" + names + ")");
    }
  return std::set<std::string>(requested.begin(), requested.end());
}

}  // namespace rsp::server
