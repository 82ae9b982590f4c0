#include "reports.hpp"

#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "session_record.hpp"

namespace conformance {

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

void write_junit(const std::string& path, const std::string& role, const std::vector<Result>& results) {
  size_t failures = 0, skipped = 0;
  double total = 0;
  for (const auto& r : results) {
    failures += r.outcome.verdict == Verdict::fail;
    skipped += r.outcome.verdict == Verdict::not_applicable;
    total += r.seconds;
  }
  auto xml = html_escape;  // XML attribute values take the same escapes as HTML
  std::ofstream out(path);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"rsp-conformance." << role
      << "\" tests=\"" << results.size() << "\" failures=\"" << failures << "\" errors=\"0\" skipped=\"" << skipped
      << "\" time=\"" << total << "\">\n";
  for (const auto& r : results) {
    out << "    <testcase classname=\"" << xml(r.c->role + "." + r.c->id.substr(0, r.c->id.find('.'))) << "\" name=\""
        << xml(r.c->id) << "\" time=\"" << r.seconds << "\">";
    if (r.outcome.verdict == Verdict::fail) out << "<failure message=\"" << xml(r.outcome.detail) << "\"/>";
    if (r.outcome.verdict == Verdict::not_applicable) out << "<skipped message=\"" << xml(r.outcome.detail) << "\"/>";
    out << "</testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

std::string json_line(const Result& r, const RunSettings& settings) {
  size_t apdus = 0, http = 0;
  for (const auto& e : r.exchanges) (e.kind == "apdu" ? apdus : http) += 1;
  nlohmann::json line{{"case", r.c->id},
                      {"role", r.c->role},
                      {"section", r.c->section},
                      {"verdict", verdict_name(r.outcome.verdict)},
                      {"detail", r.outcome.detail},
                      {"seconds", r.seconds},
                      {"apdus", apdus},
                      {"apdu_bytes", apdu_bytes(r.exchanges)},
                      {"http_exchanges", http}};
  if (!settings.binding.empty()) line["binding"] = settings.binding;
  return line.dump();
}

int finish_run(const RunSettings& settings, const std::vector<Result>& results) {
  size_t counts[3] = {0, 0, 0};
  for (const auto& r : results) ++counts[static_cast<int>(r.outcome.verdict)];
  std::ostream& progress = settings.json ? std::cerr : std::cout;
  progress << "\nrole " << settings.role << (settings.binding.empty() ? "" : " (" + settings.binding + ")") << ": "
           << results.size() << " cases, " << counts[0] << " passed, " << counts[1] << " failed, " << counts[2]
           << " not applicable\n";
  std::string date = utc_now();
  if (!settings.junit.empty()) write_junit(settings.junit, settings.role, results);
  if (!settings.html.empty())
    std::ofstream(settings.html) << html_report({settings.role, settings.target, date}, results);
  if (!settings.record.empty()) {
    if (auto written = write_record(settings.record, {settings.role, settings.target, settings.binding, date}, results);
        !written) {
      std::cerr << "rsp-conformance: --record: " << written.error().message << "\n";
      return 1;
    }
  }
  return counts[1] == 0 ? 0 : 1;
}

}  // namespace conformance
