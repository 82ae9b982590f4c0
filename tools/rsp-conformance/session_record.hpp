#pragma once
// --record DIR: every exchange of a run kept byte for byte (hex in JSON, one file per case), and
// read back by `rsp-conformance replay DIR`.
//   DIR/run.json                {"role", "target", "binding", "date", "cases": [{"case", "verdict", "file"}]}
//   DIR/NNN-<case id>.json      {"case", "verdict", "exchanges": [{"kind", "label", "sent", "received", "headers",
//   "status", "error"}]}
#include <filesystem>
#include <string>
#include <vector>

#include "html_report.hpp"
#include "rsp/expected.hpp"

namespace conformance {

struct RecordInfo {
  std::string role, target, binding, date;
};

struct RecordedCase {
  std::string id;
  std::string verdict;
  ExchangeLog exchanges;
};

struct Recording {
  RecordInfo info;
  std::vector<RecordedCase> cases;
};

rsp::Status<> write_record(const std::filesystem::path& dir, const RecordInfo& info,
                           const std::vector<Result>& results);
rsp::Expected<Recording> read_record(const std::filesystem::path& dir);

}  // namespace conformance
