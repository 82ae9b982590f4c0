// The man pages (man/) stay true to the programs: every program built into RSP_BINARY_DIR has a
// page that renders without warnings (groff, when installed; else the roff's structure is
// checked), has the sections a reader looks for, and names every command and long option that
// the program's --help and each subcommand's --help print. The check itself is proven on a
// made-up page.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "docs/test_man_pages_cli.hpp"

namespace {

namespace fs = std::filesystem;
using rsp::test::CliCommand;

const fs::path kRoot = RSP_SOURCE_DIR;
const fs::path kBin = RSP_BINARY_DIR;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Programs are named with letters, digits and hyphens; the test suites and fuzz targets that
// share the directory have an underscore (test_*, fuzz_*, rsp_fuzz).
std::vector<std::string> programs() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kBin)) {
    const std::string name = entry.path().filename();
    if (entry.is_regular_file() && ::access(entry.path().c_str(), X_OK) == 0 && name.find('_') == std::string::npos)
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// One roff source line as the reader sees its words: font and other escapes gone, a macro's
// arguments joined (alternating-font macros such as .BI without spaces, as they print).
std::string roff_text(const std::string& line) {
  std::string body = line;
  std::string macro;
  if (!body.empty() && body[0] == '.') {
    auto space = body.find(' ');
    macro = body.substr(1, space == std::string::npos ? std::string::npos : space - 1);
    body = space == std::string::npos ? "" : body.substr(space + 1);
    static const std::set<std::string> text_macros{"B", "I", "SH", "SS", "TH", "BI", "BR", "IB", "IR", "RB", "RI"};
    if (!text_macros.count(macro)) return "";
    std::vector<std::string> arguments;
    for (size_t i = 0; i < body.size();) {
      if (body[i] == ' ') {
        ++i;
        continue;
      }
      std::string argument;
      if (body[i] == '"') {
        auto end = body.find('"', i + 1);
        argument = body.substr(i + 1, end == std::string::npos ? std::string::npos : end - i - 1);
        i = end == std::string::npos ? body.size() : end + 1;
      } else {
        auto end = body.find(' ', i);
        argument = body.substr(i, end == std::string::npos ? std::string::npos : end - i);
        i = end == std::string::npos ? body.size() : end;
      }
      arguments.push_back(argument);
    }
    const std::string separator = macro.size() == 2 && macro != "SH" && macro != "SS" && macro != "TH" ? "" : " ";
    body.clear();
    for (const auto& a : arguments) body += (body.empty() ? "" : separator) + a;
  }
  static const std::regex escapes(R"(\\f(\(..|\[[^\]]*\]|.)|\\c|\\&)");
  body = std::regex_replace(body, escapes, "");
  static const std::vector<std::pair<std::string, std::string>> characters{
      {"\\-", "-"}, {"\\e", "\\"}, {"\\ ", " "}, {"\\(aq", "'"}};
  for (const auto& [from, to] : characters)
    for (size_t at = body.find(from); at != std::string::npos; at = body.find(from, at + to.size()))
      body.replace(at, from.size(), to);
  return body;
}

struct Page {
  std::string first;                    // the first line that is not a comment
  std::vector<std::string> lines;       // roff_text of every line
  std::map<std::string, int> sections;  // .SH name -> its line
};

Page read_page(const std::string& roff) {
  Page page;
  std::stringstream in(roff);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(".\\\"", 0) == 0) continue;
    if (page.first.empty()) page.first = line;
    std::string text = roff_text(line);
    if (line.rfind(".SH", 0) == 0) page.sections[text] = static_cast<int>(page.lines.size());
    page.lines.push_back(text);
  }
  return page;
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

// `word` in `text` with no letter, digit or hyphen on either side: --count is not --countdown.
bool contains_word(const std::string& text, const std::string& word) {
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const bool before = at > 0 && is_word_char(text[at - 1]);
    const bool after = at + word.size() < text.size() && is_word_char(text[at + word.size()]);
    if (!before && !after) return true;
  }
  return false;
}

// What the page leaves out of what the program's --help texts list: a command is named where a
// line starts with it (a .TP item or the synopsis, the program name allowed before it); an option
// anywhere in the text.
std::vector<std::string> missing_from_page(const Page& page, const std::string& program,
                                           const std::vector<CliCommand>& commands) {
  std::vector<std::string> missing;
  auto starts_line_with = [&](const std::string& words) {
    return std::any_of(page.lines.begin(), page.lines.end(), [&](std::string line) {
      if (line.rfind(program + " ", 0) == 0) line = line.substr(program.size() + 1);
      return line.rfind(words, 0) == 0 && (line.size() == words.size() || !is_word_char(line[words.size()]));
    });
  };
  std::string text;
  for (const auto& line : page.lines) text += line + "\n";
  for (const auto& command : commands) {
    const std::string name = command.path.empty() ? program : program + " " + command.words();
    if (!command.path.empty() && !starts_line_with(command.words())) missing.push_back("the command `" + name + "`");
    for (const auto& option : command.options)
      if (!contains_word(text, option)) missing.push_back(option + " of `" + name + "`");
  }
  return missing;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += "\n  " + item;
  return out;
}

