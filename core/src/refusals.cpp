#include "rsp/refusals.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "rsp/server/log.hpp"

namespace rsp {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kLogInterval = std::chrono::seconds(1);

struct Counter {
  std::atomic<uint64_t> total{0};
  std::mutex mutex;
  std::optional<Clock::time_point> last_line;
  uint64_t since_line = 0;  // refused since the last line went out, this one included
};

std::array<Counter, kRefusals.size()>& counters() {
  static std::array<Counter, kRefusals.size()> all;
  return all;
}

Counter& counter(Refusal reason) { return counters()[static_cast<size_t>(reason)]; }

}  // namespace

const char* refusal_name(Refusal reason) {
  switch (reason) {
    case Refusal::connections: return "connections";
    case Refusal::peer_connections: return "peer_connections";
    case Refusal::header: return "header";
    case Refusal::body: return "body";
    case Refusal::first_byte: return "first_byte";
    case Refusal::idle: return "idle";
    case Refusal::request_time: return "request_time";
    case Refusal::json: return "json";
  }
  return "unknown";
}

void count_refusal(Refusal reason, std::string_view peer, std::string_view detail) {
  Counter& c = counter(reason);
  c.total.fetch_add(1, std::memory_order_relaxed);
  uint64_t count = 0;
  {
    std::lock_guard guard(c.mutex);
    ++c.since_line;
    auto now = Clock::now();
    if (c.last_line && now - *c.last_line < kLogInterval) return;
    c.last_line = now;
    count = c.since_line;
    c.since_line = 0;
  }
  server::log_line({{"event", "limit-refused"},
                    {"reason", refusal_name(reason)},
                    {"count", std::to_string(count)},
                    {"peer", std::string(peer)},
                    {"detail", std::string(detail)}});
}

uint64_t refusal_count(Refusal reason) { return counter(reason).total.load(std::memory_order_relaxed); }

}  // namespace rsp
