// SGP.32 v1.2 ES10b.RetrieveNotificationsList (searchCriteria euiccPackageResults).
#include "ipa/sgp32_notifications.hpp"

#include <SGP32-RetrieveNotificationsListResponse.h>

#include "es10_call.hpp"
#include "ipa/esipa_messages.hpp"

namespace ipa::sgp32 {

Es10Expected<std::vector<StoredEuiccPackageResult>> retrieve_euicc_package_results(Es10Channel& channel) {
  constexpr std::string_view kFunction = "RetrieveNotificationsList";
  Bytes request = rsp::tlv::encode(0xBF2B, rsp::tlv::encode(0xA0, rsp::tlv::encode(0x82, {})));
  auto answer = detail::call(channel, kFunction, request, {&asn_DEF_SGP32_RetrieveNotificationsListResponse});
  if (!answer) return rsp::Unexpected{answer.error()};
  auto top = detail::outer(kFunction, *answer);
  if (!top) return rsp::Unexpected{top.error()};
  auto choice = rsp::tlv::read(top->value);
  if (!choice) return rsp::Unexpected{detail::malformed(kFunction, "an empty answer")};
  if (choice->tag == 0x81)
    return rsp::Unexpected{
        detail::result_error(kFunction, detail::integer(choice->value).value_or(127), {{127, "undefinedError"}})};
  std::vector<StoredEuiccPackageResult> out;
  if (choice->tag != 0xA2) return out;  // a card that ignores the criterion answers a notificationList
  auto items = detail::children(kFunction, choice->value);
  if (!items) return rsp::Unexpected{items.error()};
  for (const auto& item : *items) {
    Bytes tlv(item.whole.begin(), item.whole.end());
    out.push_back({esipa::euicc_package_result_seq_number(tlv), std::move(tlv)});
  }
  return out;
}

}  // namespace ipa::sgp32
