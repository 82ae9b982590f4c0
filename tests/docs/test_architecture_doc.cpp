// docs/architecture.md stays true to the tree: every file its spec function tables name exists,
// and the first file of each side still names the function, so a file that is moved, renamed or
// split without the document fails here. Every other repository path the document quotes must
// exist too.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;

const fs::path kRoot = RSP_SOURCE_DIR;
constexpr std::string_view kSection = "## Spec functions, file by file";

// One row of a spec function table: the function and, per side, the paths its cell quotes.
struct Row {
  int line = 0;
  std::string function;
  std::vector<std::string> cells;  // all four, trimmed
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trim(std::string s) {
  auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  s.erase(s.begin(), std::find_if_not(s.begin(), s.end(), space));
  s.erase(std::find_if_not(s.rbegin(), s.rend(), space).base(), s.end());
  return s;
}

bool is_separator(const std::string& line) { return std::regex_match(line, std::regex(R"(\|[ :|-]+\|\s*)")); }

std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> cells;
  std::string inner = trim(line);
  inner = inner.substr(1, inner.size() - 2);  // the outer pipes
  std::stringstream parts(inner);
  for (std::string cell; std::getline(parts, cell, '|');) cells.push_back(trim(cell));
  return cells;
}

std::vector<std::string> quoted(const std::string& text) {
  std::vector<std::string> out;
  static const std::regex code("`([^`\n]+)`");
  for (std::sregex_iterator i(text.begin(), text.end(), code), end; i != end; ++i) out.push_back((*i)[1]);
  return out;
}

// The data rows of every table in the spec function section (header and separator rows skipped).
std::vector<Row> spec_function_rows(const std::string& doc) {
  std::vector<std::string> lines;
  std::stringstream in(doc);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::vector<Row> rows;
  bool inside = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.rfind("## ", 0) == 0) inside = line == kSection;
    if (!inside || line.rfind("|", 0) != 0 || is_separator(line)) continue;
    if (i + 1 < lines.size() && is_separator(lines[i + 1])) continue;  // a table's header
    Row row{static_cast<int>(i + 1), "", cells_of(line)};
    std::string first = row.cells.empty() ? "" : row.cells[0];
    first.erase(std::remove_if(first.begin(), first.end(), [](char c) { return c == '`' || c == '*'; }), first.end());
    row.function = first.substr(0, first.find(' '));
    rows.push_back(std::move(row));
  }
  return rows;
}

