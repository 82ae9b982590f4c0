// Delivery of the ES2+ callback outbox (HandleDownloadProgressInfo) with retries and backoff.
#include "smdp/callback_sender.hpp"
#include "smdp/smds_event.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>

namespace smdp {

CallbackSender::CallbackSender(Store& store, Send send, Clock clock, CallbackRetryPolicy policy,
                               std::function<void(const std::string&)> log)
    : store_(store), send_(std::move(send)), clock_(std::move(clock)), policy_(policy), log_(std::move(log)) {}

namespace {

// What an outbox entry is, for the log: an ES2+ callback to an operator, or an ES12 call to an SM-DS.
std::string callback_name(const CallbackRecord& callback) {
  if (is_es12_url(callback.url))
    return "ES12 " + callback.url.substr(callback.url.rfind('/') + 1) + " to " + callback.operator_id;
  return "ES2+ handleDownloadProgressInfo to operator " + callback.operator_id;
}

}  // namespace

int64_t CallbackSender::backoff(int attempts) const {
  int64_t delay = policy_.first_delay;
  for (int i = 1; i < attempts && delay < policy_.max_delay; ++i) delay *= 2;
  return std::min(delay, policy_.max_delay);
}

StoreResult<int> CallbackSender::deliver_due() {
  const int64_t now = clock_();
  auto due = store_.due_callbacks(now, policy_.batch);
  if (!due) return rsp::Unexpected<StoreError>{due.error()};
  int delivered = 0;
  for (const CallbackRecord& callback : *due) {
    bool accepted = false;
    try {
      accepted = send_(callback.url, callback.body);
    } catch (const std::exception&) {
      accepted = false;  // a transport that throws is one failed attempt, not the sender's end
    }
    const int attempts = callback.attempts + 1;
    if (accepted) {
      if (auto done = store_.complete_callback(callback.id); !done) return rsp::Unexpected<StoreError>{done.error()};
      ++delivered;
      continue;
    }
    if (attempts >= policy_.max_attempts) {
      if (log_) log_(callback_name(callback) + " dropped after " + std::to_string(attempts) + " attempts");
      if (auto done = store_.complete_callback(callback.id); !done) return rsp::Unexpected<StoreError>{done.error()};
      continue;
    }
    if (auto later = store_.reschedule_callback(callback.id, attempts, now + backoff(attempts)); !later)
      return rsp::Unexpected<StoreError>{later.error()};
  }
  return delivered;
}

void CallbackSender::run(std::stop_token stop, std::chrono::milliseconds interval) {
  while (!stop.stop_requested()) {
    if (auto pass = deliver_due(); !pass && log_) log_("ES2+ callback outbox: " + pass.error().message);
    // Waits `interval`, or less when a stop is requested.
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    wake.wait_for(lock, stop, interval, [] { return false; });
  }
}

}  // namespace smdp
