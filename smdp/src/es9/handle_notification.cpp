// SGP.22 v2.5 §5.6.4 ES9+.HandleNotification: a ProfileInstallationResult (BF37) completes the
// order; other notifications (enable, disable, delete: OtherSignedNotification) are verified,
// recorded and acknowledged. The device gets no answer either way (HTTP 204), so a refusal here is
// only logged and counted.
#include <PendingNotification.h>

#include "es9_message.hpp"
#include "es9_status_codes.hpp"
#include "rsp/crypto/certificate_cache.hpp"
#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/iccid.hpp"
#include "rsp/sql/group_commit.hpp"
#include "rsp/tlv.hpp"
#include "smdp/es9plus.hpp"

namespace smdp {

namespace {

using rsp::tlv::find;

// NotificationEvent (BIT STRING): the first operation named, by its SGP.22 name.
std::string event_name(ByteView bit_string) {
  static const char* names[] = {"install", "enable", "disable", "delete"};
  if (bit_string.size() < 2) return "unknown";
  for (int bit = 0; bit < 4; ++bit)
    if (bit_string[1] & (0x80 >> bit)) return names[bit];
  return "unknown";
}

int64_t sequence_number(ByteView integer) {
  int64_t n = 0;
  for (auto b : integer.first(std::min<size_t>(integer.size(), 8))) n = (n << 8) | b;
  return n;
}

// notificationMetadata (BF2F) fields shared by both kinds.
void read_metadata(ByteView metadata, NotificationRecord& record) {
  if (auto seq = find(metadata, 0x80)) record.sequence_number = sequence_number(seq->value);
  if (auto op = find(metadata, 0x81)) record.event = event_name(op->value);
  if (auto iccid = find(metadata, 0x5A)) record.iccid = rsp::iccid::from_bytes(iccid->value).value_or("");
}

}  // namespace

FunctionStatus Es9Plus::handle_notification(ByteView pending_notification) {
  const rsp::sql::DeferredSync one_sync;  // this call's commits share one sync, awaited before it answers
  if (auto malformed = es9_message::malformed(asn_DEF_PendingNotification, pending_notification, "pendingNotification"))
    return *malformed;
  return rsp::tlv::read(pending_notification)->tag == 0xBF37 ? handle_installation_result(pending_notification)
                                                             : handle_other_notification(pending_notification);
}

FunctionStatus Es9Plus::handle_installation_result(ByteView notification) {
  auto result = rsp::tlv::read(notification).value();  // DER-like: checked by handle_notification
  auto parts = es9_message::members(result.value, {0xBF27, 0x5F37}, "profileInstallationResult");
  if (!parts) return parts.error();
  const auto& data = (*parts)[0];
  const auto& signature = (*parts)[1];
  auto fields = es9_message::members(data.value, {0x80, 0xA2, 0xBF2F}, "profileInstallationResultData");
  if (!fields) return fields.error();
  auto outcome = rsp::tlv::read((*fields)[1].value);  // finalResult: its alternative
  if (!outcome) return es9_status::malformed("8.1", "finalResult is empty");
  const auto& metadata = (*fields)[2];
  std::string transaction_id = rsp::to_hex((*fields)[0].value);

  auto found = store_.session(transaction_id);
  if (!found) return es9_status::execution_error("session store: " + found.error().message);
  if (!*found) return es9_status::unknown_transaction("unknown transactionId");
  SessionRecord session = std::move(**found);
  if (session.state != SessionState::bpp_sent)
    return es9_status::unknown_transaction("no package was sent in this session");
  if (!settings_.fault("skip-signature-check") && !es9_message::signed_by_euicc(session, data.whole, signature.value))
    return es9_status::euicc_signature_invalid("the ProfileInstallationResult signature does not verify");

  bool success = outcome->tag == 0xA0;
  NotificationRecord record;
  record.eid = session.eid;
  record.transaction_id = transaction_id;
  record.success = success;
  record.pending_notification.assign(notification.begin(), notification.end());
  record.received = now();
  read_metadata(metadata.value, record);
  record.iccid = session.iccid;  // the session's profile, whatever the metadata says
  if (auto added = store_.add_notification(record); !added)
    return es9_status::execution_error("notification store: " + added.error().message);

  for (int attempt = 0; attempt < 4; ++attempt) {
    auto lookup = store_.profile(session.iccid);
    if (!lookup) return es9_status::execution_error("profile store: " + lookup.error().message);
    if (!*lookup) break;
    ProfileRecord profile = std::move(**lookup);
    // The order's session; or an earlier session of the same eUICC whose result comes late (an LPA
    // that sends notifications later, after the order was downloaded again): its verified success
    // still completes the order, while a late failure does not undo what a newer session did.
    bool current = profile.transaction_id == transaction_id;
    bool late_success = success && profile.state == ProfileState::downloaded && profile.eid == session.eid;
    if (!current && !late_success) break;  // the order moved on
    // A failed installation keeps the order with this eUICC, which may download again.
    if (success) {
      profile.state = ProfileState::installed;
      profile.transaction_id = transaction_id;
    }
    auto updated = store_.update_profile(profile);
    if (!updated) return es9_status::execution_error("profile store: " + updated.error().message);
    if (!*updated) continue;
    // Installed: the package (Ki, OPc) and its protection keys are on the eUICC and are not kept
    // here. Should this fail, the profile stays installed with them, as before.
    if (success)
      if (auto erased = store_.erase_installed_profile_secrets(profile.iccid); !erased)
        return es9_status::execution_error("profile store: " + erased.error().message);
    FunctionStatus status = success
                                ? FunctionStatus::success()
                                : FunctionStatus::failure("8.2", "4.2", "the eUICC reports the installation failed");
    report(profile, NotificationPoint::bpp_installation, status, notification);
    break;
  }
  session.state = SessionState::finished;
  session.bound_profile_package.clear();
  if (auto saved = store_.update_session(session); !saved)
    return es9_status::execution_error("session store: " + saved.error().message);
  return success ? FunctionStatus::success()
                 : FunctionStatus::failure("8.2", "4.2", "installation failed on the eUICC");
}

// OtherSignedNotification: 30 { BF2F tbsOtherNotification, 5F37 euiccNotificationSignature,
// euiccCertificate, eumCertificate } — verified against the chain it carries.
FunctionStatus Es9Plus::handle_other_notification(ByteView notification) {
  auto parts =
      rsp::tlv::read_all(rsp::tlv::read(notification)->value).value();  // DER-like: checked by handle_notification
  if (parts.size() < 4) return es9_status::malformed("8.1", "otherSignedNotification is not DER");
  auto euicc = rsp::crypto::certificate_from_der(parts[2].whole);
  auto eum = rsp::crypto::certificate_from_der(parts[3].whole);
  if (!euicc || !eum) return es9_status::euicc_certificate_invalid("notification certificates do not parse as DER");
  if (auto chain = rsp::crypto::verify_chain(*euicc, rsp::crypto::Role::euicc, {*eum}, identity_.cis, now()); !chain)
    return es9_status::euicc_certificate_invalid(chain.error().message);
  auto key = euicc->public_key();
  if (!key || !rsp::crypto::verify(*key, parts[0].whole, parts[1].value))
    return es9_status::euicc_signature_invalid("the notification signature does not verify");

  NotificationRecord record;
  record.eid = euicc->subject_serial_number().value_or("");
  record.pending_notification.assign(notification.begin(), notification.end());
  record.received = now();
  read_metadata(parts[0].value, record);
  auto added = store_.add_notification(record);
  if (!added) return es9_status::execution_error("notification store: " + added.error().message);
  if (*added && record.event == "delete") {
    if (auto profile = store_.profile(record.iccid); profile && *profile && (*profile)->eid == record.eid)
      report(**profile, NotificationPoint::profile_deleted, FunctionStatus::success(), notification);
  }
  return FunctionStatus::success();
}

}  // namespace smdp