// The file's text folded for a name search: lower case, no underscores, so that a function's
// spec name (GetEUICCInfo, eUICCMemoryReset) matches its C++ (get_euicc_info1, euicc_memory_reset)
// and JSON (downloadOrder) spellings.
std::string folded(std::string text) {
  std::string out;
  for (char c : text)
    if (c != '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// What is wrong with the rows, one line each; empty when the tables hold. `root` is where the
// paths are looked up.
std::vector<std::string> problems_of(const std::vector<Row>& rows, const fs::path& root) {
  std::vector<std::string> problems;
  std::map<std::string, std::string> texts;
  for (const auto& row : rows) {
    const std::string at = "line " + std::to_string(row.line) + " (" + row.function + "): ";
    if (row.cells.size() != 4) {
      problems.push_back(at + "expected 4 cells, found " + std::to_string(row.cells.size()));
      continue;
    }
    for (size_t side = 2; side < 4; ++side) {
      const std::string& cell = row.cells[side];
      auto paths = quoted(cell);
      if (paths.empty() && cell.rfind("-", 0) != 0)
        problems.push_back(at + "a side with neither a file nor '-': " + cell);
      for (size_t k = 0; k < paths.size(); ++k) {
        const fs::path file = root / paths[k];
        if (!fs::is_regular_file(file)) {
          problems.push_back(at + paths[k] + " does not exist");
          continue;
        }
        if (k != 0) continue;  // helpers named after the first file need not name the function
        auto [it, fresh] = texts.try_emplace(paths[k]);
        if (fresh) it->second = folded(read_text(file));
        if (it->second.find(folded(row.function)) == std::string::npos)
          problems.push_back(at + paths[k] + " does not name " + row.function);
      }
    }
  }
  return problems;
}

// Repository paths quoted anywhere in the document ("ipa/src/download.cpp", not "/gsma/rsp2/asn1",
// "POST /..." or "<component>/").
std::vector<std::string> repository_paths(const std::string& doc) {
  static const std::regex path(R"([A-Za-z0-9_.+-]+(/[A-Za-z0-9_.+-]+)+)");
  std::vector<std::string> out;
  for (const auto& q : quoted(doc))
    if (std::regex_match(q, path)) out.push_back(q);
  return out;
}

}  // namespace

TEST_CASE("every file docs/architecture.md's spec function tables name exists and names its function") {
  const std::string doc = read_text(kRoot / "docs/architecture.md");
  REQUIRE_FALSE(doc.empty());
  auto rows = spec_function_rows(doc);
  // ES2+ 5, ES9+ 5, ES10a/b/c 20, ES10b' 16, ES11 2, ES12 2, ESipa 8: the section was found whole.
  CHECK(rows.size() >= 58);
  std::map<std::string, int> named;
  for (const auto& r : rows) ++named[r.function];
  for (const char* f :
       {"DownloadOrder", "HandleDownloadProgressInfo", "InitiateAuthentication", "LoadBoundProfilePackage",
        "LoadEuiccPackage", "RegisterEvent", "GetEimPackage", "ProvideEimPackageResult"}) {
    INFO(f);
    CHECK(named[f] >= 1);
  }
  for (const auto& p : problems_of(rows, kRoot)) FAIL_CHECK(p);
}

TEST_CASE("every repository path docs/architecture.md quotes exists") {
  const std::string doc = read_text(kRoot / "docs/architecture.md");
  auto paths = repository_paths(doc);
  CHECK(paths.size() >= 100);
  for (const auto& p : paths) {
    INFO(p);
    CHECK(fs::exists(kRoot / p));
  }
}

TEST_CASE("the table check fails on a file that is not there and on one that no longer names its function") {
  // A tree of its own: two files, one naming GetEUICCInfo as the C++ does, one naming nothing.
  const fs::path root = fs::temp_directory_path() / ("architecture-doc-" + std::to_string(::getpid()));
  fs::create_directories(root / "ipa");
  std::ofstream(root / "ipa/es10b.cpp") << "Es10Expected<Bytes> get_euicc_info1(Es10Channel& channel);\n";
  std::ofstream(root / "ipa/es10a.cpp") << "// ES10a.GetEuiccConfiguredAddresses\n";
  const std::string doc =
      "## Spec functions, file by file\n"
      "| function | spec | caller | card |\n"
      "|---|---|---|---|\n"
      "| GetEUICCInfo (ES10b) | §5.7.8 | - | `ipa/es10b.cpp` (helper: `ipa/es10a.cpp`) |\n"
      "| GetEUICCInfo | §5.7.8 | `ipa/es10b_gone.cpp` | - |\n"
      "| SetNickname | §5.7.21 | `ipa/es10a.cpp` | - |\n"
      "| GetRAT | §5.7.22 | ipa/es10b.cpp | - |\n"
      "| GetEID | §5.7.20 | `ipa/es10b.cpp` |\n"
      "## Next\n"
      "| Ignored | x | `not/there.cpp` | - |\n";
  auto rows = spec_function_rows(doc);
  REQUIRE(rows.size() == 5);
  CHECK(rows[0].function == "GetEUICCInfo");
  auto problems = problems_of(rows, root);
  fs::remove_all(root);
  REQUIRE(problems.size() == 4);
  CHECK(problems[0] == "line 5 (GetEUICCInfo): ipa/es10b_gone.cpp does not exist");
  CHECK(problems[1] == "line 6 (SetNickname): ipa/es10a.cpp does not name SetNickname");
  CHECK(problems[2] == "line 7 (GetRAT): a side with neither a file nor '-': ipa/es10b.cpp");
  CHECK(problems[3] == "line 8 (GetEID): expected 4 cells, found 3");
  CHECK(repository_paths("`a/b.cpp` `/gsma/rsp2/asn1` `POST /x/y` `#include \"<c>/` `rsp_sql`") ==
        std::vector<std::string>{"a/b.cpp"});
}
