// SGP.32 v1.2 §6.3 ESipa messages of the IPA (FACTS §5.1), checked against the schema both ways.
#include "ipa/esipa_messages.hpp"

#include <EsipaMessageFromEimToIpa.h>
#include <EsipaMessageFromIpaToEim.h>

#include <map>

#include "es10_call.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/der_integer.hpp"
#include "rsp/tlv.hpp"

namespace ipa::esipa {
namespace {

using rsp::tlv::encode;
using rsp::tlv::Tlv;

// A message the IPA is about to send, as the schema reads it.
rsp::Expected<Bytes> checked_request(Bytes der, std::string_view what) {
  if (auto decoded = rsp::asn1::decode(asn_DEF_EsipaMessageFromIpaToEim, der); !decoded)
    return rsp::fail(std::string(what) + " does not match the SGP.32 schema: " + decoded.error().message());
  return der;
}

// An eIM answer: schema-valid, DER-like (so TLV reading is safe), with the expected outer tag;
// the CHOICE alternative inside it.
rsp::Expected<Tlv> checked_answer(ByteView der, rsp::tlv::Tag tag, std::string_view function) {
  std::string prefix = "the eIM's " + std::string(function) + " answer ";
  if (der.empty()) return rsp::fail(prefix + "is empty");
  if (auto decoded = rsp::asn1::decode(asn_DEF_EsipaMessageFromEimToIpa, der); !decoded)
    return rsp::fail(prefix + "does not match the SGP.32 schema: " + decoded.error().message());
  if (auto why = rsp::tlv::not_der_like(der)) return rsp::fail(prefix + "is not DER: " + *why);
  auto outer = rsp::tlv::read(der);
  if (!outer || outer->tag != tag) return rsp::fail(prefix + "is another message");
  auto choice = rsp::tlv::read(outer->value);
  if (!choice) return rsp::fail(prefix + "is empty");
  return *choice;
}

std::optional<Bytes> bytes_of(ByteView contents, rsp::tlv::Tag tag) {
  auto t = rsp::tlv::find(contents, tag);
  if (!t) return std::nullopt;
  return Bytes(t->value.begin(), t->value.end());
}

std::string name_or_number(const std::map<long, const char*>& names, long code) {
  auto found = names.find(code);
  return found != names.end() ? found->second : std::to_string(code);
}

// The tags of a tagList, each as its encoded bytes read big-endian.
std::optional<std::vector<uint32_t>> tags_of(ByteView list) {
  std::vector<uint32_t> tags;
  for (size_t i = 0; i < list.size();) {
    uint32_t tag = list[i++];
    if ((tag & 0x1F) == 0x1F) {
      do {
        if (i >= list.size() || tag > 0xFFFFFF) return std::nullopt;
        tag = (tag << 8) | list[i];
      } while (list[i++] & 0x80);
    }
    tags.push_back(tag);
  }
  return tags;
}

Bytes optional_tlv(rsp::tlv::Tag tag, const std::optional<Bytes>& value) {
  return value ? encode(tag, *value) : Bytes{};
}

}  // namespace

// SGP.32 v1.2 §6.3.2.1 ESipa.GetEimPackage
rsp::Expected<Bytes> get_eim_package_request(ByteView eid, std::optional<long> state_change_cause) {
  Bytes state =
      state_change_cause ? rsp::concat({encode(0x80, {}), rsp::der::integer(0x81, *state_change_cause)}) : Bytes{};
  return checked_request(encode(0xBF4F, rsp::concat({encode(0x5A, eid), state})), "GetEimPackageRequest");
}

rsp::Expected<EimPackage> read_get_eim_package_response(ByteView der) {
  auto choice = checked_answer(der, 0xBF4F, "GetEimPackage");
  if (!choice) return rsp::Unexpected{choice.error()};
  EimPackage p;
  p.tlv.assign(choice->whole.begin(), choice->whole.end());
  switch (choice->tag) {
    case 0xBF51: p.kind = EimPackage::Kind::euicc_package_request; break;
    case 0xBF52: p.kind = EimPackage::Kind::ipa_euicc_data_request; break;
    case 0xBF54: p.kind = EimPackage::Kind::profile_download_trigger_request; break;
    default:
      p.kind = EimPackage::Kind::eim_package_error;
      p.eim_package_error = detail::integer(choice->value).value_or(127);
  }
  return p;
}

const char* eim_package_kind_name(EimPackage::Kind kind) {
  switch (kind) {
    case EimPackage::Kind::euicc_package_request: return "euiccPackageRequest";
    case EimPackage::Kind::ipa_euicc_data_request: return "ipaEuiccDataRequest";
    case EimPackage::Kind::profile_download_trigger_request: return "profileDownloadTriggerRequest";
    case EimPackage::Kind::eim_package_error: return "eimPackageError";
  }
  return "?";
}

std::string eim_package_error_name(long code) {
  return name_or_number(
      {{1, "noEimPackageAvailable"}, {2, "eidNotFound"}, {3, "invalidEid"}, {4, "missingEid"}, {127, "undefinedError"}},
      code);
}

// SGP.32 v1.2 §6.3.2.2 ESipa.ProvideEimPackageResult
rsp::Expected<Bytes> provide_eim_package_result(ByteView eid, ByteView eim_package_result) {
  return checked_request(encode(0xBF50, rsp::concat({encode(0x5A, eid), eim_package_result})),
                         "ProvideEimPackageResult");
}

Bytes eim_package_result_error(const std::optional<Bytes>& eim_transaction_id, long code) {
  return encode(0xA0, rsp::concat({optional_tlv(0x80, eim_transaction_id), rsp::der::integer(0x02, code)}));
}

rsp::Expected<ProvideEimPackageResultAnswer> read_provide_eim_package_result_response(ByteView der) {
  auto choice = checked_answer(der, 0xBF50, "ProvideEimPackageResult");
  if (!choice) return rsp::Unexpected{choice.error()};
  ProvideEimPackageResultAnswer a;
  if (choice->tag == 0x02) {
    a.error = detail::integer(choice->value).value_or(127);
  } else if (choice->tag == 0xBF53) {
    auto items = rsp::tlv::read_all(choice->value);
    if (!items) return rsp::fail("the eIM's EimAcknowledgements cannot be read");
    for (const auto& item : *items)
      if (auto seq = detail::integer(item.value)) a.acknowledged.push_back(*seq);
  }
  return a;
}

std::string provide_eim_package_result_error_name(long code) {
  return name_or_number({{2, "eidNotFound"}, {3, "invalidEid"}, {4, "missingEid"}, {127, "undefinedError"}}, code);
}

rsp::Expected<EuiccPackageSummary> read_euicc_package_request(ByteView bf51) {
  auto outer = rsp::tlv::read(bf51);
  if (!outer || outer->tag != 0xBF51) return rsp::fail("not an EuiccPackageRequest");
  auto data = rsp::tlv::find(outer->value, 0x30);
  if (!data) return rsp::fail("an EuiccPackageRequest without euiccPackageSigned");
  EuiccPackageSummary s;
  if (auto id = rsp::tlv::find(data->value, 0x80)) s.eim_id.assign(id->value.begin(), id->value.end());
  if (auto counter = rsp::tlv::find(data->value, 0x81)) s.counter_value = detail::integer(counter->value).value_or(-1);
  s.eim_transaction_id = bytes_of(data->value, 0x82);
  return s;
}

std::optional<long> euicc_package_result_seq_number(ByteView bf51) {
  auto outer = rsp::tlv::read(bf51);
  if (!outer || outer->tag != 0xBF51) return std::nullopt;
  auto result_signed = rsp::tlv::find(outer->value, 0xA0);
  if (!result_signed) return std::nullopt;
  auto data = rsp::tlv::find(result_signed->value, 0x30);
  if (!data) return std::nullopt;
  auto seq = rsp::tlv::find(data->value, 0x83);
  return seq ? detail::integer(seq->value) : std::nullopt;
}

rsp::Expected<IpaEuiccDataRequest> read_ipa_euicc_data_request(ByteView bf52) {
  auto outer = rsp::tlv::read(bf52);
  if (!outer || outer->tag != 0xBF52) return rsp::fail("not an IpaEuiccDataRequest");
  IpaEuiccDataRequest r;
  auto list = rsp::tlv::find(outer->value, 0x5C);
  if (!list) return rsp::fail("an IpaEuiccDataRequest without tagList");
  auto tags = tags_of(list->value);
  if (!tags) return rsp::fail("an IpaEuiccDataRequest with a truncated tagList");
  r.tags = std::move(*tags);
  r.euicc_ci_pkid = bytes_of(outer->value, 0x04);
  if (auto notification = rsp::tlv::find(outer->value, 0xA1)) {
    if (auto seq = rsp::tlv::find(notification->value, 0x80)) r.notification_seq_number = detail::integer(seq->value);
    if (auto event = rsp::tlv::find(notification->value, 0x81); event && event->value.size() >= 2)
      for (int bit = 0; bit < 4; ++bit)
        if (event->value[1] & (0x80 >> bit)) {
          r.notification_event = bit;
          break;
        }
  }
  if (auto result = rsp::tlv::find(outer->value, 0xA2))
    if (auto seq = rsp::tlv::find(result->value, 0x80)) r.euicc_package_result_seq_number = detail::integer(seq->value);
  r.eim_transaction_id = bytes_of(outer->value, 0x83);
  return r;
}

rsp::Expected<Bytes> ipa_euicc_data_response(ByteView members) {
  Bytes result = encode(0xBF52, encode(0xA0, members));
  auto checked = provide_eim_package_result(Bytes(16, 0), result);
  if (!checked) return rsp::Unexpected{checked.error()};
  return result;
}

Bytes ipa_euicc_data_error(const std::optional<Bytes>& eim_transaction_id, long code) {
  return encode(0xBF52,
                encode(0xA1, rsp::concat({optional_tlv(0x80, eim_transaction_id), rsp::der::integer(0x02, code)})));
}

rsp::Expected<ProfileDownloadTrigger> read_profile_download_trigger_request(ByteView bf54) {
  auto outer = rsp::tlv::read(bf54);
  if (!outer || outer->tag != 0xBF54) return rsp::fail("not a ProfileDownloadTriggerRequest");
  ProfileDownloadTrigger t;
  t.eim_transaction_id = bytes_of(outer->value, 0x82);
  auto data = rsp::tlv::find(outer->value, 0xA0);
  if (!data) return t;
  auto choice = rsp::tlv::read(data->value);
  if (!choice) return rsp::fail("a ProfileDownloadTriggerRequest with empty profileDownloadData");
  if (choice->tag == 0x80) {
    t.kind = ProfileDownloadTrigger::Kind::activation_code;
    t.activation_code.assign(choice->value.begin(), choice->value.end());
  } else if (choice->tag == 0x81) {
    t.kind = ProfileDownloadTrigger::Kind::contact_default_smdp;
  } else {
    t.kind = ProfileDownloadTrigger::Kind::contact_smds;
    if (auto address = rsp::tlv::find(choice->value, 0x80))
      t.smds_address = std::string(address->value.begin(), address->value.end());
  }
  return t;
}

rsp::Expected<Bytes> profile_download_trigger_result(const std::optional<Bytes>& eim_transaction_id,
                                                     ByteView profile_installation_result) {
  Bytes result = encode(0xBF54, rsp::concat({optional_tlv(0x82, eim_transaction_id), profile_installation_result}));
  auto checked = provide_eim_package_result(Bytes(16, 0), result);
  if (!checked) return rsp::Unexpected{checked.error()};
  return result;
}

rsp::Expected<Bytes> profile_download_trigger_error(const std::optional<Bytes>& eim_transaction_id, long reason,
                                                    const std::optional<Bytes>& error_response) {
  Bytes error = encode(0x30, rsp::concat({rsp::der::integer(0x80, reason), optional_tlv(0x04, error_response)}));
  return profile_download_trigger_result(eim_transaction_id, error);
}

}  // namespace ipa::esipa
