#include "es10_call.hpp"

namespace ipa::detail {

Es10Error malformed(std::string_view function, std::string_view what) {
  return {Es10Error::Kind::malformed, 0, 0, std::string(function) + ": " + std::string(what)};
}

Es10Error result_error(std::string_view function, long code, CodeNames names) {
  std::string name = "result";
  for (const auto& n : names)
    if (n.code == code) name = n.name;
  return {Es10Error::Kind::result, 0, code, std::string(function) + ": " + name + " (" + std::to_string(code) + ")"};
}

Es10Expected<Bytes> call(Es10Channel& channel, std::string_view function, ByteView request,
                         std::initializer_list<const rsp::asn1::Type*> types) {
  auto answer = channel.call(request);
  if (!answer) {
    Es10Error error = answer.error();
    error.message = std::string(function) + ": " + error.message;
    return rsp::Unexpected{std::move(error)};
  }
  std::string first_error;
  for (const auto* type : types) {
    auto decoded = rsp::asn1::decode(*type, *answer);
    if (decoded) return std::move(*answer);
    if (first_error.empty()) first_error = decoded.error().message();
  }
  return rsp::Unexpected{malformed(function, "the card's answer does not match the ASN.1: " + first_error)};
}

Es10Expected<rsp::tlv::Tlv> outer(std::string_view function, const Bytes& answer) {
  auto t = rsp::tlv::read(answer);
  if (!t) return rsp::Unexpected{malformed(function, t.error().message)};
  return *t;
}

std::optional<long> integer(ByteView contents) {
  if (contents.empty() || contents.size() > sizeof(long)) return std::nullopt;
  // Two's complement, big-endian; built unsigned so a negative value is no undefined shift.
  unsigned long value = contents[0] & 0x80 ? ~0UL : 0UL;
  for (uint8_t b : contents) value = value << 8 | b;
  return static_cast<long>(value);
}

Es10Expected<std::vector<rsp::tlv::Tlv>> list_or_error(std::string_view function, const Bytes& answer,
                                                       CodeNames names) {
  auto top = outer(function, answer);
  if (!top) return rsp::Unexpected{top.error()};
  if (auto error = rsp::tlv::find(top->value, 0x81))
    return rsp::Unexpected{result_error(function, integer(error->value).value_or(-1), names)};
  auto list = rsp::tlv::find(top->value, 0xA0);
  if (!list) return rsp::Unexpected{malformed(function, "neither a list nor an error")};
  return children(function, list->value);
}

Bytes named_bits(std::initializer_list<bool> bits) {
  size_t used = 0;
  size_t i = 0;
  for (bool b : bits) {
    ++i;
    if (b) used = i;
  }
  Bytes out(1 + (used + 7) / 8, 0);
  out[0] = static_cast<uint8_t>((8 - used % 8) % 8);
  i = 0;
  for (bool b : bits) {
    if (b) out[1 + i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
    ++i;
  }
  return out;
}

Bytes integer_contents(long value) {
  Bytes out;
  auto v = static_cast<unsigned long>(value);
  for (size_t i = 0; i < sizeof(long); ++i) out.insert(out.begin(), static_cast<uint8_t>(v >> (8 * i)));
  // Drop leading bytes that only repeat the sign.
  while (out.size() > 1 && ((out[0] == 0x00 && !(out[1] & 0x80)) || (out[0] == 0xFF && (out[1] & 0x80))))
    out.erase(out.begin());
  return out;
}

Es10Expected<std::vector<rsp::tlv::Tlv>> children(std::string_view function, ByteView contents) {
  auto all = rsp::tlv::read_all(contents);
  if (!all) return rsp::Unexpected{malformed(function, all.error().message)};
  return std::move(*all);
}

Es10Status result_function(Es10Channel& channel, std::string_view function, ByteView request,
                           const rsp::asn1::Type& type, rsp::tlv::Tag result_tag, CodeNames names) {
  auto answer = call(channel, function, request, {&type});
  if (!answer) return rsp::Unexpected{answer.error()};
  auto top = outer(function, *answer);
  if (!top) return rsp::Unexpected{top.error()};
  auto result = rsp::tlv::find(top->value, result_tag);
  std::optional<long> code = result ? integer(result->value) : std::nullopt;
  if (!code) return rsp::Unexpected{malformed(function, "no result code")};
  if (*code != 0) return rsp::Unexpected{result_error(function, *code, names)};
  return rsp::Ok{};
}

}  // namespace ipa::detail
