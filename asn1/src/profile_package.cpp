// TCA eUICC Profile Package v3.3.1 §8: a profile package is a sequence of ProfileElement TLVs.
#include "rsp/asn1/profile_package.hpp"

#include <array>
#include <string_view>

#include <ProfileElement.h>  // after codec.hpp (via profile_package.hpp), which brings asn1c's system includes

namespace rsp::asn1 {
namespace {

// The alternatives of the full TCA ProfileElement CHOICE in order: with AUTOMATIC TAGS the
// alternative number is the context tag number on the wire.
constexpr std::array<std::string_view, 34> kTcaElementNames = {"header",
                                                               "genericFileManagement",
                                                               "pinCodes",
                                                               "pukCodes",
                                                               "akaParameter",
                                                               "cdmaParameter",
                                                               "securityDomain",
                                                               "rfm",
                                                               "application",
                                                               "nonStandard",
                                                               "end",
                                                               "rfu1",
                                                               "rfu2",
                                                               "rfu3",
                                                               "rfu4",
                                                               "rfu5",
                                                               "mf",
                                                               "cd",
                                                               "telecom",
                                                               "usim",
                                                               "opt-usim",
                                                               "isim",
                                                               "opt-isim",
                                                               "phonebook",
                                                               "gsm-access",
                                                               "csim",
                                                               "opt-csim",
                                                               "eap",
                                                               "df-5gs",
                                                               "df-saip",
                                                               "df-snpn",
                                                               "df-5gprose",
                                                               "iot",
                                                               "opt-iot"};

// The context-specific tag number of a constructed context tag (A0..BE, BF 1F.., BF 81 00..),
// or nullopt for any other class or a primitive tag.
std::optional<unsigned> context_number(tlv::Tag tag) {
  Bytes encoded = tlv::encode_tag(tag);
  if ((encoded[0] & 0xE0) != 0xA0) return std::nullopt;        // class context, constructed
  if ((encoded[0] & 0x1F) != 0x1F) return encoded[0] & 0x1Fu;  // low tag number form
  unsigned number = 0;
  for (size_t i = 1; i < encoded.size(); ++i) number = number << 7 | (encoded[i] & 0x7F);
  return number;
}

// The member of ProfileElement selected by a context tag number, if our subset has it.
const asn_TYPE_member_t* subset_member(unsigned number) {
  const Type& choice = asn_DEF_ProfileElement;
  for (int i = 0; i < choice.elements_count; ++i) {
    const asn_TYPE_member_t& m = choice.elements[i];
    if (BER_TAG_CLASS(m.tag) == ASN_TAG_CLASS_CONTEXT && BER_TAG_VALUE(m.tag) == number) return &m;
  }
  return nullptr;
}

std::string hex_tag(tlv::Tag tag) { return to_hex(tlv::encode_tag(tag)); }

}  // namespace

bool is_decoded_profile_element(tlv::Tag tag) {
  auto number = context_number(tag);
  return number && subset_member(*number) != nullptr;
}

std::string profile_element_name(tlv::Tag tag) {
  auto number = context_number(tag);
  if (!number) return {};
  if (const auto* m = subset_member(*number); m && m->name) return m->name;
  if (*number < kTcaElementNames.size()) return std::string(kTcaElementNames[*number]);
  return {};
}

Expected<std::vector<ProfileElementEntry>, DecodeError> parse_profile_package(ByteView stream) {
  std::vector<ProfileElementEntry> out;
  size_t offset = 0;
  while (offset < stream.size()) {
    ByteView rest = stream.subspan(offset);
    auto element = tlv::read(rest);
    if (!element) return Unexpected{DecodeError{"ProfileElement", offset, element.error().message}};
    // Every ProfileElement alternative is a constructed, context-tagged SEQUENCE (or SEQUENCE OF);
    // anything else is not part of a profile package.
    if (!context_number(element->tag))
      return Unexpected{
          DecodeError{"ProfileElement", offset, "tag " + hex_tag(element->tag) + " is not a profile element"}};
    ProfileElementEntry entry;
    entry.tag = element->tag;
    entry.raw.assign(element->whole.begin(), element->whole.end());
    entry.offset = offset;
    if (is_decoded_profile_element(element->tag)) {
      auto value = decode(asn_DEF_ProfileElement, element->whole);
      if (!value) {
        DecodeError e = value.error();
        e.type = "ProfileElement (" + profile_element_name(element->tag) + ")";
        e.offset = offset + e.offset.value_or(0);
        return Unexpected{e};
      }
      if (value->as<ProfileElement_t>().present == ProfileElement_PR_NOTHING)
        return Unexpected{
            DecodeError{"ProfileElement", offset, "element " + hex_tag(element->tag) + " decoded to no alternative"}};
      entry.decoded = std::move(*value);
    }
    offset += element->whole.size();
    out.push_back(std::move(entry));
  }
  return out;
}

Expected<Bytes> serialize_profile_package(std::span<const ProfileElementEntry> elements) {
  Bytes out;
  for (const auto& e : elements) {
    if (e.decoded) {
      auto der = encode(*e.decoded);
      if (!der) return fail("profile element " + hex_tag(e.tag) + ": " + der.error().message);
      out.insert(out.end(), der->begin(), der->end());
    } else {
      out.insert(out.end(), e.raw.begin(), e.raw.end());
    }
  }
  return out;
}

}  // namespace rsp::asn1
