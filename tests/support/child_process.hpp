#pragma once
// One of our programs (build/bin/NAME) as a child process for end-to-end tests: its stdout and
// stderr go to files in a test directory, wait_for() watches them; SIGTERM on destruction.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "support/kit.hpp"

namespace rsp::test {

class ChildProcess {
 public:
  ChildProcess(const std::string& program, const std::filesystem::path& dir, std::vector<std::string> args)
      : name_(program),
        out_(dir / (program + std::to_string(++count_) + ".out")),
        err_(dir / (program + std::to_string(count_) + ".err")) {
    pid_ = fork();
    if (pid_ == 0) {
      if (!freopen(out_.c_str(), "w", stdout) || !freopen(err_.c_str(), "w", stderr)) _exit(126);
      std::string binary = std::string(RSP_BINARY_DIR) + "/" + program;
      std::vector<char*> argv{binary.data()};
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { stop(); }

  // Sends `signal` and reaps the child; its exit code, or -1 if a signal ended it.
  int stop(int signal = SIGTERM) {
    if (pid_ <= 0) return exit_code_;
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }
  // Sends `signal` and leaves the child running (SIGHUP: a reload).
  void send(int signal) const {
    if (pid_ > 0) kill(pid_, signal);
  }
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == 0) return true;
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return false;
  }
  // Waits until `pattern` matches the output (stdout + stderr); returns the first group.
  std::string wait_for(const std::string& pattern) {
    std::regex re(pattern);
    for (int i = 0; i < 400; ++i) {
      std::string text = output();
      std::smatch m;
      if (std::regex_search(text, m, re)) return m.size() > 1 ? m[1].str() : m[0].str();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL(name_ << " never printed " << pattern << "; it said: " << output());
    return {};
  }
  std::string output() const {  // the files appear once the child has started
    std::string text;
    for (const auto& f : {out_, err_})
      if (std::filesystem::exists(f)) text += read_text(f);
    return text;
  }

 private:
  static inline int count_ = 0;  // each process writes files of its own
  std::string name_;
  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

}  // namespace rsp::test
