#include "rsp/server/request_members.hpp"

namespace rsp::server {

std::string JsonMembers::text(const char* name) {
  auto it = body.find(name);
  if (it != body.end() && it->is_string()) return it->get<std::string>();
  if (!missing) missing = refusal(std::string("mandatory element missing or not a string: ") + name);
  return {};
}

Bytes JsonMembers::base64(const char* name) {
  std::string value = text(name);
  if (missing) return {};
  auto bytes = from_base64(value);
  if (!bytes) missing = refusal(std::string("not base64: ") + name);
  return bytes.value_or(Bytes{});
}

Bytes TlvMembers::take(tlv::Tag tag, bool with_header) {
  auto found = tlv::find(contents, tag);
  if (!found) {
    if (!missing) missing = refusal("mandatory element missing: tag " + to_hex(tlv::encode_tag(tag)));
    return {};
  }
  ByteView part = with_header ? found->whole : found->value;
  return Bytes(part.begin(), part.end());
}

}  // namespace rsp::server
