// SGP.32 v1.2 minimizeEsipaBytes: the compact forms the IPA sends in the indirect profile download.
#include "esipa_compact.hpp"

#include <algorithm>
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
  if (!m || m->size() != 4 || (*m)[0].tag != 0x30 || (*m)[1].tag != 0x5F37 || (*m)[2].tag != 0x30)
    return unchanged(full);
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

Bytes profile_installation_result(ByteView full) {
  static const Bytes kIsdpAidPrefix{0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00};
  static const Bytes kSimaResponseOk{0x30, 0x07, 0xA0, 0x05, 0x30, 0x03, 0x80, 0x01, 0x00};
  static const Bytes kInstall{0x07, 0x80};
  auto outer = rsp::tlv::read(full);
  if (!outer || outer->tag != 0xBF37 || outer->whole.size() != full.size()) return unchanged(full);
  auto parts = rsp::tlv::read_all(outer->value);
  if (!parts || parts->size() != 2 || (*parts)[0].tag != 0xBF27 || (*parts)[1].tag != 0x5F37) return unchanged(full);
  auto data = rsp::tlv::read_all((*parts)[0].value);
  if (!data || data->size() != 4 || (*data)[0].tag != 0x80 || (*data)[1].tag != 0xBF2F || (*data)[3].tag != 0xA2)
    return unchanged(full);
  auto metadata = rsp::tlv::read_all((*data)[1].value);
  // Only what the eIM puts back: seqNumber, install, the address, the ICCID.
  if (!metadata || metadata->size() < 3 || metadata->size() > 4 || (*metadata)[0].tag != 0x80 ||
      (*metadata)[1].tag != 0x81 || (*metadata)[2].tag != 0x0C || !std::ranges::equal((*metadata)[1].value, kInstall))
    return unchanged(full);
  const bool with_iccid = metadata->size() == 4;
  if (with_iccid && (*metadata)[3].tag != 0x5A) return unchanged(full);
  auto choice = rsp::tlv::read((*data)[3].value);
  if (!choice) return unchanged(full);
  Bytes final_result;
  if (choice->tag == 0xA1) {
    final_result.assign((*data)[3].whole.begin(), (*data)[3].whole.end());
  } else {
    auto success = rsp::tlv::read_all(choice->value);
    if (!success || success->size() != 2 || (*success)[0].tag != 0x4F || (*success)[1].tag != 0x04)
      return unchanged(full);
    ByteView aid = (*success)[0].value;
    if (aid.size() != kIsdpAidPrefix.size() + 2 ||
        !std::ranges::equal(aid.first(kIsdpAidPrefix.size()), kIsdpAidPrefix))
      return unchanged(full);
    ByteView sima = (*success)[1].value;
    Bytes sima_tlv = std::ranges::equal(sima, kSimaResponseOk) ? Bytes{} : unchanged((*success)[1].whole);
    final_result = encode(0xA2, encode(0xA0, rsp::concat({encode(0x4F, aid.last(2)), sima_tlv})));
  }
  Bytes compact_data = encode(0xA0, rsp::concat({(*data)[0].whole, encode(0x02, (*metadata)[0].value),
                                                 with_iccid ? Bytes{} : Bytes{0x01, 0x01, 0x00}, final_result}));
  return encode(0xA0, rsp::concat({compact_data, (*parts)[1].whole}));
}

}  // namespace ipa::esipa_compact
