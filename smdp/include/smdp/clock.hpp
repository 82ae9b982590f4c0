#pragma once
// Time for the SM-DP+'s services, in unix seconds (what the store keeps); tests inject their own.
#include <chrono>
#include <cstdint>
#include <functional>

namespace smdp {

using Clock = std::function<int64_t()>;

inline int64_t system_clock_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace smdp
