#pragma once
// What the owner commands share: the connection flags, the target, one call of the owner API with
// its answer printed, and the exit codes.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "rsp/expected.hpp"

namespace eim::cli {

using nlohmann::json;

inline constexpr int kDone = 0;
inline constexpr int kFailed = 1;
inline constexpr int kUsage = 2;

struct Connection {
  std::string url, cert, key, ca;
  bool json = false;
};

struct TargetFlags {
  std::string eid, fleet;
  json target() const { return eid.empty() ? json{{"fleet", fleet}} : json{{"eid", eid}}; }
  bool given() const;  // exactly one of the two; else says so on stderr
};

// --eim-url, --cert, --key (required), --ca, --json.
void add_connection_flags(CLI::App& command, Connection& c);
// --eid | --fleet (not both; TargetFlags::given checks that one came).
void add_target_flags(CLI::App& command, TargetFlags& t);

// Posts `body` to <url>/eim/v1/<function>; prints the answer (--json: as it came, else `text` of it)
// and gives the exit code. Refusals go to stderr as "eim: <function>: <error>: <message>".
int call(const Connection& c, const std::string& function, const json& body,
         const std::function<void(const json&)>& text);

// The lines of a file (one EID, or one EID and what for it, per line), trimmed; blank lines and
// lines starting with '#' skipped.
rsp::Expected<std::vector<std::string>> read_lines(const std::string& file);

// Per-EID results of a queueing call, one line each.
void print_results(const json& answer);
// One package as a line: id, kind, counter, state, result.
std::string package_line(const json& package);

// The commands, by file.
void add_device_commands(CLI::App& app);
void add_package_commands(CLI::App& app);

// Ends the parse with `code` (see owner_commands.hpp).
[[noreturn]] void finish(int code);

}  // namespace eim::cli
