#pragma once
// Runs a shell command for tests of the command-line tools: its exit status and its stdout.
#include <sys/wait.h>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace rsp::test {

struct CommandResult {
  int status = -1;  // exit code, -1 if it did not exit normally
  std::string out;
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) r.out.append(buffer, n);
  int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace rsp::test
