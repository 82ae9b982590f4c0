#pragma once
// Metric names on both sides of a scrape: those a PromQL expression selects, and those a
// Prometheus text exposition (GET /metrics) declares or samples.
#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

namespace rsp::test {

namespace promql_detail {

inline bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }

// The index of the quote that closes the string opening at `open`.
inline size_t string_end(std::string_view expr, size_t open) {
  size_t i = open + 1;
  for (; i < expr.size() && expr[i] != expr[open]; ++i)
    if (expr[i] == '\\' && expr[open] != '`') ++i;
  return i;
}

// The index of `close` ending the group that opens at `open`, strings inside it skipped.
inline size_t group_end(std::string_view expr, size_t open, char close) {
  size_t i = open + 1;
  for (; i < expr.size() && expr[i] != close; ++i)
    if (expr[i] == '"' || expr[i] == '\'' || expr[i] == '`') i = string_end(expr, i);
  return i;
}

}  // namespace promql_detail

// The metric names a PromQL expression selects. Strings, label matchers {...}, ranges [...] and the
// label lists of by/without/on/ignoring/group_left/group_right (...) hold none; of the words left,
// a function is followed by '(', an aggregation is a keyword (also before its by/without list),
// and numbers, durations and $variables are not names.
inline std::set<std::string> promql_metric_names(std::string_view expr) {
  using namespace promql_detail;
  static const std::set<std::string, std::less<>> label_lists{"by",       "without",    "on",
                                                              "ignoring", "group_left", "group_right"};
  // Operators, modifiers and the aggregations: words PromQL reserves.
  static const std::set<std::string, std::less<>> keywords{
      "and",   "or",           "unless",  "bool", "offset",   "inf",    "nan",
      "sum",   "min",          "max",     "avg",  "group",    "stddev", "stdvar",
      "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio"};
  std::set<std::string> names;
  for (size_t i = 0; i < expr.size(); ++i) {
    const char c = expr[i];
    if (c == '"' || c == '\'' || c == '`') {
      i = string_end(expr, i);
    } else if (c == '{' || c == '[') {
      i = group_end(expr, i, c == '{' ? '}' : ']');
    } else if (name_char(c) || c == '$' || c == '.') {
      const size_t start = i;
      while (i + 1 < expr.size() && (name_char(expr[i + 1]) || expr[i + 1] == '.')) ++i;
      std::string word(expr.substr(start, i + 1 - start));
      std::string lower = word;
      std::ranges::transform(lower, lower.begin(),
                             [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      const size_t next = expr.find_first_not_of(" \t\r\n", i + 1);
      const bool call = next != std::string_view::npos && expr[next] == '(';
      if (call && label_lists.contains(lower)) {
        i = group_end(expr, next, ')');
        continue;
      }
      const bool literal = word[0] == '$' || word[0] == '.' || std::isdigit(static_cast<unsigned char>(word[0]));
      if (!call && !literal && !keywords.contains(lower) && !label_lists.contains(lower)) names.insert(word);
    }
  }
  return names;
}

// The names a text exposition offers: each sampled series' name, each family its # TYPE line
// declares (also before its first sample), and a histogram's _bucket/_sum/_count (a summary's
// _sum/_count) under its family's name.
inline std::set<std::string> exposed_metric_names(std::string_view exposition) {
  std::set<std::string> names;
  std::istringstream lines{std::string(exposition)};
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream fields(line.substr(7));
      std::string name, type;
      fields >> name >> type;
      names.insert(name);
      if (type == "histogram") names.insert(name + "_bucket");
      if (type == "histogram" || type == "summary") names.insert({name + "_sum", name + "_count"});
    } else if (!line.empty() && line[0] != '#') {
      names.insert(line.substr(0, line.find_first_of("{ ")));
    }
  }
  return names;
}

}  // namespace rsp::test
