// SGP.32 v1.2 IpaEuiccDataRequest / IpaEuiccDataResponse: the IPA collects what the eIM asks for
// (FACTS §5.1) with ES10 calls; tags it cannot serve make the whole answer incorrectTagList.
#include <algorithm>
#include <array>
#include <cstdio>

#include "es10_call.hpp"
#include "ipa/es10a.hpp"
#include "ipa/es10b.hpp"
#include "ipa/sgp32_notifications.hpp"
#include "ipad_steps.hpp"
#include "rsp/der_integer.hpp"
#include "rsp/tlv.hpp"

namespace ipa::detail {
namespace {

using rsp::tlv::encode;

// The IpaEuiccData members served, in the schema's order.
constexpr std::array<uint32_t, 12> kServed = {0xA0, 0x81, 0xA2, 0xBF20, 0xBF22, 0x83,
                                              0x84, 0xA5, 0xA6, 0x87,   0xA8,   0xA9};
// IpaEuiccDataErrorCode values.
namespace ipa_euicc_data_error {
constexpr long kIncorrectTagList = 1;
constexpr long kEuiccCiPKIdNotFound = 5;
constexpr long kUndefinedError = 127;
}  // namespace ipa_euicc_data_error

// A Certificate (30 ...) implicitly re-tagged as the member `tag`.
Bytes retagged(uint32_t tag, const Bytes& certificate) {
  auto t = rsp::tlv::read(certificate);
  return t ? encode(tag, t->value) : Bytes{};
}

// IpaCapabilities: ipaFeatures directRspServerCommunication (this IPA downloads from the SM-DP+
// itself), ipaSupportedProtocols ipaRetrieveHttps (it polls over HTTPS).
Bytes ipa_capabilities() {
  return encode(0xA8,
                rsp::concat({encode(0x80, detail::named_bits({true})), encode(0x81, detail::named_bits({true}))}));
}

// DeviceInfo as ctxParams1 carries it: tac, deviceCapabilities, imei.
Bytes device_info(const DeviceInfo& device) {
  return encode(0xA9, rsp::concat({encode(0x80, device.tac), encode(0xA1, device.device_capabilities),
                                   device.imei ? encode(0x82, *device.imei) : Bytes{}}));
}

struct Collector {
  Es10Channel& channel;
  const esipa::IpaEuiccDataRequest& request;
  const sgp32::EimConfiguration& eim;
  const DeviceInfo& device;
  std::optional<sgp32::Certs> certs;
  std::optional<es10a::EuiccConfiguredAddresses> addresses;
  long error_code = ipa_euicc_data_error::kUndefinedError;
  std::string problem;

  rsp::Expected<Bytes> fail(std::string why, long code = ipa_euicc_data_error::kUndefinedError) {
    error_code = code;
    problem = why;
    return rsp::fail(std::move(why));
  }
  rsp::Expected<Bytes> certificate(uint32_t tag) {
    if (!certs) {
      auto read = sgp32::get_certs(channel, request.euicc_ci_pkid);
      if (!read)
        return fail(read.error().message, read.error().kind == Es10Error::Kind::result
                                              ? ipa_euicc_data_error::kEuiccCiPKIdNotFound
                                              : ipa_euicc_data_error::kUndefinedError);
      certs = std::move(*read);
    }
    return retagged(tag, tag == 0xA5 ? certs->eum_certificate : certs->euicc_certificate);
  }
  rsp::Expected<Bytes> address(uint32_t tag) {
    if (!addresses) {
      auto read = es10a::get_euicc_configured_addresses(channel);
      if (!read) return fail(read.error().message);
      addresses = std::move(*read);
    }
    if (tag == 0x83)
      return addresses->root_ds_address.empty() ? Bytes{} : encode(0x83, rsp::to_bytes(addresses->root_ds_address));
    return addresses->default_dp_address ? encode(0x81, rsp::to_bytes(*addresses->default_dp_address)) : Bytes{};
  }
  rsp::Expected<Bytes> notifications() {
    es10b::NotificationFilter filter;
    filter.seq_number = request.notification_seq_number;
    if (request.notification_event) filter.event = static_cast<es10b::NotificationEvent>(*request.notification_event);
    auto list = es10b::retrieve_notifications_list(channel, filter);
    if (!list) return fail(list.error().message);
    Bytes all;
    for (const auto& n : *list) all.insert(all.end(), n.tlv.begin(), n.tlv.end());
    return encode(0xA0, all);
  }
  rsp::Expected<Bytes> euicc_package_results() {
    auto list = sgp32::retrieve_euicc_package_results(channel);
    if (!list) return fail(list.error().message);
    Bytes all;
    for (const auto& r : *list)
      if (!request.euicc_package_result_seq_number || r.seq_number == request.euicc_package_result_seq_number)
        all.insert(all.end(), r.tlv.begin(), r.tlv.end());
    return encode(0xA2, all);
  }
  rsp::Expected<Bytes> member(uint32_t tag) {
    switch (tag) {
      case 0xA0: return notifications();
      case 0x81:
      case 0x83: return address(tag);
      case 0xA2: return euicc_package_results();
      case 0xBF20:
      case 0xBF22: {
        auto info = tag == 0xBF20 ? es10b::get_euicc_info1(channel) : es10b::get_euicc_info2(channel);
        if (!info) return fail(info.error().message);
        return *info;
      }
      case 0x84: return eim.association_token ? rsp::der::integer(0x84, *eim.association_token) : Bytes{};
      case 0xA5:
      case 0xA6: return certificate(tag);
      case 0x87: return request.eim_transaction_id ? encode(0x87, *request.eim_transaction_id) : Bytes{};
      case 0xA8: return ipa_capabilities();
      case 0xA9: return device_info(device);
    }
    return Bytes{};
  }
};

}  // namespace

IpaEuiccDataOutcome answer_ipa_euicc_data_request(Es10Channel& channel, const esipa::IpaEuiccDataRequest& request,
                                                  const sgp32::EimConfiguration& eim, const DeviceInfo& device) {
  for (uint32_t tag : request.tags)
    if (std::find(kServed.begin(), kServed.end(), tag) == kServed.end()) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "%X", tag);
      return {esipa::ipa_euicc_data_error(request.eim_transaction_id, ipa_euicc_data_error::kIncorrectTagList),
              std::string("incorrectTagList: tag ") + hex + " is not served"};
    }
  Collector collector{channel, request, eim, device, {}, {}, ipa_euicc_data_error::kUndefinedError, {}};
  Bytes members;
  for (uint32_t tag : kServed) {
    bool wanted = std::find(request.tags.begin(), request.tags.end(), tag) != request.tags.end();
    // The transaction id is echoed whenever the request carried one.
    if (!wanted && !(tag == 0x87 && request.eim_transaction_id)) continue;
    auto m = collector.member(tag);
    if (!m) return {esipa::ipa_euicc_data_error(request.eim_transaction_id, collector.error_code), collector.problem};
    members.insert(members.end(), m->begin(), m->end());
  }
  auto response = esipa::ipa_euicc_data_response(members);
  if (!response)
    return {esipa::ipa_euicc_data_error(request.eim_transaction_id, ipa_euicc_data_error::kUndefinedError),
            response.error().message};
  return {std::move(*response), {}};
}

}  // namespace ipa::detail
