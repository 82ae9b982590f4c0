#pragma once
// A server's background work: `work` now, then every `interval`, until `stop` is requested (for a
// std::jthread); a stop request ends the wait at once.
#include <chrono>
#include <functional>
#include <stop_token>

namespace rsp::server {

void run_every(std::stop_token stop, std::chrono::milliseconds interval, const std::function<void()>& work);

}  // namespace rsp::server
