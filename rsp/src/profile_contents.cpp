// TCA eUICC Profile Package v3.3.1 (SAIP): the ProfileHeader, PE-MF (EF.DIR), PE-USIM, PE-AKAParameter
// and PE-GenericFileManagement elements, read for the USIM of the profile.
#include "rsp/profile_contents.hpp"

#include <Fcp.h>
#include <FileItem.h>
#include <FileManagement.h>
#include <FileManagementItem.h>
#include <ProfileElement.h>
#include <ProprietaryInfo.h>

#include <algorithm>

#include "rsp/asn1/primitives.hpp"
#include "rsp/asn1/profile_package.hpp"
#include "rsp/iccid.hpp"
#include "rsp/tlv.hpp"

namespace rsp {
namespace {

using rsp::asn1::octets;
using rsp::asn1::view;
namespace crypto = rsp::crypto;

// Outer tags of the elements read here (ProfileElement CHOICE, automatic tags).
constexpr rsp::tlv::Tag kHeaderElement = 0xA0;
constexpr rsp::tlv::Tag kGenericFileManagementElement = 0xA1;
constexpr rsp::tlv::Tag kAkaParameterElement = 0xA4;
constexpr rsp::tlv::Tag kMfElement = 0xB0;
constexpr rsp::tlv::Tag kUsimElement = 0xB3;
constexpr rsp::tlv::Tag kIsimElement = 0xB5;
constexpr rsp::tlv::Tag kCsimElement = 0xB9;

constexpr uint16_t kEfImsi = 0x6F07;
constexpr uint16_t kEfAd = 0x6FAD;
constexpr uint16_t kEfUst = 0x6F38;
constexpr uint16_t kCurrentAdf = 0x7FFF;  // ETSI TS 102 221 §8.3: the ADF of the current application

constexpr size_t kAkaKeyLength = 16;

std::optional<uint16_t> file_id(const OCTET_STRING_t* s) {
  if (!s || s->size != 2) return std::nullopt;
  return static_cast<uint16_t>(s->buf[0] << 8 | s->buf[1]);
}

// An EF under construction: SAIP fills a file from its creation (all fill pattern) by moving a
// position forward (fillFileOffset) and writing at it (fillFileContent).
class FileWriter {
 public:
  explicit FileWriter(ElementaryFile* file = nullptr) : file_(file) {}
  bool active() const { return file_ != nullptr; }

  // A (re)creation with this FCP: size, access rules and SFI as given, contents all fill pattern.
  void create(const Fcp_t& fcp) {
    if (!file_) return;
    if (fcp.securityAttributesReferenced) file_->security_attributes = octets(*fcp.securityAttributesReferenced);
    if (fcp.shortEFID) {
      // ETSI TS 102 222: the SFI in bits b8-b4; an empty value means the file has none.
      file_->short_file_id = fcp.shortEFID->size == 1 ? static_cast<uint8_t>(fcp.shortEFID->buf[0] >> 3) : 0;
    }
    size_t size = file_->content.size();
    if (fcp.efFileSize) {
      size = 0;
      for (uint8_t b : view(*fcp.efFileSize)) size = (size << 8) | b;
      size = std::min<size_t>(size, 0xFFFF);
    }
    file_->content = fill(size, fcp.proprietaryEFInfo);
    position_ = 0;
  }
  void skip(long count) {
    if (count > 0) position_ += static_cast<size_t>(count);
  }
  void write(ByteView bytes) {
    if (!file_) return;
    if (file_->content.size() < position_ + bytes.size()) file_->content.resize(position_ + bytes.size(), 0xFF);
    std::copy(bytes.begin(), bytes.end(), file_->content.begin() + static_cast<std::ptrdiff_t>(position_));
    position_ += bytes.size();
  }

 private:
  // ETSI TS 102 222 §6.3.2 proprietary information: after a fill pattern its last byte repeats to the
  // end of the file; a repeat pattern repeats as a whole; without either the file is all 'FF'.
  static Bytes fill(size_t size, const ProprietaryInfo* info) {
    Bytes content(size, 0xFF);
    if (info && info->fillPattern && info->fillPattern->size > 0) {
      ByteView pattern = view(*info->fillPattern);
      for (size_t i = 0; i < size; ++i) content[i] = pattern[std::min(i, pattern.size() - 1)];
    } else if (info && info->repeatPattern && info->repeatPattern->size > 0) {
      ByteView pattern = view(*info->repeatPattern);
      for (size_t i = 0; i < size; ++i) content[i] = pattern[i % pattern.size()];
    }
    return content;
  }

