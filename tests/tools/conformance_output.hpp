#pragma once
// Reading rsp-conformance's terminal output in tests: the IDs of the cases with a verdict, sorted,
// so a test can assert the exact set a fault makes fail.
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "support/command.hpp"

namespace rsp::test {

// The IDs on the "<verdict>  ID: ..." lines (verdict pass, fail or n/a), sorted.
inline std::vector<std::string> cases_with_verdict(const std::string& out, const std::string& verdict) {
  std::vector<std::string> ids;
  std::regex line("(?:^|\\n)" + verdict + "  ([A-Za-z0-9.]+)(?=:|\\n)");
  for (auto m = std::sregex_iterator(out.begin(), out.end(), line); m != std::sregex_iterator(); ++m)
    ids.push_back((*m)[1]);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// A server's conformance-harness faults, each with the cases it must make fail (sorted IDs).
using FaultExpectations = std::vector<std::pair<std::string, std::vector<std::string>>>;

// For each fault: `run(fault)` starts the server with it and runs rsp-conformance against it (output
// and exit status); exactly the expected cases fail and the other `total` - n pass.
template <class Run>
void check_fault_runs(const FaultExpectations& expected, size_t total, Run run) {
  for (const auto& [fault, cases] : expected) {
    CommandResult result = run(fault);
    INFO(fault << "\n" << result.out);
    CHECK(result.status == 1);
    CHECK(cases_with_verdict(result.out, "fail") == cases);
    CHECK(cases_with_verdict(result.out, "pass").size() == total - cases.size());
  }
}

// `serve` (a server's serve command line without faults) refuses a known fault without
// --conformance-harness and an unknown one with it.
inline void check_fault_refusals(const std::string& serve, const std::string& known_fault) {
  auto refused = run_command(serve + " --fault " + known_fault + " 2>&1");
  CHECK(refused.status == 1);
  CHECK(refused.out.find("--fault is refused in normal runs") != std::string::npos);
  auto unknown = run_command(serve + " --conformance-harness --fault no-such-fault 2>&1");
  CHECK(unknown.status == 1);
  CHECK(unknown.out.find("no-such-fault: no such fault") != std::string::npos);
}

}  // namespace rsp::test
