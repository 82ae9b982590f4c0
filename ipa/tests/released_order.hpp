#pragma once
// A released download order on a fresh test profile, as an SM-DP+'s store holds it after ES2+
// ConfirmOrder: what the IPA's tests write straight into the store (in-process or `smdp serve`'s).
#include <ctime>

#include "rsp/profile_maker.hpp"
#include "smdp/store.hpp"

namespace ipa::test {

inline smdp::ProfileRecord released_order(const std::string& iccid, const std::string& matching_id,
                                          const std::string& notification_address) {
  rsp::ProfileSpec spec;
  spec.iccid = iccid;
  spec.imsi = "001010000000" + iccid.substr(iccid.size() - 3);
  spec.ki = rsp::Bytes(16, 0x5A);
  spec.opc = rsp::Bytes(16, 0xA5);
  spec.service_provider_name = "IPA test";
  spec.notification_address = notification_address;
  smdp::ProfileRecord p;
  p.iccid = iccid;
  p.operator_id = "operator-a";
  p.profile_type = "ipa-test";
  p.state = smdp::ProfileState::released;
  p.package = rsp::make_profile_package(spec).value();
  p.metadata = rsp::make_store_metadata(spec).value();
  p.matching_id = matching_id;
  p.released = true;
  p.order_expires = time(nullptr) + 3600;
  return p;
}

}  // namespace ipa::test
