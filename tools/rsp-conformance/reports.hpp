#pragma once
// What every role's run leaves behind: a verdict line per case on the terminal (with --json a JSON
// line on stdout), the summary, JUnit XML, the HTML report and, with --record, every exchange byte
// for byte (session_record.hpp).
#include <string>
#include <vector>

#include "html_report.hpp"

namespace conformance {

struct RunSettings {
  std::string role;
  std::string target;   // what was tested: "tcp:127.0.0.1:35963", "https://smdp.example:8443"
  std::string binding;  // network roles: json or asn1; empty for the euicc role
  bool json = false;    // --json
  std::string junit;    // --junit FILE
  std::string html;     // --html FILE
  std::string record;   // --record DIR
};

std::string utc_now();
void write_junit(const std::string& path, const std::string& role, const std::vector<Result>& results);
// One case's --json line.
std::string json_line(const Result& result, const RunSettings& settings);
// The summary line and every report asked for. The run's exit status: 0 when nothing failed, else 1.
int finish_run(const RunSettings& settings, const std::vector<Result>& results);

}  // namespace conformance
