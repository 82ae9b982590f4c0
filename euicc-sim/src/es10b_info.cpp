#include "es10b_info.hpp"

namespace euicc {
namespace {

Bytes ski_list(rsp::tlv::Tag tag, const std::vector<Bytes>& skis) {
  Bytes items;
  for (const auto& ski : skis) {
    auto t = rsp::tlv::encode(0x04, ski);
    items.insert(items.end(), t.begin(), t.end());
  }
  return rsp::tlv::encode(tag, items);
}

}  // namespace

Bytes euicc_info1(const CardContext& card) {
  return tlv(0xBF20, {tlv(0x82, card.config.svn), ski_list(0xA9, card.verification_skis()),
                      ski_list(0xAA, card.signing_skis())});
}

Bytes euicc_info2(const CardContext& card) {
  const auto& c = card.config;
  Bytes resources = rsp::concat({tlv(0x81, unsigned_bytes(card.state.profiles.size())),
                                 tlv(0x82, unsigned_bytes(c.free_non_volatile_memory)),
                                 tlv(0x83, unsigned_bytes(c.free_volatile_memory))});
  // usimSupport, akaMilenage, usimTestAlgorithm, berTlvFileSupport; SGP.22 rspCapability:
  // additionalProfile, testProfileSupport.
  Bytes uicc_capability = bit_string({1, 4, 8, 19});
  Bytes rsp_capability = bit_string({0, 3});
  Bytes iot = tlv(0xB4, {tlv(0xA0, tlv(0x04, c.iot_version)), tlv(0x82, Bytes{})});
  return tlv(
      0xBF22,
      {tlv(0x81, c.profile_version), tlv(0x82, c.svn), tlv(0x83, c.firmware_version), tlv(0x84, resources),
       tlv(0x85, uicc_capability), tlv(0x87, c.global_platform_version), tlv(0x88, rsp_capability),
       ski_list(0xA9, card.verification_skis()), ski_list(0xAA, card.signing_skis()),
       tlv_integer(0x8B, 1),  // euiccCategory basicEuicc
       tlv(0x04, c.pp_version), tlv(0x0C, rsp::to_bytes(c.sas_accreditation_number)),
       tlv(0xAC, {tlv(0x80, rsp::to_bytes(c.certification_data_platform)), tlv(0x81, rsp::to_bytes("none"))}), iot});
}

Es10Result get_euicc_info1(CardContext& card, const Tlv&) { return euicc_info1(card); }
Es10Result get_euicc_info2(CardContext& card, const Tlv&) { return euicc_info2(card); }

Es10Result get_eid(CardContext& card, const Tlv& request) {
  // GetEuiccDataRequest { tagList 5C }: only the EID (5A) is defined.
  auto tag_list = rsp::tlv::find(request.value, 0x5C);
  if (!tag_list || tag_list->value.size() != 1 || tag_list->value[0] != 0x5A)
    return rsp::Unexpected{rsp::apdu::sw::kIncorrectData};
  return tlv(0xBF3E, tlv(0x5A, card.eid_bytes));
}

Es10Result get_rat(CardContext&, const Tlv&) {
  // No profile policy rules are authorised on this card: an empty rules authorisation table.
  return tlv(0xBF43, tlv(0xA0, Bytes{}));
}

}  // namespace euicc