  ElementaryFile* file_;
  size_t position_ = 0;
};

// One file of a template element (SEQUENCE OF FileItem) applied to `writer`. Returns false if the
// element says doNotCreate.
bool apply_file(const File_t& file, FileWriter& writer) {
  for (int i = 0; i < file.list.count; ++i) {
    const FileItem_t& item = *file.list.array[i];
    switch (item.present) {
      case FileItem_PR_doNotCreate: return false;
      case FileItem_PR_fileDescriptor: writer.create(item.choice.fileDescriptor); break;
      case FileItem_PR_fillFileOffset: writer.skip(item.choice.fillFileOffset); break;
      case FileItem_PR_fillFileContent: writer.write(view(item.choice.fillFileContent)); break;
      default: break;
    }
  }
  return true;
}

// A template EF as the USIM template (2.23.143.1.2.4) creates it before the element's own items.
ElementaryFile template_file(uint16_t fid, uint8_t sfi, uint8_t arr_record, Bytes content) {
  return ElementaryFile{fid, sfi, Bytes{0x6F, 0x06, arr_record}, std::move(content)};
}

// EF.DIR (ETSI TS 102 221 §13.1): records of application templates 61 { 4F AID, 50 label, ... },
// padded with 'FF'. Returns the first USIM AID.
std::optional<Bytes> usim_aid_in_dir(ByteView dir) {
  size_t i = 0;
  while (i < dir.size()) {
    if (dir[i] == 0xFF) {
      ++i;
      continue;
    }
    auto record = rsp::tlv::read(dir.subspan(i));
    if (!record) return std::nullopt;
    i += record->whole.size();
    if (record->tag != 0x61) continue;
    auto aid = rsp::tlv::find(record->value, 0x4F);
    if (aid && aid->value.size() >= kUsimAidPrefix.size() &&
        std::equal(kUsimAidPrefix.begin(), kUsimAidPrefix.end(), aid->value.begin()))
      return Bytes(aid->value.begin(), aid->value.end());
  }
  return std::nullopt;
}

// PE-AKAParameter with the SAIP defaults for what it leaves out.
rsp::Expected<AkaParameters> read_aka(const PE_AKAParameter_t& pe) {
  if (pe.algoConfiguration.present != PE_AKAParameter__algoConfiguration_PR_algoParameter)
    return rsp::fail("akaParameter: mappingParameter (the algorithm of another NAA) is not supported");
  const AlgoParameter_t& algo = pe.algoConfiguration.choice.algoParameter;
  AkaParameters aka;
  auto id = rsp::asn1::to_long(algo.algorithmID);
  if (id == AlgoParameter__algorithmID_milenage) {
    aka.algorithm = AkaAlgorithm::milenage;
  } else if (id == AlgoParameter__algorithmID_usim_test_algorithm) {
    aka.algorithm = AkaAlgorithm::usim_test_algorithm;
  } else if (id == AlgoParameter__algorithmID_tuak) {
    return rsp::fail("akaParameter: TUAK is not supported by this card");
  } else {
    return rsp::fail("akaParameter: unknown algorithmID");
  }
  aka.algorithm_options = algo.algorithmOptions.size == 1 ? algo.algorithmOptions.buf[0] : 0;
  aka.key = octets(algo.key);
  aka.opc = octets(algo.opc);
  if (aka.key.size() != kAkaKeyLength) return rsp::fail("akaParameter: the key must be 16 bytes");

  if (aka.algorithm == AkaAlgorithm::milenage) {
    const crypto::MilenageConstants defaults;
    auto constants = crypto::MilenageConstants::from_saip(
        algo.rotationConstants ? view(*algo.rotationConstants) : ByteView(defaults.rotation_constants()),
        algo.xoringConstants ? view(*algo.xoringConstants) : ByteView(defaults.xoring_constants()));
    if (!constants) return rsp::Unexpected{constants.error()};
    aka.constants = *constants;
    // Checks K and OPc the way AUTHENTICATE will use them.
    if (auto m = crypto::Milenage::create(aka.key, aka.opc, aka.constants); !m)
      return rsp::fail("akaParameter: " + m.error().message);
  }

  const Bytes default_options{0x02};
  const Bytes default_limit{0x00, 0x00, 0x10, 0x00, 0x00, 0x00};
  auto policy = crypto::SqnPolicy::from_saip(pe.sqnOptions ? view(*pe.sqnOptions) : ByteView(default_options),
                                             pe.sqnDelta ? view(*pe.sqnDelta) : ByteView(default_limit),
                                             pe.sqnAgeLimit ? view(*pe.sqnAgeLimit) : ByteView(default_limit));
  if (!policy) return rsp::Unexpected{policy.error()};
  aka.sqn_policy = *policy;
  if (pe.sqnInit) {
    Bytes encoded;
    for (int i = 0; i < pe.sqnInit->list.count; ++i) {
      ByteView entry = view(*pe.sqnInit->list.array[i]);
      encoded.insert(encoded.end(), entry.begin(), entry.end());
    }
    auto init = crypto::SqnState::decode(encoded);
    if (!init) return rsp::Unexpected{init.error()};
    aka.sqn_init = *init;
  }
  return aka;
}

// PE-USIM: the ADF's AID and temporary file id, and the EFs the USIM answers for.
UsimContents read_usim(const PE_USIM_t& pe) {
  UsimContents usim;
  for (int i = 0; i < pe.adf_usim.list.count; ++i) {
    const FileItem_t& item = *pe.adf_usim.list.array[i];
    if (item.present != FileItem_PR_fileDescriptor) continue;
    if (item.choice.fileDescriptor.dfName) usim.aid = octets(*item.choice.fileDescriptor.dfName);
    if (auto fid = file_id(item.choice.fileDescriptor.fileID)) usim.file_id = fid;
  }
  // Template defaults (TCA v3.3.1 §9.5.1): EF.IMSI 9 bytes, EF.AD '00000002', EF.UST as filled.
  usim.ef_imsi = template_file(kEfImsi, 0x07, 0x02, Bytes(9, 0xFF));
  FileWriter imsi(&usim.ef_imsi);
  apply_file(pe.ef_imsi, imsi);
  usim.ef_ust = template_file(kEfUst, 0x04, 0x02, {});
  FileWriter ust(&usim.ef_ust);
  apply_file(pe.ef_ust, ust);
  usim.ef_ad = template_file(kEfAd, 0x03, 0x0A, Bytes{0x00, 0x00, 0x00, 0x02});
  if (pe.ef_ad) {
    FileWriter ad(&*usim.ef_ad);
    if (!apply_file(*pe.ef_ad, ad)) usim.ef_ad.reset();
  }
  return usim;
}

// The EF of the USIM that `path` (from the MF, without 3F00) names, if it is one read here.
ElementaryFile* usim_file(UsimContents& usim, ByteView path) {
  if (path.size() != 4) return nullptr;
  auto adf = static_cast<uint16_t>(path[0] << 8 | path[1]);
  auto ef = static_cast<uint16_t>(path[2] << 8 | path[3]);
  if (adf != kCurrentAdf && adf != usim.file_id) return nullptr;
  if (ef == kEfImsi) return &usim.ef_imsi;
  if (ef == kEfUst) return &usim.ef_ust;
  if (ef == kEfAd && usim.ef_ad) return &*usim.ef_ad;
  return nullptr;
}

// PE-GenericFileManagement: each FileManagement starts at the MF; filePath selects a DF or an EF;
// createFCP creates a file under the current DF and selects it; the fills go to the selected EF.
void apply_generic_file_management(const PE_GenericFileManagement_t& pe, UsimContents& usim) {
  for (int c = 0; c < pe.fileManagementCMD.list.count; ++c) {
    const FileManagement_t& command = *pe.fileManagementCMD.list.array[c];
    Bytes directory;
    FileWriter writer;
    for (int i = 0; i < command.list.count; ++i) {
      const FileManagementItem_t& item = *command.list.array[i];
      switch (item.present) {
        case FileManagementItem_PR_filePath:
          directory = octets(item.choice.filePath);
          writer = FileWriter(usim_file(usim, directory));
          break;
        case FileManagementItem_PR_createFCP: {
          const Fcp_t& fcp = item.choice.createFCP;
          auto fid = file_id(fcp.fileID);
          if (!fid) {
            writer = FileWriter();
            break;
          }
          Bytes path = directory;
          path.push_back(static_cast<uint8_t>(*fid >> 8));
          path.push_back(static_cast<uint8_t>(*fid));
          // ETSI TS 102 221 §11.1.1.4.3: file descriptor '38' bits set = a DF, which becomes current.
          bool is_df =
              fcp.fileDescriptor && fcp.fileDescriptor->size >= 1 && (fcp.fileDescriptor->buf[0] & 0x38) == 0x38;
          if (is_df) directory = path;
          writer = FileWriter(is_df ? nullptr : usim_file(usim, path));
          writer.create(fcp);
          break;
        }
        case FileManagementItem_PR_fillFileOffset: writer.skip(item.choice.fillFileOffset); break;
        case FileManagementItem_PR_fillFileContent: writer.write(view(item.choice.fillFileContent)); break;
        default: break;
      }
    }
  }
}

}  // namespace

AkaParameters::~AkaParameters() {
  rsp::wipe(key);
  rsp::wipe(opc);
}

bool UsimContents::service_available(unsigned n) const {
  if (n == 0 || (n - 1) / 8 >= ef_ust.content.size()) return false;
  return (ef_ust.content[(n - 1) / 8] >> ((n - 1) % 8)) & 1;
}

rsp::Expected<ProfileContents> read_profile_contents(ByteView profile_package) {
  auto elements = rsp::asn1::parse_profile_package(profile_package);
  if (!elements) return rsp::fail("profile package: " + elements.error().message());
  if (elements->empty() || elements->front().tag != kHeaderElement || !elements->front().decoded)
    return rsp::fail("profile package: it does not begin with a ProfileHeader");

  ProfileContents contents;
  const auto& header = elements->front().decoded->as<ProfileElement_t>().choice.header;
  auto iccid = rsp::iccid::from_bytes(view(header.iccid), rsp::iccid::Nibbles::plain);
  if (!iccid) return rsp::fail("profile package: ProfileHeader iccid: " + iccid.error().message);
  contents.iccid = *iccid;

  // An akaParameter element belongs to the NAA created just before it (USIM, ISIM, ...).
  enum class Naa { none, usim, other } last_naa = Naa::none;
  std::optional<AkaParameters> aka;
  std::optional<Bytes> dir_aid;
  for (const auto& entry : *elements) {
    const ProfileElement_t* pe = entry.decoded ? &entry.decoded->as<ProfileElement_t>() : nullptr;
    // parse_profile_package decodes every element of these kinds, or fails.
    bool decoded_kind = entry.tag == kMfElement || entry.tag == kUsimElement || entry.tag == kAkaParameterElement ||
                        entry.tag == kGenericFileManagementElement;
    if (decoded_kind && !pe) return rsp::fail("profile package: an element was not decoded");
    switch (entry.tag) {
      case kMfElement: {
        ElementaryFile dir;
        FileWriter writer(&dir);
        apply_file(pe->choice.mf.ef_dir, writer);
        dir_aid = usim_aid_in_dir(dir.content);
        break;
      }
      case kUsimElement:
        // A second USIM (multiple-usim) is not this card's: only the first is answered for.
        last_naa = contents.usim ? Naa::other : Naa::usim;
        if (!contents.usim) contents.usim = read_usim(pe->choice.usim);
        break;
      case kIsimElement:
      case kCsimElement: last_naa = Naa::other; break;
      case kAkaParameterElement:
        if (last_naa == Naa::usim && !aka) {
          auto parsed = read_aka(pe->choice.akaParameter);
          if (!parsed) return rsp::Unexpected{parsed.error()};
          aka = std::move(*parsed);
        }
        break;
      case kGenericFileManagementElement:
        if (contents.usim) apply_generic_file_management(pe->choice.genericFileManagement, *contents.usim);
        break;
      default: break;
    }
  }

  if (contents.usim) {
    UsimContents& usim = *contents.usim;
    if (!aka) return rsp::fail("profile package: the USIM has no akaParameter");
    usim.aka = std::move(*aka);
    // The ADF's own dfName, else the USIM entry of EF.DIR, else the bare USIM AID prefix.
    if (usim.aid.empty()) usim.aid = dir_aid.value_or(kUsimAidPrefix);
    auto imsi = decode_imsi(usim.ef_imsi.content);
    if (imsi) usim.imsi = *imsi;
  }
  return contents;
}

// 3GPP TS 31.102 §4.2.2 EF.IMSI: byte 1 the number of bytes that follow; byte 2 digit 1 in b8-b5,
// the parity (b4: odd number of digits) and the identity type '001' (b3-b1); then two digits a byte,
// the low nibble first, an even count ending in the filler 'F'.
rsp::Expected<std::string> decode_imsi(ByteView ef_imsi) {
  if (ef_imsi.size() < 2 || ef_imsi[0] < 1 || ef_imsi[0] > 8 || ef_imsi.size() < size_t{ef_imsi[0]} + 1u)
    return rsp::fail("EF.IMSI: bad length");
  if ((ef_imsi[1] & 0x07) != 0x01) return rsp::fail("EF.IMSI: not an IMSI");
  const bool odd = (ef_imsi[1] & 0x08) != 0;
  std::vector<uint8_t> nibbles{static_cast<uint8_t>(ef_imsi[1] >> 4)};
  for (size_t i = 2; i <= ef_imsi[0]; ++i) {
    nibbles.push_back(ef_imsi[i] & 0x0F);
    nibbles.push_back(static_cast<uint8_t>(ef_imsi[i] >> 4));
  }
  if (!odd) {
    if (nibbles.back() != 0x0F) return rsp::fail("EF.IMSI: parity does not match the digits");
    nibbles.pop_back();
  }
  std::string imsi;
  for (uint8_t n : nibbles) {
    if (n > 9) return rsp::fail("EF.IMSI: not a digit");
    imsi.push_back(static_cast<char>('0' + n));
  }
  if (imsi.size() < 6 || imsi.size() > 15) return rsp::fail("EF.IMSI: an IMSI has 6 to 15 digits");
  return imsi;
}

}  // namespace rsp
