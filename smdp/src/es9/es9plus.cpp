// What the ES9+ functions share: the clock, the session lookup, the transactionIds issued without
// a stored session, and the operator's progress report.
#include "smdp/es9plus.hpp"

#include <algorithm>
#include <ctime>

#include "es9_status_codes.hpp"
#include "transaction_id.hpp"

namespace smdp {

namespace {

// The name of the secret transactionIds are made with, in Store::shared_secret.
constexpr std::string_view kTransactionIdSecret = "es9-transaction-id";

// A transactionId names each CI of its session by the first two bytes of its SubjectKeyIdentifier.
std::vector<Bytes> server_cis(const DpIdentity& identity) {
  std::vector<Bytes> skis;
  for (const auto& c : identity.credentials) skis.push_back(c.ci_ski);
  return skis;
}
std::vector<Bytes> euicc_cis(const DpIdentity& identity) {
  std::vector<Bytes> skis;
  for (const auto& ci : identity.cis.all())
    if (auto ski = ci.subject_key_id()) skis.push_back(std::move(*ski));
  return skis;
}
// The one CI of `cis` with that prefix; nothing when none has it, or (one chance in 65,536 for two
// CIs) several.
std::optional<Bytes> ci_named(const std::vector<Bytes>& cis, const IssuedTransaction::CiPrefix& prefix) {
  std::optional<Bytes> found;
  for (const Bytes& ski : cis) {
    if (ski.size() < prefix.size() || !std::equal(prefix.begin(), prefix.end(), ski.begin())) continue;
    if (found && *found != ski) return std::nullopt;
    found = ski;
  }
  return found;
}
std::optional<IssuedTransaction::CiPrefix> prefix_of(const std::vector<Bytes>& cis, ByteView ski) {
  IssuedTransaction::CiPrefix prefix{};
  if (ski.size() < prefix.size()) return std::nullopt;
  std::copy_n(ski.begin(), prefix.size(), prefix.begin());
  auto named = ci_named(cis, prefix);
  if (!named || !std::ranges::equal(*named, ski)) return std::nullopt;
  return prefix;
}

}  // namespace

Es9Plus::Es9Plus(Store& store, const DpIdentity& identity, Es9Settings settings)
    : store_(store), identity_(identity), settings_(std::move(settings)) {}

Es9Plus::~Es9Plus() = default;

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

// The store's secret, read (or stored, by the first instance) once.
Es9Result<const TransactionIds*> Es9Plus::transaction_ids() {
  std::lock_guard lock(transaction_ids_mutex_);
  if (!transaction_ids_) {
    Bytes candidate = rsp::random_bytes(32);
    auto secret = store_.shared_secret(kTransactionIdSecret, candidate);
    rsp::wipe(candidate);
    if (!secret) return rsp::Unexpected{es9_status::execution_error("session store: " + secret.error().message)};
    if (secret->size() < 32)
      return rsp::Unexpected{es9_status::execution_error("the stored transactionId secret is too short")};
    transaction_ids_ = std::make_unique<TransactionIds>(*secret);
    rsp::wipe(*secret);
  }
  return transaction_ids_.get();
}

Es9Result<std::pair<Bytes, Bytes>> Es9Plus::issue_transaction(ByteView server_ci, ByteView euicc_ci) {
  auto ids = transaction_ids();
  if (!ids) return rsp::Unexpected{ids.error()};
  IssuedTransaction what;
  what.expires = now() + settings_.session_lifetime;
  auto server = prefix_of(server_cis(identity_), server_ci);
  auto euicc = prefix_of(euicc_cis(identity_), euicc_ci);
  if (!server || !euicc || what.expires <= 0 || what.expires > int64_t{0xFFFFFFFF})
    return rsp::Unexpected{es9_status::execution_error("no transactionId can name this session's CIs and expiry")};
  what.server_ci = *server;
  what.euicc_ci = *euicc;
  Bytes transaction_id = (*ids)->issue(what);
  Bytes challenge = (*ids)->server_challenge(transaction_id);
  return std::pair{std::move(transaction_id), std::move(challenge)};
}

Es9Result<std::optional<SessionRecord>> Es9Plus::issued_session(const std::string& transaction_id) {
  auto bytes = rsp::from_hex(transaction_id);
  if (!bytes) return std::optional<SessionRecord>();
  auto ids = transaction_ids();
  if (!ids) return rsp::Unexpected{ids.error()};
  auto issued = (*ids)->open(*bytes);
  if (!issued) return std::optional<SessionRecord>();
  if (issued->expires <= now()) return rsp::Unexpected{es9_status::unknown_transaction("transactionId expired")};
  auto server = ci_named(server_cis(identity_), issued->server_ci);
  auto euicc = ci_named(euicc_cis(identity_), issued->euicc_ci);
  if (!server || !euicc)
    return rsp::Unexpected{es9_status::unknown_transaction("transactionId names a CI this SM-DP+ no longer has")};
  SessionRecord session;
  session.transaction_id = rsp::to_hex(*bytes);
  session.smdp_address = settings_.smdp_address;
  session.server_challenge = (*ids)->server_challenge(*bytes);
  session.ci_pkid = std::move(*server);
  session.euicc_ci_pkid = std::move(*euicc);
  session.created = now();
  session.expires = issued->expires;
  return std::optional(std::move(session));
}

Es9Result<SessionRecord> Es9Plus::session_to_authenticate(const std::string& transaction_id) {
  auto issued = issued_session(transaction_id);
  if (!issued) return rsp::Unexpected{issued.error()};
  if (*issued) return std::move(**issued);
  auto stored = live_session(transaction_id);
  if (!stored) return rsp::Unexpected{stored.error()};
  if (stored->state != SessionState::initiated)
    return rsp::Unexpected{es9_status::unknown_transaction("the session is past authentication")};
  return stored;
}

void Es9Plus::report(const ProfileRecord& profile, NotificationPoint point, const FunctionStatus& status,
                     ByteView result) const {
  if (settings_.progress) settings_.progress(profile, point, status, result);
}

}  // namespace smdp
