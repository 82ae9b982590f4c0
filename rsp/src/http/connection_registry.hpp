#pragma once
// The server's live connections, so that stop() can reach each of them and wait for them to end.
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "rsp/refusals.hpp"

namespace rsp::http::detail {

class ConnectionBase : public std::enable_shared_from_this<ConnectionBase> {
 public:
  virtual ~ConnectionBase() = default;
  // Both post to the connection's strand, so any thread may call them.
  virtual void stop() = 0;         // close if idle, else close after the current request
  virtual void force_close() = 0;  // close now
};

class Registry {
 public:
  // A connection from `peer` (its address) may open, or which cap it would go over. An admitted
  // one holds its place until release(peer), which the connection calls when it ends.
  std::optional<Refusal> admit(const std::string& peer, size_t max_total, size_t max_per_peer) {
    std::lock_guard lock(mutex_);
    if (open_ >= max_total) return Refusal::connections;
    auto& from_peer = peers_[peer];
    if (from_peer >= max_per_peer) {
      if (from_peer == 0) peers_.erase(peer);
      return Refusal::peer_connections;
    }
    ++from_peer;
    peak_ = std::max(peak_, ++open_);
    return std::nullopt;
  }
  void release(const std::string& peer) {
    bool trim = false;
    {
      std::lock_guard lock(mutex_);
      --open_;
      if (auto it = peers_.find(peer); it != peers_.end() && --it->second == 0) peers_.erase(it);
      // Many connections gone (a flood's end): hand what they held back to the system. glibc keeps
      // freed memory for reuse, so a flood's peak would otherwise stay the process's size.
      if (peak_ >= kTrimAfter && open_ <= peak_ / 4) {
        trim = true;
        peak_ = open_;
      }
    }
#ifdef __GLIBC__
    if (trim) malloc_trim(0);
#endif
  }
  // Peer addresses with a connection open (each entry goes with its last connection).
  size_t peers() {
    std::lock_guard lock(mutex_);
    return peers_.size();
  }

  void add(const std::shared_ptr<ConnectionBase>& c) {
    std::lock_guard lock(mutex_);
    live_.emplace(c.get(), c);
  }
  void remove(ConnectionBase* c) {
    std::lock_guard lock(mutex_);
    live_.erase(c);
    if (live_.empty()) empty_.notify_all();
  }
  // From now on new connections close at once; those live are asked to stop.
  void begin_stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    for (auto& c : snapshot()) c->stop();
  }
  bool stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
  }
  size_t size() {
    std::lock_guard lock(mutex_);
    return live_.size();
  }
  void force_close_all() {
    for (auto& c : snapshot()) c->force_close();
  }
  bool wait_empty_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return empty_.wait_until(lock, deadline, [&] { return live_.empty(); });
  }

 private:
  std::mutex mutex_;
  std::condition_variable empty_;
  // Taken under the lock, used outside it: the last reference may go with the snapshot, and the
  // destructor then takes the lock itself.
  std::vector<std::shared_ptr<ConnectionBase>> snapshot() {
    std::vector<std::shared_ptr<ConnectionBase>> out;
    std::lock_guard lock(mutex_);
    for (auto& [raw, weak] : live_)
      if (auto c = weak.lock()) out.push_back(std::move(c));
    return out;
  }

  std::map<ConnectionBase*, std::weak_ptr<ConnectionBase>> live_;
  std::map<std::string, size_t> peers_;  // peer address -> connections admitted and not released
  size_t open_ = 0;
  size_t peak_ = 0;  // most open at once since memory was last trimmed
  static constexpr size_t kTrimAfter = 256;
  bool stopping_ = false;
};

}  // namespace rsp::http::detail
