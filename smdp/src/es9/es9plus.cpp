// What the ES9+ functions share: the clock, the session lookup and the operator's progress report.
#include "smdp/es9plus.hpp"

#include <ctime>

#include "es9_status_codes.hpp"

namespace smdp {

Es9Plus::Es9Plus(Store& store, const DpIdentity& identity, Es9Settings settings)
    : store_(store), identity_(identity), settings_(std::move(settings)) {}

int64_t Es9Plus::now() const { return settings_.now ? settings_.now() : static_cast<int64_t>(time(nullptr)); }

// The session of `transaction_id` if it exists, has not expired and was not closed.
Es9Result<SessionRecord> Es9Plus::live_session(const std::string& transaction_id) {
  auto found = store_.session(transaction_id);
  if (!found) return rsp::Unexpected{es9_status::execution_error("session store: " + found.error().message)};
  if (!*found) return rsp::Unexpected{es9_status::unknown_transaction("unknown transactionId")};
  SessionRecord& session = **found;
  if (session.expires <= now()) return rsp::Unexpected{es9_status::unknown_transaction("transactionId expired")};
  if (session.state == SessionState::finished || session.state == SessionState::cancelled)
    return rsp::Unexpected{es9_status::unknown_transaction("transactionId already closed")};
  return std::move(session);
}

void Es9Plus::report(const ProfileRecord& profile, NotificationPoint point, const FunctionStatus& status, ByteView result) const {
  if (settings_.progress) settings_.progress(profile, point, status, result);
}

}  // namespace smdp
