// The bash completions (completions/) of ipa, smdp and eim stay true to the programs: run under
// bash as bash runs them (COMP_WORDS, COMP_CWORD, then COMPREPLY read back), each offers every
// subcommand its --help lists at the first word and at every nested level, every long option of
// a command after it, and nothing the program does not have there; and file or directory names
// after an option or at an argument that takes one (CLI11's TEXT:FILE and TEXT:DIR).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "docs/test_man_pages_cli.hpp"

namespace {

namespace fs = std::filesystem;
using rsp::test::CliCommand;
using rsp::test::shell_quoted;

// The words of one completion request: the command line up to the cursor, the last one being
// the word completed.
using Request = std::vector<std::string>;

std::string request_text(const Request& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + (w.empty() ? std::string("''") : w);
  return out;
}

// Runs every request through the program's completion function in one bash, in `dir`; one set of
// offered words per request.
std::vector<std::set<std::string>> complete_all(const std::string& program, const fs::path& dir,
                                                const std::vector<Request>& requests) {
  std::ostringstream script;
  script << "cd " << shell_quoted(dir.string()) << " || exit 3\n"
         << "source " << shell_quoted((fs::path(RSP_SOURCE_DIR) / "completions" / program).string()) << " || exit 3\n"
         << "function_name=$(complete -p " << program << " | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p')\n"
         << "[ -n \"$function_name\" ] || exit 4\n"
         << "ask() {\n"
         << "  COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()\n"
         << "  \"$function_name\" \"$1\" \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD - 1]}\" 2>/dev/null\n"
         << "  printf '%s ' \"${COMPREPLY[@]}\"; echo\n"
         << "}\n";
  for (const auto& words : requests) {
    script << "ask";
    for (const auto& w : words) script << " " << shell_quoted(w);
    script << "\n";
  }
  const fs::path file = dir / "requests.bash";
  std::ofstream(file) << script.str();
  auto run = rsp::test::run_command("bash " + shell_quoted(file.string()) + " 2>&1");
  INFO(run.out);
  REQUIRE(run.status == 0);
  std::vector<std::set<std::string>> offered;
  std::stringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) {
    std::stringstream words(line);
    std::set<std::string> set;
    for (std::string w; words >> w;) set.insert(w);
    offered.push_back(set);
  }
  REQUIRE(offered.size() == requests.size());
  return offered;
}

struct Expectation {
  Request request;
  std::vector<std::string> words;  // each must be offered
  std::set<std::string> allowed;   // nothing else may be (empty: a file name, anything)
};

// What a completion must offer for every command of the program, and may: the command's
// subcommands and options, and the program's own options (ipa takes them after a command too).
std::vector<Expectation> expectations(const std::string& program, const std::vector<CliCommand>& commands) {
  std::vector<Expectation> out;
  for (const auto& command : commands) {
    std::set<std::string> allowed(commands.front().options.begin(), commands.front().options.end());
    allowed.insert(command.options.begin(), command.options.end());
    allowed.insert(command.subcommands.begin(), command.subcommands.end());
    Request at{program};
    at.insert(at.end(), command.path.begin(), command.path.end());
    auto with = [&](std::vector<std::string> last) {
      Request r = at;
      r.insert(r.end(), last.begin(), last.end());
      return r;
    };
    if (!command.subcommands.empty()) out.push_back({with({""}), command.subcommands, allowed});
    out.push_back({with({"--"}), command.options, allowed});
    for (const auto& value : command.paths) {
      const std::string probe = value.directory ? "probe-directory" : "probe-file.pem";
      if (value.option.empty())
        out.push_back({with({""}), {probe}, {}});
      else
        out.push_back({with({value.option, ""}), {probe}, {}});
    }
  }
  return out;
}

}  // namespace

TEST_CASE("The bash completions of ipa, smdp and eim offer every command, option and path, and no other", "[man]") {
  const fs::path dir = fs::temp_directory_path() / ("rsp-completion-" + std::to_string(::getpid()));
  fs::create_directories(dir / "probe-directory");
  std::ofstream(dir / "probe-file.pem") << "probe\n";
  for (const std::string program : {"ipa", "smdp", "eim"}) {
    INFO("completions/" << program);
    REQUIRE(fs::exists(fs::path(RSP_SOURCE_DIR) / "completions" / program));
    const auto commands = rsp::test::cli_commands(program);
    REQUIRE(commands.size() > 1);
    const auto wanted = expectations(program, commands);
    std::vector<Request> requests;
    for (const auto& e : wanted) requests.push_back(e.request);
    const auto offered = complete_all(program, dir, requests);
    for (size_t i = 0; i < wanted.size(); ++i) {
      std::string absent, unknown;
      for (const auto& word : wanted[i].words)
        if (!offered[i].count(word)) absent += " " + word;
      if (!wanted[i].allowed.empty())
        for (const auto& word : offered[i])
          if (!wanted[i].allowed.count(word)) unknown += " " + word;
      INFO("completing `" << request_text(wanted[i].request) << "` does not offer:" << absent << "; offers what "
                          << program << " does not have:" << unknown);
      CHECK(absent.empty());
      CHECK(unknown.empty());
    }
  }
  fs::remove_all(dir);
}
