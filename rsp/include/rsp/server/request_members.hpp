#pragma once
// Taking the members of a request, in either binding, with the function's refusal for the first
// one missing or malformed: JSON fields (strings, base64 DER) and the TLVs of an ASN.1 request's
// alternative. `refusal` makes the function's FunctionStatus from a message.
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "rsp/bytes.hpp"
#include "rsp/server/function_status.hpp"
#include "rsp/tlv.hpp"

namespace rsp::server {

using Refusal = std::function<FunctionStatus(std::string message)>;

struct JsonMembers {
  const nlohmann::json& body;
  Refusal refusal;
  std::optional<FunctionStatus> missing;  // the first refusal

  std::string text(const char* name);
  Bytes base64(const char* name);
};

struct TlvMembers {
  ByteView contents;
  Refusal refusal;
  std::optional<FunctionStatus> missing;  // the first refusal

  Bytes whole(tlv::Tag tag) { return take(tag, true); }  // with tag and length
  Bytes value(tlv::Tag tag) { return take(tag, false); }

 private:
  Bytes take(tlv::Tag tag, bool with_header);
};

}  // namespace rsp::server
