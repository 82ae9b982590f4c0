#include "rsp/bound_profile_package.hpp"

#include "rsp/crypto/bsp.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/tlv.hpp"

namespace rsp::bpp {
namespace {

Bytes protect_chunks(crypto::Scp03t& channel, tlv::Tag tag, ByteView plain) {
  Bytes out;
  size_t offset = 0;
  do {  // at least one segment, also for empty input
    auto chunk = plain.subspan(offset, std::min(kMaxSegmentPlaintext, plain.size() - offset));
    auto segment = channel.protect(tag, chunk);
    out.insert(out.end(), segment.begin(), segment.end());
    offset += chunk.size();
  } while (offset < plain.size());
  return out;
}

}  // namespace

Expected<Bytes> build(const BindingInput& in, Bytes* smdp_otpk_out) {
  if (!in.dp_pb_key || !in.euicc_otpk) return fail("BPP: DPpb key and otPK.EUICC are required");
  if (in.transaction_id.empty() || in.transaction_id.size() > 16) return fail("BPP: transactionId must be 1..16 bytes");
  if (in.host_id.empty() || in.host_id.size() > 16) return fail("BPP: hostId must be 1..16 bytes");
  if (in.eid.size() != 16) return fail("BPP: EID must be 16 bytes");
  std::optional<crypto::PrivateKey> fresh;
  if (!in.smdp_otsk) fresh.emplace(crypto::PrivateKey::generate(in.euicc_otpk->curve()));
  const crypto::PrivateKey& otsk = in.smdp_otsk ? *in.smdp_otsk : *fresh;
  Bytes otpk = otsk.point();
  if (smdp_otpk_out) *smdp_otpk_out = otpk;

  // ES8+.InitialiseSecureChannel: smdpSign covers the content up to it and the eUICC's otPK TLV.
  Bytes crt =
      tlv::encode(0xA6, concat({tlv::encode(0x80, Bytes{crypto::kKeyTypeAes}),
                                tlv::encode(0x81, Bytes{crypto::kKeyLength128}), tlv::encode(0x84, in.host_id)}));
  Bytes signed_part =
      concat({tlv::encode(0x82, Bytes{0x01}), tlv::encode(0x80, in.transaction_id), crt, tlv::encode(0x5F49, otpk)});
  Bytes smdp_sign = crypto::sign(*in.dp_pb_key, concat({signed_part, tlv::encode(0x5F49, in.euicc_otpk->point())}));
  Bytes bf23 = tlv::encode(0xBF23, concat({signed_part, tlv::encode(0x5F37, smdp_sign)}));

  auto z = crypto::ecka(otsk, *in.euicc_otpk);
  if (!z) return Unexpected{z.error()};
  auto keys = crypto::derive_session_keys(
      *z, crypto::bsp_shared_info(crypto::kKeyTypeAes, crypto::kKeyLength128, in.host_id, in.eid));
  wipe(*z);
  crypto::Scp03t channel(keys);
  Bytes a0 = tlv::encode(0xA0, channel.protect(0x87, in.configure_isdp));
  Bytes a1 = tlv::encode(0xA1, protect_chunks(channel, 0x88, in.store_metadata));
  Bytes a2;
  if (in.protection) {
    const auto& p = *in.protection;
    Bytes rsk = tlv::encode(
        0xBF26, concat({tlv::encode(0x80, p.initial_mcv), tlv::encode(0x81, p.ppk_enc), tlv::encode(0x82, p.ppk_mac)}));
    a2 = tlv::encode(0xA2, channel.protect(0x87, rsk));
    wipe(rsk);
    channel.replace_keys(p.ppk_enc, p.ppk_mac, p.initial_mcv);
  }
  Bytes a3 = tlv::encode(0xA3, protect_chunks(channel, 0x86, in.profile_package));
  return tlv::encode(0xBF36, concat({bf23, a0, a1, a2, a3}));
}

Expected<std::vector<Bytes>> split_for_loading(ByteView bpp) {
  auto package = tlv::read(bpp);
  if (!package || package->tag != 0xBF36 || package->whole.size() != bpp.size())
    return fail("not a BoundProfilePackage (BF36)");
  auto parts = tlv::read_all(package->value);
  if (!parts || parts->empty() || (*parts)[0].tag != 0xBF23)
    return fail("BoundProfilePackage does not start with BF23");
  std::vector<Bytes> commands;
  commands.push_back(concat({tlv::encode_header(0xBF36, package->value.size()), (*parts)[0].whole}));
  for (size_t i = 1; i < parts->size(); ++i) {
    const auto& group = (*parts)[i];
    if (group.tag == 0xA0 || group.tag == 0xA2) {
      commands.emplace_back(group.whole.begin(), group.whole.end());
      continue;
    }
    if (group.tag != 0xA1 && group.tag != 0xA3) return fail("unexpected element in BoundProfilePackage");
    commands.push_back(tlv::encode_header(group.tag, group.value.size()));
    auto segments = tlv::read_all(group.value);
    if (!segments) return fail("BoundProfilePackage segment list: " + segments.error().message);
    for (const auto& s : *segments) commands.emplace_back(s.whole.begin(), s.whole.end());
  }
  return commands;
}

Expected<size_t> minimum_store_data_apdus(ByteView bpp, size_t block_size) {
  if (block_size == 0) return fail("STORE DATA block size 0");
  auto package = tlv::read(bpp);
  if (!package || package->tag != 0xBF36 || package->whole.size() != bpp.size())
    return fail("not a BoundProfilePackage (BF36)");
  auto blocks = [&](size_t bytes) { return (bytes + block_size - 1) / block_size; };
  const size_t bf36_header = bpp.size() - package->value.size();
  auto groups = tlv::read_all(package->value);
  if (!groups || groups->empty())
    return fail("BoundProfilePackage: " + (groups ? std::string("empty") : groups.error().message));
  size_t total = blocks(bf36_header + (*groups)[0].whole.size());  // BF36 header and BF23 in one command
  for (size_t i = 1; i < groups->size(); ++i) {
    const auto& group = (*groups)[i];
    if (group.tag != 0xA1 && group.tag != 0xA3) {  // A0, A2: sent whole
      total += blocks(group.whole.size());
      continue;
    }
    total += blocks(group.whole.size() - group.value.size());  // the header alone, then each segment
    auto segments = tlv::read_all(group.value);
    if (!segments) return fail("BoundProfilePackage segment list: " + segments.error().message);
    for (const auto& s : *segments) total += blocks(s.whole.size());
  }
  return total;
}

}  // namespace rsp::bpp
