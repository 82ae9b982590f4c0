#pragma once
// What our programs say about themselves, read from their --help (CLI11's layout): each command,
// its subcommands and long options, and which options and arguments take a file or directory
// (CLI11 names them TEXT:FILE, TEXT:DIR). The man page and completion tests check against this, so
// an option added to the code and not to the documents fails them.
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/command.hpp"

namespace rsp::test {

// An option whose value, or a positional argument, is a file or a directory.
struct PathValue {
  std::string option;  // empty: a positional argument
  bool directory = false;
};

struct CliCommand {
  std::vector<std::string> path;  // the words after the program name: {"profile", "enable"}
  std::string help;               // its --help text
  std::vector<std::string> subcommands, options;
  std::vector<PathValue> paths;

  std::string words() const {
    std::string text;
    for (const auto& word : path) text += (text.empty() ? "" : " ") + word;
    return text;
  }
};

inline std::string shell_quoted(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// CLI11's type column: TEXT:FILE for an existing file, TEXT:DIR for a directory.
inline std::optional<PathValue> path_value(const std::string& option, const std::string& type) {
  if (type.find(":FILE") != std::string::npos) return PathValue{option, false};
  if (type.find(":DIR") != std::string::npos) return PathValue{option, true};
  return std::nullopt;
}

// One command's --help, taken apart: entries are the lines indented by two spaces under a heading
// (descriptions that wrap are indented further).
inline CliCommand read_help(std::vector<std::string> path, std::string help) {
  CliCommand command{std::move(path), std::move(help), {}, {}, {}};
  static const std::regex option(R"(^  (?:-\w,)?(--[A-Za-z0-9][A-Za-z0-9-]*)(?: ([^ ]+))?)");
  static const std::regex entry(R"(^  ([^ -][^ ]*)(?: ([^ ]+))?)");
  std::stringstream lines(command.help);
  std::string heading;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line[0] != ' ') {
      heading = line;
      continue;
    }
    std::smatch m;
    if (heading.rfind("Subcommands", 0) == 0 && std::regex_search(line, m, entry)) {
      command.subcommands.push_back(m[1]);
    } else if (heading.rfind("Positionals", 0) == 0 && std::regex_search(line, m, entry)) {
      if (auto value = path_value("", m[2])) command.paths.push_back(*value);
    } else if (std::regex_search(line, m, option)) {
      command.options.push_back(m[1]);
      if (auto value = path_value(m[1], m[2])) command.paths.push_back(*value);
    }
  }
  return command;
}

// `program --help`, then every subcommand's, depth first.
inline std::vector<CliCommand> cli_commands(const std::string& program) {
  std::vector<CliCommand> commands;
  std::vector<std::vector<std::string>> pending{{}};
  while (!pending.empty()) {
    std::vector<std::string> path = pending.back();
    pending.pop_back();
    std::string line = shell_quoted(std::string(RSP_BINARY_DIR) + "/" + program);
    for (const auto& word : path) line += " " + shell_quoted(word);
    CliCommand command = read_help(path, run_command(line + " --help 2>&1").out);
    for (auto s = command.subcommands.rbegin(); s != command.subcommands.rend(); ++s) {
      auto deeper = path;
      deeper.push_back(*s);
      pending.push_back(deeper);
    }
    commands.push_back(std::move(command));
  }
  return commands;
}

}  // namespace rsp::test
