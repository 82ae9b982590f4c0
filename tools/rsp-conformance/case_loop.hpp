#pragma once
// The run loop of the roles with a network target (one binding per run): each chosen case through
// `run_one`, a verdict line each (and with --json a JSON line on stdout), then the role's summary.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "case.hpp"

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

// Exit status: 0 when no case failed, else 1.
template <class RunOne>
int run_cases(const std::string& role, const std::string& binding, const std::vector<const Case*>& chosen, bool json, RunOne run_one) {
  std::ostream& progress = json ? std::cerr : std::cout;
  size_t counts[3] = {0, 0, 0};
  for (const Case* c : chosen) {
    auto start = std::chrono::steady_clock::now();
    Outcome outcome = run_one(*c);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++counts[static_cast<int>(outcome.verdict)];
    progress << verdict_name(outcome.verdict) << "  " << c->id << (outcome.detail.empty() ? "" : ": " + outcome.detail) << "\n";
    if (json)
      std::cout << nlohmann::json{{"case", c->id}, {"role", c->role}, {"section", c->section}, {"verdict", verdict_name(outcome.verdict)},
                                  {"detail", outcome.detail}, {"seconds", seconds}, {"binding", binding}}
                       .dump()
                << std::endl;
  }
  progress << "\nrole " << role << " (" << binding << "): " << chosen.size() << " cases, " << counts[0] << " passed, " << counts[1]
           << " failed, " << counts[2] << " not applicable\n";
  return counts[1] == 0 ? 0 : 1;
}

}  // namespace conformance
