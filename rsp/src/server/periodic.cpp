#include "rsp/server/periodic.hpp"

#include <condition_variable>
#include <mutex>

namespace rsp::server {

void run_every(std::stop_token stop, std::chrono::milliseconds interval, const std::function<void()>& work) {
  std::mutex mutex;
  std::condition_variable_any wake;
  while (!stop.stop_requested()) {
    work();
    std::unique_lock lock(mutex);
    wake.wait_for(lock, stop, interval, [] { return false; });
  }
}

}  // namespace rsp::server
