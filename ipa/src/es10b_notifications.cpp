// SGP.22 v2.5 §5.7.9-§5.7.11 ES10b notifications, and §5.7.22 ES10b.GetRAT.
#include <GetRatResponse.h>
#include <ListNotificationResponse.h>
#include <NotificationSentResponse.h>
#include <RetrieveNotificationsListResponse.h>
#include <SGP32-RetrieveNotificationsListResponse.h>

#include "es10_call.hpp"
#include "ipa/es10b.hpp"
#include "rsp/iccid.hpp"

namespace ipa::es10b {
namespace {

using rsp::tlv::encode;

// NotificationEvent as a DER BIT STRING with one named bit.
Bytes event_bits(NotificationEvent event) {
  auto bit = static_cast<int>(event);
  return detail::named_bits({bit == 0, bit == 1, bit == 2, bit == 3});
}

// The one bit set in a NotificationEvent's contents (unused-bits octet first).
std::optional<NotificationEvent> event_of(ByteView bits) {
  if (bits.size() < 2) return std::nullopt;
  for (int bit = 0; bit < 4; ++bit)
    if (bits[1] & (0x80 >> bit)) return static_cast<NotificationEvent>(bit);
  return std::nullopt;
}

// NotificationMetadata (BF2F) contents.
NotificationMetadata metadata_of(ByteView contents) {
  NotificationMetadata m;
  if (auto seq = rsp::tlv::find(contents, 0x80)) m.seq_number = detail::integer(seq->value).value_or(-1);
  if (auto event = rsp::tlv::find(contents, 0x81)) m.event = event_of(event->value);
  if (auto address = rsp::tlv::find(contents, 0x0C)) m.address.assign(address->value.begin(), address->value.end());
  if (auto iccid = rsp::tlv::find(contents, 0x5A)) m.iccid = rsp::iccid::from_bytes(iccid->value).value_or("");
  return m;
}

// The metadata inside a PendingNotification: 30 { BF2F ... } or BF37 { BF27 { ... BF2F ... } }.
std::optional<NotificationMetadata> pending_metadata(const rsp::tlv::Tlv& notification) {
  std::optional<rsp::tlv::Tlv> metadata;
  if (notification.tag == 0x30) {
    metadata = rsp::tlv::find(notification.value, 0xBF2F);
  } else if (notification.tag == 0xBF37) {
    if (auto data = rsp::tlv::find(notification.value, 0xBF27)) metadata = rsp::tlv::find(data->value, 0xBF2F);
  }
  if (!metadata) return std::nullopt;
  return metadata_of(metadata->value);
}

}  // namespace

// SGP.22 v2.5 §5.7.9 ES10b.ListNotification
Es10Expected<std::vector<NotificationMetadata>> list_notification(Es10Channel& channel,
                                                                  std::optional<NotificationEvent> event) {
  constexpr std::string_view kFunction = "ListNotification";
  Bytes request = encode(0xBF28, event ? encode(0x81, event_bits(*event)) : Bytes{});
  auto answer = detail::call(channel, kFunction, request, {&asn_DEF_ListNotificationResponse});
  if (!answer) return rsp::Unexpected{answer.error()};
  auto items = detail::list_or_error(kFunction, *answer, {{127, "undefinedError"}});
  if (!items) return rsp::Unexpected{items.error()};
  std::vector<NotificationMetadata> out;
  for (const auto& item : *items) out.push_back(metadata_of(item.value));
  return out;
}

// SGP.22 v2.5 §5.7.10 ES10b.RetrieveNotificationsList
Es10Expected<std::vector<PendingNotification>> retrieve_notifications_list(Es10Channel& channel,
                                                                           const NotificationFilter& filter) {
  constexpr std::string_view kFunction = "RetrieveNotificationsList";
  Bytes criteria;
  if (filter.seq_number)
    criteria = encode(0xA0, encode(0x80, detail::integer_contents(*filter.seq_number)));
  else if (filter.event)
    criteria = encode(0xA0, encode(0x81, event_bits(*filter.event)));
  auto answer =
      detail::call(channel, kFunction, encode(0xBF2B, criteria),
                   {&asn_DEF_RetrieveNotificationsListResponse, &asn_DEF_SGP32_RetrieveNotificationsListResponse});
  if (!answer) return rsp::Unexpected{answer.error()};
  auto items = detail::list_or_error(kFunction, *answer, {{127, "undefinedError"}});
  if (!items) return rsp::Unexpected{items.error()};
  std::vector<PendingNotification> out;
  for (const auto& item : *items) {
    auto metadata = pending_metadata(item);
    if (!metadata) return rsp::Unexpected{detail::malformed(kFunction, "a notification without NotificationMetadata")};
    out.push_back(PendingNotification{std::move(*metadata), Bytes(item.whole.begin(), item.whole.end())});
  }
  return out;
}

// SGP.22 v2.5 §5.7.11 ES10b.RemoveNotificationFromList
Es10Status remove_notification_from_list(Es10Channel& channel, long seq_number) {
  return detail::result_function(
      channel, "RemoveNotificationFromList", encode(0xBF30, encode(0x80, detail::integer_contents(seq_number))),
      asn_DEF_NotificationSentResponse, 0x80, {{1, "nothingToDelete"}, {127, "undefinedError"}});
}

// SGP.22 v2.5 §5.7.22 ES10b.GetRAT
Es10Expected<Bytes> get_rat(Es10Channel& channel) {
  return detail::call(channel, "GetRAT", encode(0xBF43, {}), {&asn_DEF_GetRatResponse});
}

}  // namespace ipa::es10b
