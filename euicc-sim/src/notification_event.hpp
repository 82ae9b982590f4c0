#pragma once
// NotificationEvent (SGP.22 v2.5 §2.4a, RSPDefinitions): the BIT STRING naming profile management
// operations (notificationInstall 0, notificationEnable 1, notificationDisable 2, notificationDelete 3),
// and the mask form the card keeps in NotificationTarget::events, where bit n of the mask
// (1 << n) stands for NotificationEvent n. The download reads profileManagementOperation of each
// NotificationConfigurationInformation with events_from_bit_string(); ES10 responses write it back
// with events_bit_string().
#include <optional>

#include "es10_function.hpp"

namespace euicc {

inline uint8_t event_mask(NotificationEvent event) { return static_cast<uint8_t>(1u << static_cast<unsigned>(event)); }
inline bool wants(uint8_t events, NotificationEvent event) { return (events & event_mask(event)) != 0; }

// DER BIT STRING contents (unused-bits octet first) with the bits of `events` set; trailing zero
// bits are left out, as DER requires for a BIT STRING with named bits.
inline Bytes events_bit_string(uint8_t events) {
  int highest = -1;
  for (int bit = 0; bit < 8; ++bit)
    if (events & (1u << bit)) highest = bit;
  if (highest < 0) return {0x00};
  uint8_t value = 0;
  for (int bit = 0; bit <= highest; ++bit)
    if (events & (1u << bit)) value |= static_cast<uint8_t>(0x80 >> bit);
  return {static_cast<uint8_t>(7 - highest), value};
}
inline Bytes events_bit_string(NotificationEvent event) { return events_bit_string(event_mask(event)); }

// The events named by BIT STRING contents (unused-bits octet first); bits beyond notificationDelete
// are ignored (the type is extensible). nullopt when the contents are not a valid BIT STRING.
inline std::optional<uint8_t> events_from_bit_string(ByteView contents) {
  if (contents.empty() || contents[0] > 7 || (contents.size() == 1 && contents[0] != 0)) return std::nullopt;
  uint8_t events = 0;
  size_t bits = (contents.size() - 1) * 8 - contents[0];
  for (size_t bit = 0; bit < bits && bit <= static_cast<size_t>(NotificationEvent::delete_); ++bit)
    if (contents[1 + bit / 8] & (0x80 >> (bit % 8))) events |= static_cast<uint8_t>(1u << bit);
  return events;
}

}  // namespace euicc
