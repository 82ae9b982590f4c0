#pragma once
// The indirect profile download (SGP.32 v1.2: ESipa.InitiateAuthentication ...
// ESipa.CancelSession, HandleNotification of a profile notification): the eIM relays the IPA's ES9+
// steps to the SM-DP+ over ES9+'s JSON binding, TLS checked against the PKI's CIs
// (EsipaSettings::cis), and maps the SM-DP+'s status codes onto the ESipa error values.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

namespace eim {

// Which SM-DP+ each relayed session (by the SM-DP+'s transactionId) belongs to.
class RelaySessions;
std::shared_ptr<RelaySessions> new_relay_sessions(size_t max_sessions);

struct IndirectDownloadSettings {
  bool enabled = true;  // false: each function answers undefinedError(127)
  // Lab set-ups: the port every SM-DP+ listens on when not 443. The address the eUICC and the
  // SM-DP+ see stays the one in the request.
  std::optional<uint16_t> smdp_port;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds total_timeout{30'000};
  size_t response_limit = 1024 * 1024;  // a Bound Profile Package is ~100 KB in base64
  std::chrono::seconds session_lifetime{600};
  // In this instance's memory: several eIM instances behind one name need the IPA to reach the
  // same instance for one download (or a shared store, which this is not yet).
  std::shared_ptr<RelaySessions> sessions = new_relay_sessions(1024);
};

}  // namespace eim
