#pragma once
// Delivers the calls queued in the store's outbox, with retries and exponential backoff: the ES2+
// callbacks to operators (HandleDownloadProgressInfo) and the ES12 DeleteEvent calls to SM-DSs.
// The transport is a function, so the HTTPS client, a test double or a message queue can carry it.
#include <chrono>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>

#include "smdp/clock.hpp"
#include "smdp/store.hpp"

namespace smdp {

struct CallbackRetryPolicy {
  int max_attempts = 12;     // then the callback is dropped (and logged)
  int64_t first_delay = 30;  // seconds before the second attempt
  int64_t max_delay = 3600;  // backoff doubles up to this
  int batch = 50;            // callbacks taken per deliver_due()
};

class CallbackSender {
 public:
  // POSTs `body` (JSON) to `url`; true when the operator accepted it (HTTP 204, or 200). Exceptions
  // count as a failed attempt.
  using Send = std::function<bool(const std::string& url, const std::string& body)>;

  CallbackSender(Store& store, Send send, Clock clock = system_clock_seconds, CallbackRetryPolicy policy = {},
                 std::function<void(const std::string&)> log = {});

  // One pass over the callbacks due now: each is sent once; delivered ones leave the outbox,
  // failed ones are rescheduled (or dropped after max_attempts). Returns how many were delivered.
  StoreResult<int> deliver_due();

  // Calls deliver_due() every `interval` until `stop` is requested (for a std::jthread).
  void run(std::stop_token stop, std::chrono::milliseconds interval = std::chrono::seconds(5));

  // Seconds to wait after the n-th failed attempt (n >= 1).
  int64_t backoff(int attempts) const;

 private:
  Store& store_;
  Send send_;
  Clock clock_;
  CallbackRetryPolicy policy_;
  std::function<void(const std::string&)> log_;
};

}  // namespace smdp
