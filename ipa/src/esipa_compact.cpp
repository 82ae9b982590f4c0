// SGP.32 v1.2 minimizeEsipaBytes: the compact forms the IPA sends in the indirect profile download.
#include "esipa_compact.hpp"

#include <optional>
#include <vector>

#include "rsp/tlv.hpp"

namespace ipa::esipa_compact {

namespace {

using rsp::tlv::encode;
using rsp::tlv::Tlv;

// The Ok alternative's members of `full` ('tag' { A0 { ... } }), when it is that form.
std::optional<std::vector<Tlv>> ok_members(ByteView full, rsp::tlv::Tag tag) {
  auto outer = rsp::tlv::read(full);
  if (!outer || outer->tag != tag || outer->whole.size() != full.size()) return std::nullopt;
  auto ok = rsp::tlv::read(outer->value);
  if (!ok || ok->tag != 0xA0) return std::nullopt;
  auto members = rsp::tlv::read_all(ok->value);
  if (!members) return std::nullopt;
  return std::move(*members);
}

Bytes unchanged(ByteView full) { return Bytes(full.begin(), full.end()); }

}  // namespace

Bytes authenticate_server_response(ByteView full) {
  auto m = ok_members(full, 0xBF38);
  if (!m || m->size() != 4 || (*m)[0].tag != 0x30 || (*m)[1].tag != 0x5F37 || (*m)[2].tag != 0x30) return unchanged(full);
  // [1] Certificate: the context tag replaces the SEQUENCE's 30 around the same contents.
  return encode(0xBF38, encode(0xA2, rsp::concat({(*m)[0].whole, (*m)[1].whole, encode(0xA1, (*m)[2].value)})));
}

Bytes prepare_download_response(ByteView full) {
  auto m = ok_members(full, 0xBF21);
  if (!m || m->size() != 2 || (*m)[0].tag != 0x30 || (*m)[1].tag != 0x5F37) return unchanged(full);
  auto signed2 = rsp::tlv::read_all((*m)[0].value);
  if (!signed2 || signed2->empty() || signed2->front().tag != 0x80) return unchanged(full);
  Bytes rest;
  for (size_t i = 1; i < signed2->size(); ++i) rest = rsp::concat({rest, (*signed2)[i].whole});
  return encode(0xBF21, encode(0xA2, rsp::concat({encode(0x30, rest), (*m)[1].whole})));
}

Bytes cancel_session_response_contents(ByteView full) {
  auto outer = rsp::tlv::read(full);
  Bytes contents = outer ? Bytes(outer->value.begin(), outer->value.end()) : Bytes{};
  auto m = ok_members(full, 0xBF41);
  if (!m || m->size() != 2 || (*m)[0].tag != 0x30 || (*m)[1].tag != 0x5F37) return contents;
  auto reason = rsp::tlv::find((*m)[0].value, 0x82);
  if (!reason) return contents;
  return encode(0xA2, rsp::concat({encode(0x30, encode(0x80, reason->value)), (*m)[1].whole}));
}

}  // namespace ipa::esipa_compact
