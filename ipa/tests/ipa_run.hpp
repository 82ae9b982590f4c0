#pragma once
// One run of the ipa program in a test: exit status, stdout, stderr, and stdout read as text
// fields or as JSON lines.
#include <nlohmann/json.hpp>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace ipa::test {

struct IpaRun {
  int status = -1;
  std::string out;  // stdout
  std::string err;  // stderr
  // The value of a "NAME: value" line of stdout.
  std::string field(const std::string& name) const {
    std::smatch m;
    std::regex re("(^|\n)" + name + ": ([^\n]*)");
    return std::regex_search(out, m, re) ? m[2].str() : std::string();
  }
  // stdout's JSON lines.
  std::vector<nlohmann::json> lines() const {
    std::vector<nlohmann::json> out_lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) out_lines.push_back(nlohmann::json::parse(line));
    return out_lines;
  }
  // The payload of the last line, lpac's {"type":"lpa","payload":{code,message,data}} (JSON output).
  nlohmann::json lpa() const {
    auto all = lines();
    if (all.empty() || all.back().value("type", "") != "lpa") return nullptr;
    return all.back()["payload"];
  }
};

}  // namespace ipa::test
