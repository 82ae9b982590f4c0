// SGP.22 v2.5 §3.5 Notifications; §5.7.9 ES10b.ListNotification, §5.7.10 ES10b.RetrieveNotificationsList
// (with the SGP.32 v1.2 euiccPackageResults search criterion), §5.7.11 ES10b.RemoveNotificationFromList
// (which in SGP.32 also removes eUICC Package Results).
#include "es10b_notifications.hpp"

#include <ListNotificationRequest.h>
#include <NotificationSentRequest.h>
#include <SGP32-RetrieveNotificationsListRequest.h>

#include "notification_event.hpp"
#include "profile_operations.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/asn1/primitives.hpp"
#include "rsp/iccid.hpp"
#include "state_change.hpp"

namespace euicc {
namespace {

using rsp::apdu::sw::kIncorrectData;

// NotificationSentResponse deleteNotificationStatus; RetrieveNotificationsList and ListNotification
// define undefinedError (127) only, which nothing here produces.
namespace delete_notification_status {
constexpr long kOk = 0;
constexpr long kNothingToDelete = 1;
constexpr long kUndefinedError = 127;
}  // namespace delete_notification_status

// NotificationMetadata (BF2F) from its parts; the ICCID is left out when there is none.
Bytes metadata_tlv(uint32_t seq_number, NotificationEvent event, const std::string& address, const std::string& iccid) {
  Bytes iccid_tlv;
  if (auto bytes = rsp::iccid::to_bytes(iccid)) iccid_tlv = tlv(0x5A, *bytes);
  return tlv(0xBF2F, {tlv_integer(0x80, seq_number), tlv(0x81, events_bit_string(event)),
                      tlv(0x0C, rsp::to_bytes(address)), iccid_tlv});
}

// The NotificationMetadata a stored notification carries (inside the signed data, so the list shows
// exactly what was signed): 30 { BF2F ... } or BF37 { BF27 { .. BF2F .. } }. Rebuilt from the
// stored fields if the notification does not hold one.
Bytes listed_metadata(const PendingNotification& n) {
  if (auto outer = rsp::tlv::read(n.notification)) {
    std::optional<rsp::tlv::Tlv> metadata;
    if (outer->tag == 0x30) {
      metadata = rsp::tlv::find(outer->value, 0xBF2F);
    } else if (outer->tag == 0xBF37) {
      if (auto data = rsp::tlv::find(outer->value, 0xBF27)) metadata = rsp::tlv::find(data->value, 0xBF2F);
    }
    if (metadata) return Bytes(metadata->whole.begin(), metadata->whole.end());
  }
  return metadata_tlv(n.seq_number, n.event, n.address, n.iccid);
}

}  // namespace

Bytes notification_metadata(CardContext& card, NotificationEvent event, const std::string& address,
                            const std::string& iccid, uint32_t* seq_number_out) {
  uint32_t seq_number = card.state.next_seq_number++;
  if (seq_number_out) *seq_number_out = seq_number;
  return metadata_tlv(seq_number, event, address, iccid);
}

void queue_profile_notification(CardContext& card, NotificationEvent event, const Profile& profile) {
  if (card.credentials.empty()) return;  // a loaded card always has credentials; nothing to sign with otherwise
  // Signed with the chain the profile was downloaded under, so the SM-DP+ that knows that CI
  // can verify it; a profile from before that was recorded falls back to the first chain.
  const Credentials* credentials = card.credentials_for(profile.ci_ski);
  if (!credentials) credentials = &card.credentials.front();
  // One notification per configured receiver that asked for this event.
  for (const auto& target : profile.notification_configuration) {
    if (!wants(target.events, event)) continue;
    uint32_t seq_number = 0;
    Bytes metadata = notification_metadata(card, event, target.address, profile.iccid, &seq_number);
    // OtherSignedNotification: tbsOtherNotification, euiccNotificationSignature over DER(tbsOtherNotification),
    // euiccCertificate, eumCertificate.
    Bytes signature = card.sign(*credentials, metadata);
    Bytes notification =
        tlv(0x30, {metadata, tlv(0x5F37, signature), credentials->euicc.der(), credentials->eum.der()});
    card.state.notifications.push_back({seq_number, event, target.address, profile.iccid, std::move(notification)});
  }
}

// SGP.22 v2.5 §5.7.9 ES10b.ListNotification
Es10Result list_notification(CardContext& card, const Tlv& request) {
  auto decoded = rsp::asn1::decode_as<ListNotificationRequest_t>(asn_DEF_ListNotificationRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  uint8_t filter = 0xFF;  // no profileManagementOperation: every notification
  if ((*decoded)->profileManagementOperation) {
    auto events = events_from_bit_string(bit_string_contents(*(*decoded)->profileManagementOperation));
    if (!events) return rsp::Unexpected{kIncorrectData};
    filter = *events;
  }
  Bytes list;
  for (const auto& n : card.state.notifications)
    if (wants(filter, n.event)) {
      Bytes metadata = listed_metadata(n);
      list.insert(list.end(), metadata.begin(), metadata.end());
    }
  return tlv(0xBF28, tlv(0xA0, list));
}

// SGP.22 v2.5 §5.7.10 ES10b.RetrieveNotificationsList; SGP.32 v1.2 adds the euiccPackageResults criterion.
Es10Result retrieve_notifications_list(CardContext& card, const Tlv& request) {
  auto decoded = rsp::asn1::decode_as<SGP32_RetrieveNotificationsListRequest_t>(
      asn_DEF_SGP32_RetrieveNotificationsListRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  std::optional<long> seq_number;
  uint8_t filter = 0xFF;
  if (const auto* criteria = (*decoded)->searchCriteria) {
    switch (criteria->present) {
      case SGP32_RetrieveNotificationsListRequest__searchCriteria_PR_seqNumber: {
        seq_number = rsp::asn1::to_long(criteria->choice.seqNumber);
        if (!seq_number) return tlv(0xBF2B, tlv(0xA0, Bytes{}));  // beyond any sequence number the card issues
        break;
      }
      case SGP32_RetrieveNotificationsListRequest__searchCriteria_PR_profileManagementOperation: {
        auto events = events_from_bit_string(bit_string_contents(criteria->choice.profileManagementOperation));
        if (!events) return rsp::Unexpected{kIncorrectData};
        filter = *events;
        break;
      }
      case SGP32_RetrieveNotificationsListRequest__searchCriteria_PR_euiccPackageResults: {
        // SGP.32 v1.2: the signed eUICC Package Results not yet removed, oldest first.
        Bytes results;
        for (const auto& r : card.state.euicc_package_results)
          results.insert(results.end(), r.result.begin(), r.result.end());
        return tlv(0xBF2B, tlv(0xA2, results));
      }
      default: return rsp::Unexpected{kIncorrectData};
    }
  }
  // SGP.22 v2.5 names no error for "nothing matches" (noResultAvailable was dropped from the
  // module): an empty notificationList answers it.
  Bytes list;
  for (const auto& n : card.state.notifications) {
    if (seq_number && static_cast<long>(n.seq_number) != *seq_number) continue;
    if (!wants(filter, n.event)) continue;
    list.insert(list.end(), n.notification.begin(), n.notification.end());
  }
  return tlv(0xBF2B, tlv(0xA0, list));
}

// SGP.22 v2.5 §5.7.11 ES10b.RemoveNotificationFromList; in SGP.32 v1.2 it also removes an eUICC
// Package Result the eIM has acknowledged (results and notifications share one sequence counter).
Es10Result remove_notification_from_list(CardContext& card, const Tlv& request) {
  auto decoded = rsp::asn1::decode_as<NotificationSentRequest_t>(asn_DEF_NotificationSentRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  auto status = [](long code) { return tlv(0xBF30, tlv_integer(0x80, code)); };
  auto seq_number = rsp::asn1::to_long((*decoded)->seqNumber);
  if (!seq_number) return status(delete_notification_status::kNothingToDelete);
  auto remove_from = [&](auto& list) -> std::optional<long> {
    auto found = std::find_if(list.begin(), list.end(),
                              [&](const auto& n) { return static_cast<long>(n.seq_number) == *seq_number; });
    if (found == list.end()) return std::nullopt;
    auto index = found - list.begin();
    if (!commit_change(card, [&] { list.erase(list.begin() + index); }))
      return delete_notification_status::kUndefinedError;
    return delete_notification_status::kOk;
  };
  if (auto removed = remove_from(card.state.notifications)) return status(*removed);
  if (auto removed = remove_from(card.state.euicc_package_results)) return status(*removed);
  return status(delete_notification_status::kNothingToDelete);
}

}  // namespace euicc
