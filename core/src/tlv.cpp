#include "rsp/tlv.hpp"

#include <string>

namespace rsp::tlv {

bool Tlv::constructed() const { return !whole.empty() && (whole[0] & 0x20) != 0; }

namespace {

constexpr int kMaxDepth = 64;

// `contents` as TLVs filling it exactly, each constructed one checked the same way.
std::optional<std::string> check_all(ByteView contents, int depth) {
  if (depth > kMaxDepth) return "nested more than " + std::to_string(kMaxDepth) + " deep";
  auto all = read_all(contents);
  if (!all) return all.error().message;
  for (const auto& t : *all)
    if (t.constructed())
      if (auto why = check_all(t.value, depth + 1)) return why;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> not_der_like(ByteView message) {
  auto outer = read(message);
  if (!outer) return outer.error().message;
  if (outer->whole.size() != message.size()) return "bytes follow the object";
  return outer->constructed() ? check_all(outer->value, 1) : std::nullopt;
}

Expected<Header> read_header(ByteView in) {
  size_t pos = 0;
  if (in.empty()) return fail("TLV truncated: no tag");
  Tag tag = in[pos++];
  if ((tag & 0x1F) == 0x1F) {
    // High tag number form: continuation bytes have bit 8 set; we allow up to 3 tag bytes.
    for (int i = 0;; ++i) {
      if (pos >= in.size()) return fail("TLV truncated inside a multi-byte tag");
      if (i == 2) return fail("TLV tag longer than 3 bytes");
      uint8_t b = in[pos++];
      tag = tag << 8 | b;
      if ((b & 0x80) == 0) break;
    }
  }
  if (pos >= in.size()) return fail("TLV truncated: no length");
  size_t length = in[pos++];
  if (length == 0x80) return fail("TLV uses the indefinite length form");
  if (length > 0x80) {
    size_t count = length & 0x7F;
    if (count > 4) return fail("TLV length field longer than 4 bytes");
    if (pos + count > in.size()) return fail("TLV truncated inside the length field");
    length = 0;
    for (size_t i = 0; i < count; ++i) length = length << 8 | in[pos++];
  }
  return Header{tag, length, pos};
}

Expected<Tlv> read(ByteView in) {
  auto header = read_header(in);
  if (!header) return Unexpected{header.error()};
  if (header->length > in.size() - header->header_size)
    return fail("TLV truncated: length " + std::to_string(header->length) + " but " +
                std::to_string(in.size() - header->header_size) + " bytes follow");
  Tlv t;
  t.tag = header->tag;
  t.value = in.subspan(header->header_size, header->length);
  t.whole = in.subspan(0, header->header_size + header->length);
  return t;
}

Expected<std::vector<Tlv>> read_all(ByteView in) {
  std::vector<Tlv> out;
  size_t offset = 0;
  while (offset < in.size()) {
    auto t = read(in.subspan(offset));
    if (!t) return fail(t.error().message + " at byte " + std::to_string(offset));
    offset += t->whole.size();
    out.push_back(*t);
  }
  return out;
}

std::optional<Tlv> find(ByteView contents, Tag tag) {
  auto all = read_all(contents);
  if (!all) return std::nullopt;
  for (const auto& t : *all)
    if (t.tag == tag) return t;
  return std::nullopt;
}

Bytes encode_tag(Tag tag) {
  Bytes out;
  for (int shift = 24; shift > 0; shift -= 8)
    if (tag >> shift) out.push_back(static_cast<uint8_t>(tag >> shift));
  out.push_back(static_cast<uint8_t>(tag));
  return out;
}

Bytes encode_length(size_t length) {
  if (length < 0x80) return {static_cast<uint8_t>(length)};
  Bytes digits;
  for (size_t v = length; v; v >>= 8) digits.insert(digits.begin(), static_cast<uint8_t>(v));
  digits.insert(digits.begin(), static_cast<uint8_t>(0x80 | digits.size()));
  return digits;
}

Bytes encode_header(Tag tag, size_t length) { return concat({encode_tag(tag), encode_length(length)}); }

Bytes encode(Tag tag, ByteView value) { return concat({encode_header(tag, value.size()), value}); }

}  // namespace rsp::tlv
