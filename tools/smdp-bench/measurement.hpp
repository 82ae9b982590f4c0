#pragma once
// What smdp-bench measures of one call: wall time (steady clock) and the calling thread's CPU time
// (CLOCK_THREAD_CPUTIME_ID), and the tallies a worker thread keeps of them.
#include <time.h>

#include <array>
#include <chrono>
#include <string>
#include <vector>

namespace smdp_bench {

inline double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Started on construction; reads wall and thread CPU milliseconds since.
class Stopwatch {
 public:
  double wall_ms() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall_).count();
  }
  double cpu_ms() const { return thread_cpu_ms() - cpu_; }

 private:
  std::chrono::steady_clock::time_point wall_ = std::chrono::steady_clock::now();
  double cpu_ = thread_cpu_ms();
};

// The ES9+ functions of one download, in the order a device calls them.
enum class Es9Function { initiate_authentication, authenticate_client, get_bound_profile_package, handle_notification };
inline constexpr std::array<Es9Function, 4> kEs9Functions{
    Es9Function::initiate_authentication, Es9Function::authenticate_client, Es9Function::get_bound_profile_package,
    Es9Function::handle_notification};
inline const char* name(Es9Function f) {
  static const char* names[] = {"initiateAuthentication", "authenticateClient", "getBoundProfilePackage",
                                "handleNotification"};
  return names[static_cast<int>(f)];
}

struct CallTally {
  std::vector<double> wall_ms;  // one entry per call
  double cpu_ms = 0;            // summed
  void add(const Stopwatch& watch) {
    wall_ms.push_back(watch.wall_ms());
    cpu_ms += watch.cpu_ms();
  }
  void merge(const CallTally& other) {
    wall_ms.insert(wall_ms.end(), other.wall_ms.begin(), other.wall_ms.end());
    cpu_ms += other.cpu_ms;
  }
};

// One worker's account: each ES9+ function at the SM-DP+, and the cards' ES10 commands.
struct Tally {
  std::array<CallTally, kEs9Functions.size()> es9;
  CallTally card;      // every STORE DATA the card answered
  CallTally download;  // each completed download, first ES10 command to the notification's answer
  int completed = 0;
  int failed = 0;
  std::string first_error;
  size_t bpp_bytes = 0;  // of the last package
  bool ran_out = false;  // a run for a given time used up its orders before the time was up

  CallTally& operator[](Es9Function f) { return es9[static_cast<size_t>(f)]; }
  const CallTally& operator[](Es9Function f) const { return es9[static_cast<size_t>(f)]; }
  void fail(const std::string& message) {
    ++failed;
    if (first_error.empty()) first_error = message;
  }
  void merge(const Tally& other) {
    for (size_t i = 0; i < es9.size(); ++i) es9[i].merge(other.es9[i]);
    card.merge(other.card);
    download.merge(other.download);
    completed += other.completed;
    failed += other.failed;
    if (first_error.empty()) first_error = other.first_error;
    if (other.bpp_bytes) bpp_bytes = other.bpp_bytes;
    ran_out = ran_out || other.ran_out;
  }
};

}  // namespace smdp_bench
