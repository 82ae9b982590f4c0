// The indirect profile download's relay sessions: which SM-DP+ a transactionId belongs to, so
// AuthenticateClient, GetBoundProfilePackage and CancelSession reach the SM-DP+ that
// InitiateAuthentication chose. Bounded in count and lifetime; in this process's memory only.
#include <algorithm>

#include "esipa/indirect_download.hpp"

namespace eim {

std::shared_ptr<RelaySessions> new_relay_sessions(size_t max_sessions) {
  return std::make_shared<RelaySessions>(std::max<size_t>(1, max_sessions));
}

void RelaySessions::open(const std::string& transaction_id, Session s) {
  std::lock_guard lock(mutex_);
  while (sessions_.size() >= max_ && !sessions_.contains(transaction_id)) {
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
      return a.second.created_at < b.second.created_at;
    });
    sessions_.erase(oldest);
  }
  sessions_[transaction_id] = std::move(s);
}

std::optional<RelaySessions::Session> RelaySessions::find(const std::string& transaction_id, int64_t now,
                                                          int64_t lifetime) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(transaction_id);
  if (it == sessions_.end()) return std::nullopt;
  if (now - it->second.created_at > lifetime) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void RelaySessions::set_eid(const std::string& transaction_id, const std::string& eid) {
  std::lock_guard lock(mutex_);
  if (auto it = sessions_.find(transaction_id); it != sessions_.end()) it->second.eid = eid;
}

void RelaySessions::set_download_data(const std::string& transaction_id, const rsp::Bytes& dp_pb_oid,
                                      const rsp::Bytes& iccid) {
  std::lock_guard lock(mutex_);
  if (auto it = sessions_.find(transaction_id); it != sessions_.end()) {
    it->second.dp_pb_oid = dp_pb_oid;
    it->second.iccid = iccid;
  }
}

void RelaySessions::close(const std::string& transaction_id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(transaction_id);
}

size_t RelaySessions::size() {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace eim
