// A profile package and its StoreMetadata from ICCID, IMSI, Ki and OPc (or OP).
#include "rsp/profile_maker.hpp"

#include <algorithm>

#include "rsp/asn1/profile_package.hpp"
#include "rsp/crypto/milenage.hpp"
#include "rsp/iccid.hpp"
#include "rsp/profile_contents.hpp"
#include "rsp/profile_elements.hpp"
#include "rsp/tlv.hpp"

namespace rsp {
namespace {

constexpr size_t kKiLength = 16;  // Ki, OP and OPc alike
constexpr uint64_t kSqnLimit = uint64_t{1} << 48;

// Wiped on every way out: it holds the OPc.
struct SecretBytes {
  Bytes bytes;
  ~SecretBytes() { wipe(bytes); }
};

Expected<Bytes> checked_opc(const ProfileSpec& s) {
  if (s.ki.size() != kKiLength) return fail("Ki must be 16 bytes, not " + std::to_string(s.ki.size()));
  if (s.op && !s.opc.empty()) return fail("give OPc or OP, not both");
  if (s.op) {
    if (s.op->size() != kKiLength) return fail("OP must be 16 bytes, not " + std::to_string(s.op->size()));
    return crypto::compute_opc(s.ki, *s.op);
  }
  if (s.opc.size() != kKiLength) return fail("OPc must be 16 bytes, not " + std::to_string(s.opc.size()));
  return s.opc;
}

Status<> check_usim(const ProfileSpec& s) {
  const Bytes& aid = s.usim_aid;
  if (aid.size() < kUsimAidPrefix.size() || aid.size() > 16 ||
      !std::equal(kUsimAidPrefix.begin(), kUsimAidPrefix.end(), aid.begin()))
    return fail("USIM AID must be 7 to 16 bytes beginning A0000000871002");
  if (s.mnc_length != 2 && s.mnc_length != 3) return fail("MNC length must be 2 or 3");
  if (s.imsi.size() < 3 + s.mnc_length + 1) return fail("IMSI is too short for MCC, MNC and an MSIN");
  if (s.ef_ust.empty()) return fail("EF.UST must not be empty");
  if (s.sqn_delta && (*s.sqn_delta == 0 || *s.sqn_delta >= kSqnLimit)) return fail("sqnDelta must be 1 to 2^48-1");
  if (s.profile_type.size() > 100) return fail("profile type must be at most 100 bytes");
  return Ok{};
}

Bytes sqn_bytes(uint64_t value) {
  Bytes out(6);
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(value >> (8 * (out.size() - 1 - i)));
  return out;
}

}  // namespace

Expected<Bytes> make_profile_package(const ProfileSpec& s) {
  auto iccid_bcd = iccid::to_bytes(s.iccid, iccid::Nibbles::plain);
  if (!iccid_bcd) return Unexpected{iccid_bcd.error()};
  auto imsi = profile_elements::ef_imsi(s.imsi);
  if (!imsi) return Unexpected{imsi.error()};
  if (auto ok = check_usim(s); !ok) return Unexpected{ok.error()};
  auto opc = checked_opc(s);
  if (!opc) return Unexpected{opc.error()};
  SecretBytes opc_held{std::move(*opc)};

  profile_elements::Usim usim{s.usim_aid, *imsi, s.ef_ust, Bytes{0x00, 0x00, 0x00, static_cast<uint8_t>(s.mnc_length)}};
  profile_elements::AkaParameter aka{1, s.ki, opc_held.bytes, std::nullopt, std::nullopt};
  if (s.sqn_delta) aka.sqn_delta = sqn_bytes(*s.sqn_delta);
  SecretBytes package{
      concat({profile_elements::header(*iccid_bcd, s.profile_type), profile_elements::mf(s.usim_aid),
              profile_elements::usim(usim), profile_elements::aka_parameter(aka), profile_elements::end()})};
  wipe(aka.key);
  wipe(aka.opc);
  // Every element must decode with the PE module, as the card will decode it.
  if (auto parsed = asn1::parse_profile_package(package.bytes); !parsed)
    return fail("made a profile package that does not parse: " + parsed.error().message());
  return std::move(package.bytes);
}

Expected<Bytes> make_store_metadata(const ProfileSpec& s) {
  auto iccid_bcd = iccid::to_bytes(s.iccid, iccid::Nibbles::swapped);
  if (!iccid_bcd) return Unexpected{iccid_bcd.error()};
  if (s.service_provider_name.size() > 32) return fail("service provider name must be at most 32 bytes");
  std::string name = s.profile_name.empty() ? *iccid::normalise(s.iccid) : s.profile_name;
  if (name.size() > 64) return fail("profile name must be at most 64 bytes");
  // profileClass is DEFAULT operational, but SM-DP+s commonly send it and cards accept it: the eUICC
  // reads StoreMetadata as BER, and an explicit class leaves nothing to a default.
  Bytes fields = concat({tlv::encode(0x5A, *iccid_bcd), tlv::encode(0x91, to_bytes(s.service_provider_name)),
                         tlv::encode(0x92, to_bytes(name))});
  if (!s.icon.empty()) {
    // IconType from the file's signature: PNG \x89PNG, JPEG FF D8.
    bool png = s.icon.size() >= 4 && s.icon[0] == 0x89 && s.icon[1] == 'P' && s.icon[2] == 'N' && s.icon[3] == 'G';
    bool jpeg = s.icon.size() >= 2 && s.icon[0] == 0xFF && s.icon[1] == 0xD8;
    if (!png && !jpeg) return fail("the icon must be a PNG or JPEG image");
    if (s.icon.size() > 1024) return fail("the icon must be at most 1024 bytes");
    fields = concat({fields, tlv::encode(0x93, Bytes{png ? uint8_t(1) : uint8_t(0)}), tlv::encode(0x94, s.icon)});
  }
  fields = concat({fields, tlv::encode(0x95, Bytes{static_cast<uint8_t>(s.profile_class)})});
  if (!s.notification_address.empty()) {
    Bytes install_and_delete = {0x04, 0x90};  // NotificationEvent bits 0 (install) and 3 (delete)
    Bytes configuration = tlv::encode(
        0x30, concat({tlv::encode(0x80, install_and_delete), tlv::encode(0x81, to_bytes(s.notification_address))}));
    fields = concat({fields, tlv::encode(0xB6, configuration)});
  }
  if (s.ppr1_no_disable || s.ppr2_no_delete) {
    // PprIds BIT STRING, named bits: trailing zero bits left out (DER), so ppr2 sets 5 unused bits.
    uint8_t bits = static_cast<uint8_t>((s.ppr1_no_disable ? 0x40 : 0) | (s.ppr2_no_delete ? 0x20 : 0));
    fields = concat({fields, tlv::encode(0x99, Bytes{static_cast<uint8_t>(s.ppr2_no_delete ? 5 : 6), bits})});
  }
  return tlv::encode(0xBF25, fields);
}

Expected<Bytes> pad_profile_package(const Bytes& package, size_t size) {
  if (size <= package.size()) return package;
  auto elements = tlv::read_all(package);
  if (!elements || elements->empty()) return fail("the profile package is not a stream of profile elements");
  size_t end_offset = package.size() - elements->back().whole.size();
  // PE-NonStandard: nonStandard-header PEHeader { mandated NULL, identification }, issuerID
  // (OID 2.999, the example arc), content.
  auto element = [](size_t content_size) {
    Bytes header = tlv::encode(0xA0, concat({tlv::encode(0x80, Bytes{}), tlv::encode(0x81, Bytes{0x63})}));
    return tlv::encode(
        0xA9, concat({header, tlv::encode(0x81, Bytes{0x88, 0x37}), tlv::encode(0x82, Bytes(content_size, 0x5A))}));
  };
  size_t want = size - package.size();
  size_t content = want;
  Bytes padding = element(0);
  if (padding.size() < want) {
    // The TLV lengths grow with the content: shrink the content until the element fits.
    for (int i = 0; i < 4; ++i) {
      padding = element(content);
      if (padding.size() == want) break;
      content = padding.size() > want ? content - std::min(content, padding.size() - want)
                                      : content + (want - padding.size());
    }
  }
  Bytes padded(package.begin(), package.begin() + static_cast<std::ptrdiff_t>(end_offset));
  padded.insert(padded.end(), padding.begin(), padding.end());
  padded.insert(padded.end(), package.begin() + static_cast<std::ptrdiff_t>(end_offset), package.end());
  return padded;
}

}  // namespace rsp
