#pragma once
// The run loop every role shares, and the scratch directory of the roles whose harness plays an eUICC.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "case.hpp"
#include "reports.hpp"

namespace conformance {

// A directory for one run's harness eUICCs, removed with everything in it at the end of the run.
class ScratchDir {
 public:
  explicit ScratchDir(std::filesystem::path path) : path_(std::move(path)) {
    std::error_code ignored;
    std::filesystem::create_directories(path_, ignored);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs each chosen case through `run_one`, with `log` (where the role's transport and HTTP client
// record) emptied before each and kept as the case's exchange; a verdict line each, then the
// summary and the reports (reports.hpp). Exit status: 0 when no case failed, else 1.
template <class RunOne>
int run_cases(const RunSettings& settings, const std::vector<const Case*>& chosen, ExchangeLog& log, RunOne run_one) {
  std::ostream& progress = settings.json ? std::cerr : std::cout;
  std::vector<Result> results;
  for (const Case* c : chosen) {
    log.clear();
    auto start = std::chrono::steady_clock::now();
    Outcome outcome = run_one(*c);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    results.push_back({c, std::move(outcome), seconds, log});
    const Result& r = results.back();
    progress << verdict_name(r.outcome.verdict) << "  " << c->id
             << (r.outcome.detail.empty() ? "" : ": " + r.outcome.detail) << "\n";
    if (settings.json) std::cout << json_line(r, settings) << std::endl;
  }
  log.clear();
  return finish_run(settings, results);
}

}  // namespace conformance
