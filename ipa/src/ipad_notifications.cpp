// SGP.22 v2.5 §5.6.4 ES9+.HandleNotification and §5.7.11 ES10b.RemoveNotificationFromList for one
// pending notification (ipad.hpp): the IPAd's round and `ipa notification process` deliver alike.
#include "ipa/ipad.hpp"

namespace ipa {

const char* notification_operation_name(const std::optional<es10b::NotificationEvent>& event) {
  if (!event) return "unknown";
  switch (*event) {
    case es10b::NotificationEvent::install: return "install";
    case es10b::NotificationEvent::enable: return "enable";
    case es10b::NotificationEvent::disable: return "disable";
    case es10b::NotificationEvent::remove: return "delete";
  }
  return "unknown";
}

NotificationDelivery deliver_notification(Es10Channel& channel, const es10b::PendingNotification& notification,
                                          const Es9ClientOptions& es9) {
  NotificationDelivery d;
  auto client = Es9PlusClient::create(notification.metadata.address, es9);
  if (!client) {
    d.error = client.error().message;
    return d;
  }
  auto sent = client->handle_notification(notification.tlv);
  d.es9 = client->traffic();
  if (!sent) {
    d.error = sent.error().describe();
    return d;
  }
  d.sent = true;
  // Removed only now: a notification the receiver never took stays on the card for the next try.
  auto removed = es10b::remove_notification_from_list(channel, notification.metadata.seq_number);
  if (!removed) {
    d.card_error = removed.error();
    d.error = "sent, but not removed from the eUICC: " + removed.error().message;
    return d;
  }
  d.removed = true;
  return d;
}

}  // namespace ipa