bool have_groff() { return rsp::test::run_command("command -v groff >/dev/null 2>&1").status == 0; }

}  // namespace

TEST_CASE("Every program has a man page with the sections a reader looks for", "[man]") {
  const auto names = programs();
  REQUIRE(names.size() >= 12);  // smdp smds eim ipa euicc-sim rsp-ac ... smdp-bench: is the build there?
  const bool groff = have_groff();
  if (!groff) WARN("groff is not installed: the pages' structure is checked, not their rendering");
  for (const auto& program : names) {
    INFO("man/" << program << ".1");
    const fs::path file = kRoot / "man" / (program + ".1");
    REQUIRE(fs::exists(file));
    const Page page = read_page(read_text(file));
    std::string th = page.first;
    std::transform(th.begin(), th.end(), th.begin(), [](unsigned char c) { return std::tolower(c); });
    CHECK(th.rfind(".th " + program + " 1 ", 0) == 0);
    for (const char* section : {"NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS", "EXAMPLES", "SEE ALSO"}) {
      INFO("section " << section);
      CHECK(page.sections.count(section) == 1);
    }
    if (page.sections.count("NAME")) CHECK(page.lines[page.sections.at("NAME") + 1].rfind(program + " - ", 0) == 0);

    // What the --help texts name the page has in its own section: signals, environment variables.
    std::string help;
    for (const auto& command : rsp::test::cli_commands(program)) help += command.help;
    // Variables have an underscore ($IPA_EUICC), unlike the fields of an activation code ($SM-DP+).
    static const std::regex signal(R"(\bSIG[A-Z]+\b)"), variable(R"(\$([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b)");
    for (std::sregex_iterator i(help.begin(), help.end(), signal), end; i != end; ++i) {
      INFO("--help names " << i->str());
      CHECK(page.sections.count("SIGNALS") == 1);
      CHECK(std::any_of(page.lines.begin(), page.lines.end(),
                        [&](const std::string& l) { return contains_word(l, i->str()); }));
    }
    for (std::sregex_iterator i(help.begin(), help.end(), variable), end; i != end; ++i) {
      INFO("--help names $" << (*i)[1]);
      REQUIRE(page.sections.count("ENVIRONMENT") == 1);
      const int at = page.sections.at("ENVIRONMENT");
      CHECK(std::any_of(page.lines.begin() + at, page.lines.end(),
                        [&](const std::string& l) { return contains_word(l, (*i)[1]); }));
    }

    if (groff) {
      auto rendered =
          rsp::test::run_command("groff -man -ww -z -Tutf8 " + rsp::test::shell_quoted(file.string()) + " 2>&1");
      INFO(rendered.out);
      CHECK(rendered.status == 0);
      CHECK(rendered.out.empty());
    }
  }
}

TEST_CASE("Every command and long option a program's --help lists is in its man page", "[man]") {
  for (const auto& program : programs()) {
    const fs::path file = kRoot / "man" / (program + ".1");
    if (!fs::exists(file)) continue;  // the case above fails for it
    const auto commands = rsp::test::cli_commands(program);
    INFO(program << ": " << commands.size() << " commands read from --help");
    REQUIRE(!commands.front().options.empty());
    const auto missing = missing_from_page(read_page(read_text(file)), program, commands);
    INFO("man/" << program << ".1 lacks:" << joined(missing));
    CHECK(missing.empty());
  }
}

TEST_CASE("The man page check finds a command or an option a page leaves out", "[man]") {
  const std::string roff =
      ".TH DEMO 1\n.SH NAME\ndemo \\- a demo\n.SH SYNOPSIS\n.B demo run\n.RB [ \\-\\-count\n.IR N ]\n"
      ".SH COMMANDS\n.TP\n.BI \"run \" NAME\nruns.\n.TP\n.B \\-\\-help\n.\\\" stop \\-\\-countdown\n";
  std::vector<CliCommand> commands{
      rsp::test::read_help(
          {}, "demo\nUsage: demo\n\nOptions:\n  -h,--help   help\n\nSubcommands:\n  run   runs\n  stop  stops\n"),
      rsp::test::read_help({"run"}, "run\nOptions:\n  --count INT   how many\n  --countdown INT   from\n"),
      rsp::test::read_help({"stop"}, "stop\nOptions:\n  --help\n")};
  REQUIRE(commands[0].subcommands == std::vector<std::string>{"run", "stop"});
  const auto missing = missing_from_page(read_page(roff), "demo", commands);
  // A comment does not count, --count does not stand for --countdown, "run NAME" names run.
  CHECK(missing == std::vector<std::string>{"--countdown of `demo run`", "the command `demo stop`"});
}
