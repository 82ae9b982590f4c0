#include "json_members.hpp"

#include <limits>

#include "rsp/der_integer.hpp"
#include "rsp/esipa/esipa_json.hpp"

namespace rsp::esipa::detail {

using nlohmann::json;

namespace {

constexpr tlv::Tag kSignatureTag = 0x5F37;
constexpr size_t kSignatureSize = 64;  // r || s on P-256 / brainpoolP256r1

std::string tag_text(tlv::Tag tag) { return to_hex(tlv::encode_tag(tag)); }

bool hex_digits(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// `bytes` as one value of the member: a DER-like TLV, of the member's type when it has one, else
// with its tag.
Status<> check_value(ByteView bytes, const Member& m, tlv::Tag tag) {
  std::string where = std::string("member ") + m.name;
  if (auto why = tlv::not_der_like(bytes)) return fail(where + " is not one DER TLV: " + *why);
  if (m.type) {
    if (auto decoded = asn1::decode(*m.type, bytes); !decoded) return fail(where + ": " + decoded.error().message());
  } else if (tag && tlv::read(bytes)->tag != tag) {
    return fail(where + " has tag " + tag_text(tlv::read(bytes)->tag) + ", not " + tag_text(tag));
  }
  return Ok{};
}

Expected<Bytes> base64_member(const json& value, const Member& m) {
  if (!value.is_string()) return fail(std::string("member ") + m.name + " is not a string");
  auto bytes = from_base64(value.get_ref<const std::string&>());
  if (!bytes) return fail(std::string("member ") + m.name + " is not base64");
  return std::move(*bytes);
}

Expected<Bytes> hex_member(const json& value, const Member& m, size_t min, size_t max) {
  std::string where = std::string("member ") + m.name;
  if (!value.is_string()) return fail(where + " is not a string");
  const auto& text = value.get_ref<const std::string&>();
  if (text.size() % 2 || text.size() < 2 * min || text.size() > 2 * max || !hex_digits(text))
    return fail(where + (min == max ? " is not " + std::to_string(2 * min) + " hex digits"
                                    : " is not 2 to " + std::to_string(2 * max) + " hex digits"));
  return *from_hex(text);
}

// One member's DER TLV from its JSON value.
Expected<Bytes> member_from_json(const json& value, const Member& m) {
  std::string where = std::string("member ") + m.name;
  switch (m.form) {
    case Form::text:
      if (!value.is_string()) return fail(where + " is not a string");
      return tlv::encode(m.tag, to_bytes(value.get_ref<const std::string&>()));
    case Form::flag:
      if (!value.is_boolean()) return fail(where + " is not a boolean");
      return value.get<bool>() ? tlv::encode(m.tag, {}) : Bytes{};
    case Form::integer: {
      if (!value.is_number_integer()) return fail(where + " is not an integer");
      auto n = value.get<int64_t>();
      if (n < 0 || n > std::numeric_limits<int32_t>::max()) return fail(where + " is out of range");
      return der::integer(m.tag, n);
    }
    case Form::hex: {
      auto bytes = hex_member(value, m, 1, 16);
      if (!bytes) return bytes;
      return tlv::encode(m.tag, *bytes);
    }
    case Form::eid: {
      auto bytes = hex_member(value, m, 16, 16);
      if (!bytes) return bytes;
      return tlv::encode(m.tag, *bytes);
    }
    default: break;
  }
  auto bytes = base64_member(value, m);
  if (!bytes) return bytes;
  switch (m.form) {
    case Form::contents_base64:
      if (bytes->size() != m.size) return fail(where + " is not " + std::to_string(m.size) + " bytes");
      return tlv::encode(m.tag, *bytes);
    case Form::signature: {
      auto t = tlv::read(*bytes);
      if (t && t->tag == kSignatureTag && t->whole.size() == bytes->size()) return std::move(*bytes);
      if (bytes->size() != kSignatureSize) return fail(where + " is neither a 5F37 TLV nor the 64 signature bytes");
      return tlv::encode(kSignatureTag, *bytes);
    }
    case Form::retagged: {
      if (auto ok = check_value(*bytes, m, m.json_tag); !ok) return Unexpected{ok.error()};
      return tlv::encode(m.tag, tlv::read(*bytes)->value);
    }
    case Form::unwrapped: {
      if (auto ok = check_value(*bytes, m, 0); !ok) return Unexpected{ok.error()};
      return tlv::encode(m.tag, *bytes);
    }
    case Form::explicit_whole: {
      auto t = tlv::read(*bytes);
      bool wrapped = t && t->tag == m.tag && t->whole.size() == bytes->size();
      if (auto ok = check_value(wrapped ? t->value : ByteView(*bytes), m, 0); !ok) return Unexpected{ok.error()};
      return wrapped ? std::move(*bytes) : tlv::encode(m.tag, *bytes);
    }
    default:  // whole
      if (auto ok = check_value(*bytes, m, m.tag); !ok) return Unexpected{ok.error()};
      return std::move(*bytes);
  }
}

// One member's JSON value from its (schema-checked) DER TLV.
Expected<json> member_to_json(const tlv::Tlv& t, const Member& m) {
  switch (m.form) {
    case Form::whole:
    case Form::signature:
    case Form::explicit_whole: return json(to_base64(t.whole));
    case Form::contents_base64: return json(to_base64(t.value));
    case Form::hex:
    case Form::eid: return json(to_hex(t.value));
    case Form::text: return json(std::string(t.value.begin(), t.value.end()));
    case Form::flag: return json(true);
    case Form::integer: {
      auto n = integer_value(t.value);
      if (!n || *n < 0 || *n > std::numeric_limits<int32_t>::max())
        return fail(std::string("member ") + m.name + " is out of range");
      return json(*n);
    }
    case Form::retagged: return json(to_base64(tlv::encode(m.json_tag, t.value)));
    case Form::unwrapped: return json(to_base64(t.value));
  }
  return fail(std::string("member ") + m.name + ": unknown form");
}

}  // namespace

Expected<tlv::Tlv> check_message(ByteView der, const asn1::Type& type, std::string_view what) {
  std::string name(what);
  if (der.size() > kMaxBodySize)
    return fail(name + ": " + std::to_string(der.size()) + " bytes, more than the " + std::to_string(kMaxBodySize) +
                " accepted");
  if (auto why = tlv::not_der_like(der)) return fail(name + " is not one DER TLV: " + *why);
  if (auto decoded = asn1::decode(type, der); !decoded) return fail(name + ": " + decoded.error().message());
  return tlv::read(der);
}

std::optional<int64_t> integer_value(ByteView contents) {
  if (contents.empty() || contents.size() > 8) return std::nullopt;
  int64_t v = (contents[0] & 0x80) ? -1 : 0;
  for (uint8_t b : contents) v = static_cast<int64_t>(static_cast<uint64_t>(v) << 8 | b);
  return v;
}

Status<> members_to_json(ByteView contents, Members members, json& out) {
  auto children = tlv::read_all(contents);
  if (!children) return fail("the message's members: " + children.error().message);
  size_t next = 0;
  for (const auto& child : *children) {
    size_t i = next;
    while (i < members.size() && members[i].tag != 0 && members[i].tag != child.tag) ++i;
    if (i == members.size()) continue;  // an extension this binding has no member for
    auto value = member_to_json(child, members[i]);
    if (!value) return Unexpected{value.error()};
    out[members[i].name] = std::move(*value);
    next = i + 1;
  }
  for (const auto& m : members)
    if (m.mandatory && !out.contains(m.name)) return fail(std::string("mandatory member ") + m.name + " is missing");
  return Ok{};
}

Expected<Bytes> members_from_json(const json& body, Members members) {
  Bytes out;
  for (const auto& m : members) {
    if (!has_member(body, m.name)) {
      if (m.mandatory) return fail(std::string("mandatory member ") + m.name + " is missing");
      continue;
    }
    auto tlv = member_from_json(body.at(m.name), m);
    if (!tlv) return tlv;
    out.insert(out.end(), tlv->begin(), tlv->end());
  }
  return out;
}

Expected<Bytes> choice_from_json(const json& body, Members members, bool none_allowed) {
  const char* present = nullptr;
  std::string names;
  for (const auto& m : members) {
    names += names.empty() ? m.name : std::string(", ") + m.name;
    if (!has_member(body, m.name)) continue;
    if (present) return fail(std::string("two alternatives at once: ") + present + " and " + m.name);
    present = m.name;
  }
  if (!present && !none_allowed) return fail("none of the alternatives (" + names + ") is present");
  return members_from_json(body, members);
}

bool has_member(const json& body, const char* name) {
  auto it = body.find(name);
  return it != body.end() && !it->is_null();
}

}  // namespace rsp::esipa::detail
