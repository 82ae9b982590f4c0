#pragma once
// Notifications (SGP.22 v2.5 §3.5, §5.7.9-5.7.11): the card keeps a signed notification for each
// installation, enable, disable and delete its profile's metadata asks for, until the LPA/IPA
// has delivered it and removes it.
#include "es10_function.hpp"

namespace euicc {

Es10Result list_notification(CardContext& card, const Tlv& request);              // §5.7.9 (BF28)
Es10Result retrieve_notifications_list(CardContext& card, const Tlv& request);    // §5.7.10 (BF2B)
Es10Result remove_notification_from_list(CardContext& card, const Tlv& request);  // §5.7.11 (BF30)

// Queues a signed OtherSignedNotification for `event` on `profile` when its notification
// configuration asks for one (install results are queued by the download itself). The caller
// commits the state.
void queue_profile_notification(CardContext& card, NotificationEvent event, const Profile& profile);

// NotificationMetadata (BF2F) for a new notification; takes the next sequence number.
Bytes notification_metadata(CardContext& card, NotificationEvent event, const std::string& address,
                            const std::string& iccid, uint32_t* seq_number_out);

}  // namespace euicc
