#include "store/record_rows.hpp"

namespace smdp::sql {
namespace {

Value optional_text(const std::optional<std::string>& text) { return text ? Value(*text) : Value(); }
Value flag(bool on) { return int64_t{on ? 1 : 0}; }

// Reads a row's columns in order; a value of an unexpected type marks the row unreadable.
class Reader {
 public:
  explicit Reader(Row& row) : row_(row) {}
  std::string text() { return std::move(take<std::string>()); }
  std::optional<std::string> optional_text() {
    if (!std::holds_alternative<std::monostate>(row_.at(next_))) return text();
    ++next_;
    return std::nullopt;
  }
  Bytes bytes() { return std::move(take<Bytes>()); }
  std::optional<Bytes> optional_bytes() {
    if (!std::holds_alternative<std::monostate>(row_.at(next_))) return bytes();
    ++next_;
    return std::nullopt;
  }
  int64_t integer() { return take<int64_t>(); }
  bool flag() { return integer() != 0; }
  bool ok() const { return ok_; }

 private:
  template <class T>
  T& take() {
    Value& v = row_.at(next_++);
    if (!std::holds_alternative<T>(v)) {
      ok_ = false;
      v = T{};
    }
    return std::get<T>(v);
  }
  Row& row_;
  size_t next_ = 0;
  bool ok_ = true;
};

}  // namespace

std::vector<Value> values_of(const ProfileRecord& r) {
  return {r.iccid,
          r.operator_id,
          r.profile_type,
          std::string(to_string(r.state)),
          r.package,
          r.metadata,
          r.ppk_enc,
          r.ppk_mac,
          r.ppk_initial_mcv,
          optional_text(r.eid),
          optional_text(r.matching_id),
          r.confirmation_code_hash,
          int64_t{r.confirmation_attempts_left},
          flag(r.released),
          r.order_expires,
          optional_text(r.smds_address),
          optional_text(r.transaction_id)};
}

std::vector<Value> values_of(const SessionRecord& r) {
  return {r.transaction_id,
          std::string(to_string(r.state)),
          r.smdp_address,
          r.euicc_challenge,
          r.server_challenge,
          r.ci_pkid,
          r.euicc_ci_pkid,
          r.eid,
          r.iccid,
          flag(r.cc_required),
          r.euicc_certificate,
          r.smdp_signature2,
          r.euicc_otpk,
          r.bound_profile_package,
          r.created,
          r.expires};
}

// Reads a row's columns in order; a value of an unexpected type marks the row unreadable.
std::vector<Value> values_of(const NotificationRecord& r) {
  return {r.eid,           r.sequence_number,      r.event,   r.iccid, r.transaction_id,
          flag(r.success), r.pending_notification, r.received};
}

std::vector<Value> values_of(const CallbackRecord& r) {
  return {r.operator_id, r.url, r.body, int64_t{r.attempts}, r.next_attempt};
}

StoreError unreadable(std::string_view table) {
  return {StoreErrorKind::failed, "unreadable row in " + std::string(table)};
}

StoreResult<ProfileRecord> profile_of(Row& row) {
  Reader in(row);
  ProfileRecord r;
  r.iccid = in.text();
  r.operator_id = in.text();
  r.profile_type = in.text();
  auto state = profile_state_from(in.text());
  r.package = in.bytes();
  r.metadata = in.bytes();
  r.ppk_enc = in.bytes();
  r.ppk_mac = in.bytes();
  r.ppk_initial_mcv = in.bytes();
  r.eid = in.optional_text();
  r.matching_id = in.optional_text();
  r.confirmation_code_hash = in.bytes();
  r.confirmation_attempts_left = static_cast<int>(in.integer());
  r.released = in.flag();
  r.order_expires = in.integer();
  r.smds_address = in.optional_text();
  r.transaction_id = in.optional_text();
  r.version = in.integer();
  if (!in.ok() || !state) return rsp::Unexpected{unreadable("profiles")};
  r.state = *state;
  return r;
}

StoreResult<SessionRecord> session_of(Row& row) {
  Reader in(row);
  SessionRecord r;
  r.transaction_id = in.text();
  auto state = session_state_from(in.text());
  r.smdp_address = in.text();
  r.euicc_challenge = in.bytes();
  r.server_challenge = in.bytes();
  r.ci_pkid = in.bytes();
  r.euicc_ci_pkid = in.optional_bytes().value_or(r.ci_pkid);
  r.eid = in.text();
  r.iccid = in.text();
  r.cc_required = in.flag();
  r.euicc_certificate = in.bytes();
  r.smdp_signature2 = in.bytes();
  r.euicc_otpk = in.bytes();
  r.bound_profile_package = in.bytes();
  r.created = in.integer();
  r.expires = in.integer();
  r.version = in.integer();
  if (!in.ok() || !state) return rsp::Unexpected{unreadable("sessions")};
  r.state = *state;
  return r;
}

StoreResult<NotificationRecord> notification_of(Row& row) {
  Reader in(row);
  NotificationRecord r;
  r.eid = in.text();
  r.sequence_number = in.integer();
  r.event = in.text();
  r.iccid = in.text();
  r.transaction_id = in.text();
  r.success = in.flag();
  r.pending_notification = in.bytes();
  r.received = in.integer();
  if (!in.ok()) return rsp::Unexpected{unreadable("notifications")};
  return r;
}

StoreResult<CallbackRecord> callback_of(Row& row) {
  Reader in(row);
  CallbackRecord r;
  r.id = in.integer();
  r.operator_id = in.text();
  r.url = in.text();
  r.body = in.text();
  r.attempts = static_cast<int>(in.integer());
  r.next_attempt = in.integer();
  if (!in.ok()) return rsp::Unexpected{unreadable("callbacks")};
  return r;
}

}  // namespace smdp::sql
