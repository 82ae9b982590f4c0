#include "bound_profile_package_loader.hpp"

#include <algorithm>

#include <ConfigureISDPRequest.h>
#include <StoreMetadataRequest.h>

#include "es10b_notifications.hpp"
#include "notification_event.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/asn1/profile_package.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/iccid.hpp"
#include "rsp/profile_contents.hpp"

namespace euicc {
namespace {

using rsp::tlv::Tag;

namespace bpp_error {
// BppCommandId and ErrorReason (RSPDefinitions).
enum Command : int {
  kInitialiseSecureChannel = 0,
  kConfigureIsdp = 1,
  kStoreMetadata = 2,
  kReplaceSessionKeys = 4,
  kLoadProfileElements = 5
};
enum Reason : int {
  kIncorrectInputValues = 1,
  kInvalidSignature = 2,
  kInvalidTransactionId = 3,
  kUnsupportedCrtValues = 4,
  kUnsupportedRemoteOperationType = 5,
  kUnsupportedProfileClass = 6,
  kScp03tStructureError = 7,
  kScp03tSecurityError = 8,
  kIccidAlreadyExists = 9,
  kInsufficientMemory = 10,
  kInterruption = 11,
  kPeProcessingError = 12,
  kDataMismatch = 13,
  kPprNotAllowed = 15,
  kUnknownError = 127,
};
}  // namespace bpp_error

constexpr Tag kEndElement = 0xAA;     // ProfileElement end [10]
constexpr Tag kHeaderElement = 0xA0;  // ProfileElement header [0]

// EUICCResponse (SAIP) with one peStatus ok: what simaResponse carries after a clean install.
const Bytes kSimaResponseOk{0x30, 0x07, 0xA0, 0x05, 0x30, 0x03, 0x80, 0x01, 0x00};

enum class Available { more, ready, malformed };

// Whether `buffer` starts with a complete TLV header (and, if `whole`, the complete TLV).
Available available(ByteView buffer, bool whole) {
  auto header = rsp::tlv::read_header(buffer);
  if (!header) return buffer.size() < 8 ? Available::more : Available::malformed;
  if (whole && buffer.size() < header->header_size + header->length) return Available::more;
  return Available::ready;
}

std::optional<LoadError> error(int command, int reason) { return LoadError{command, reason}; }

Tag segment_tag_for(Tag group) { return group == 0xA1 ? 0x88 : group == 0xA3 ? 0x86 : 0x87; }
int command_for(Tag group) {
  switch (group) {
    case 0xA0: return bpp_error::kConfigureIsdp;
    case 0xA1: return bpp_error::kStoreMetadata;
    case 0xA2: return bpp_error::kReplaceSessionKeys;
    default: return bpp_error::kLoadProfileElements;
  }
}

}  // namespace

BoundProfilePackageLoader::BoundProfilePackageLoader(CardContext& card, BindingContext binding)
    : card_(card), binding_(std::move(binding)) {}

BoundProfilePackageLoader::~BoundProfilePackageLoader() {
  rsp::wipe(profile_package_);
  rsp::wipe(buffer_);
}

Bytes BoundProfilePackageLoader::feed(ByteView command) {
  if (finished_) return {};
  buffer_.insert(buffer_.end(), command.begin(), command.end());
  auto failure = step();
  if (!failure && phase_ == Phase::done) failure = install();
  if (failure || phase_ == Phase::done) return result(failure);
  return {};
}

Bytes BoundProfilePackageLoader::interrupt() {
  if (finished_) return {};
  return result(error(command_for(group_), bpp_error::kInterruption));
}

std::optional<LoadError> BoundProfilePackageLoader::step() {
  for (;;) {
    ByteView pending(buffer_);
    switch (phase_) {
      case Phase::package_header: {
        auto a = available(pending, false);
        if (a == Available::more) return std::nullopt;
        auto header = rsp::tlv::read_header(pending);
        if (a == Available::malformed || header->tag != 0xBF36)
          return error(bpp_error::kInitialiseSecureChannel, bpp_error::kIncorrectInputValues);
        package_remaining_ = header->length;
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(header->header_size));
        phase_ = Phase::initialise_secure_channel;
        break;
      }
      case Phase::initialise_secure_channel: {
        auto a = available(pending, true);
        if (a == Available::more) return std::nullopt;
        auto bf23 = rsp::tlv::read(pending);
        if (a == Available::malformed || !bf23 || bf23->tag != 0xBF23 || bf23->whole.size() > package_remaining_)
          return error(bpp_error::kInitialiseSecureChannel, bpp_error::kIncorrectInputValues);
        if (auto e = initialise_secure_channel(*bf23)) return e;
        package_remaining_ -= bf23->whole.size();
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(bf23->whole.size()));
        phase_ = Phase::group_header;
        break;
      }
      case Phase::group_header: {
        if (package_remaining_ == 0) {
          // Conformance fault skip-bpp-structure-check: the groups' presence goes unchecked (an order
          // check skipped by skip-segment-order-check leaves it to these).
          if (!card_.fault("skip-bpp-structure-check")) {
            if (next_group_ < 4)
              return error(bpp_error::kLoadProfileElements, bpp_error::kIncorrectInputValues);  // no profile elements
            if (configure_isdp_.empty()) return error(bpp_error::kConfigureIsdp, bpp_error::kIncorrectInputValues);
            if (store_metadata_.empty()) return error(bpp_error::kStoreMetadata, bpp_error::kIncorrectInputValues);
          }
          if (!buffer_.empty())
            return error(bpp_error::kLoadProfileElements, bpp_error::kIncorrectInputValues);  // bytes beyond BF36
          phase_ = Phase::done;
          return std::nullopt;
        }
        auto a = available(pending, false);
        if (a == Available::more) return std::nullopt;
        auto header = rsp::tlv::read_header(pending);
        // Groups come in order: A0, A1, then A2 (optional) and A3.
        static constexpr Tag order[] = {0xA0, 0xA1, 0xA2, 0xA3};
        Tag expected = next_group_ < 4 ? order[next_group_] : 0;
        bool ok = a == Available::ready && (header->tag == expected || (expected == 0xA2 && header->tag == 0xA3));
        // Conformance fault: any group is taken wherever it comes.
        if (a == Available::ready &&
            (card_.fault("skip-segment-order-check") || card_.fault("skip-bpp-structure-check")))
          ok = header->tag >= 0xA0 && header->tag <= 0xA3;
        if (!ok || header->header_size + header->length > package_remaining_)
          return error(command_for(next_group_ < 4 ? order[next_group_] : 0xA3), bpp_error::kIncorrectInputValues);
        group_ = header->tag;
        next_group_ = std::max(next_group_, group_ == 0xA0 ? 1 : group_ == 0xA1 ? 2 : group_ == 0xA2 ? 3 : 4);
        group_remaining_ = header->length;
        package_remaining_ -= header->header_size + header->length;
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(header->header_size));
        phase_ = Phase::segment;
        if (group_remaining_ == 0) {
          if (auto e = group_complete()) return e;
          phase_ = Phase::group_header;
        }
        break;
      }
      case Phase::segment: {
        auto a = available(pending, true);
        if (a == Available::more) return std::nullopt;
        auto seg = rsp::tlv::read(pending);
        if (a == Available::malformed || !seg || seg->tag != segment_tag_for(group_) ||
            seg->whole.size() > group_remaining_)
          return error(command_for(group_), bpp_error::kScp03tStructureError);
        if (auto e = segment(*seg)) return e;
        group_remaining_ -= seg->whole.size();
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(seg->whole.size()));
        if (group_remaining_ == 0) {
          if (auto e = group_complete()) return e;
          phase_ = Phase::group_header;
        }
        break;
      }
      case Phase::done: return std::nullopt;
    }
  }
}

// SGP.22 v2.5 §5.5.1 ES8+.InitialiseSecureChannel: the signature binds otPK.DP to this session's
// otPK.EUICC; then ECKA and the KDF give the session keys.
std::optional<LoadError> BoundProfilePackageLoader::initialise_secure_channel(const rsp::tlv::Tlv& bf23) {
  auto parts = rsp::tlv::read_all(bf23.value);
  if (!parts) return error(bpp_error::kInitialiseSecureChannel, bpp_error::kIncorrectInputValues);
  auto remote_op = rsp::tlv::find(bf23.value, 0x82);
  auto transaction_id = rsp::tlv::find(bf23.value, 0x80);
  auto crt = rsp::tlv::find(bf23.value, 0xA6);
  auto otpk = rsp::tlv::find(bf23.value, 0x5F49);
  auto sign = rsp::tlv::find(bf23.value, 0x5F37);
  if (!remote_op || !transaction_id || !crt || !otpk || !sign)
    return error(bpp_error::kInitialiseSecureChannel, bpp_error::kIncorrectInputValues);
  if (remote_op->value.size() != 1 || remote_op->value[0] != 1)
    return error(bpp_error::kInitialiseSecureChannel, bpp_error::kUnsupportedRemoteOperationType);
  if (!std::equal(transaction_id->value.begin(), transaction_id->value.end(), binding_.transaction_id.begin(),
                  binding_.transaction_id.end()) &&
      !card_.fault("skip-session-checks"))
    return error(bpp_error::kInitialiseSecureChannel, bpp_error::kInvalidTransactionId);
  auto key_type = rsp::tlv::find(crt->value, 0x80);
  auto key_length = rsp::tlv::find(crt->value, 0x81);
  auto host_id = rsp::tlv::find(crt->value, 0x84);
  if (!key_type || !key_length || !host_id || key_type->value.size() != 1 || key_length->value.size() != 1 ||
      key_type->value[0] != rsp::crypto::kKeyTypeAes || key_length->value[0] != rsp::crypto::kKeyLength128 ||
      host_id->value.empty() || host_id->value.size() > 16)
    return error(bpp_error::kInitialiseSecureChannel, bpp_error::kUnsupportedCrtValues);
  // smdpSign covers the request up to the signature, then the eUICC's own one-time key.
  ByteView signed_part = bf23.value.first(static_cast<size_t>(sign->whole.data() - bf23.value.data()));
  auto dp_key = binding_.dp_pb.public_key();
  Bytes own_otpk = rsp::tlv::encode(0x5F49, binding_.euicc_otsk->point());
  if (!dp_key || !rsp::crypto::verify(*dp_key, rsp::concat({signed_part, own_otpk}), sign->value))
    return error(bpp_error::kInitialiseSecureChannel, bpp_error::kInvalidSignature);
  auto smdp_otpk = rsp::crypto::PublicKey::from_point(binding_.euicc_otsk->curve(), otpk->value);
  if (!smdp_otpk) return error(bpp_error::kInitialiseSecureChannel, bpp_error::kIncorrectInputValues);
  auto z = rsp::crypto::ecka(*binding_.euicc_otsk, *smdp_otpk);
  binding_.euicc_otsk.reset();  // used once
  if (!z) return error(bpp_error::kInitialiseSecureChannel, bpp_error::kIncorrectInputValues);
  auto keys = rsp::crypto::derive_session_keys(
      *z, rsp::crypto::bsp_shared_info(key_type->value[0], key_length->value[0], host_id->value, card_.eid_bytes));
  rsp::wipe(*z);
  channel_.emplace(keys);
  return std::nullopt;
}

std::optional<LoadError> BoundProfilePackageLoader::segment(const rsp::tlv::Tlv& seg) {
  auto plain = channel_->unprotect(seg.whole, card_.fault("skip-mac-check") ? rsp::crypto::Scp03t::MacCheck::skip
                                                                            : rsp::crypto::Scp03t::MacCheck::verify);
  if (!plain) return error(command_for(group_), bpp_error::kScp03tSecurityError);
  Bytes* target = group_ == 0xA0   ? &configure_isdp_
                  : group_ == 0xA1 ? &store_metadata_
                  : group_ == 0xA3 ? &profile_package_
                                   : nullptr;
  if (group_ == 0xA2) {
    // ES8+.ReplaceSessionKeys (§5.5.4): BF26 { 80 initialMacChainingValue, 81 ppkEnc, 82 ppkCmac }.
    auto rsk = rsp::tlv::read(*plain);
    auto mcv = rsk ? rsp::tlv::find(rsk->value, 0x80) : std::nullopt;
    auto enc = rsk ? rsp::tlv::find(rsk->value, 0x81) : std::nullopt;
    auto mac = rsk ? rsp::tlv::find(rsk->value, 0x82) : std::nullopt;
    if (!rsk || rsk->tag != 0xBF26 || !mcv || !enc || !mac || mcv->value.size() != 16 || enc->value.size() != 16 ||
        mac->value.size() != 16)
      return error(bpp_error::kReplaceSessionKeys, bpp_error::kIncorrectInputValues);
    channel_->replace_keys(enc->value, mac->value, mcv->value);
    rsp::wipe(*plain);
    return std::nullopt;
  }
  if (target == &profile_package_ && profile_package_.size() + plain->size() > card_.config.free_non_volatile_memory)
    return error(bpp_error::kLoadProfileElements, bpp_error::kInsufficientMemory);
  target->insert(target->end(), plain->begin(), plain->end());
  rsp::wipe(*plain);
  return std::nullopt;
}

std::optional<LoadError> BoundProfilePackageLoader::group_complete() {
  switch (group_) {
    case 0xA0:  // §5.5.2 ES8+.ConfigureISDP
      if (!rsp::asn1::decode(asn_DEF_ConfigureISDPRequest, configure_isdp_))
        return error(bpp_error::kConfigureIsdp, bpp_error::kIncorrectInputValues);
      return std::nullopt;
    case 0xA1: {  // §5.5.3 ES8+.StoreMetadata
      if (!rsp::asn1::decode(asn_DEF_StoreMetadataRequest, store_metadata_))
        return error(bpp_error::kStoreMetadata, bpp_error::kIncorrectInputValues);
      auto metadata = rsp::tlv::read(store_metadata_).value();
      auto iccid = rsp::iccid::from_bytes(rsp::tlv::find(metadata.value, 0x5A)->value);
      if (!iccid) return error(bpp_error::kStoreMetadata, bpp_error::kIncorrectInputValues);
      if (card_.state.find_profile(*iccid)) return error(bpp_error::kStoreMetadata, bpp_error::kIccidAlreadyExists);
      if (auto ppr = rsp::tlv::find(metadata.value, 0x99); ppr && ppr->value.size() > 1) {
        // The card's rules authorisation table is empty: no profile policy rule may be set.
        for (size_t i = 1; i < ppr->value.size(); ++i)
          if (ppr->value[i] != 0) return error(bpp_error::kStoreMetadata, bpp_error::kPprNotAllowed);
      }
      if (card_.state.profiles.size() >= card_.config.max_profiles)
        return error(bpp_error::kStoreMetadata, bpp_error::kInsufficientMemory);
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

// The whole package verified: check the profile itself, then store it and the state that names
// it, in that order (a kill in between leaves an orphan file that the next start removes).
std::optional<LoadError> BoundProfilePackageLoader::install() {
  auto elements = rsp::asn1::parse_profile_package(profile_package_);
  if (!elements || elements->empty()) return error(bpp_error::kLoadProfileElements, bpp_error::kPeProcessingError);
  if (elements->front().tag != kHeaderElement || elements->back().tag != kEndElement)
    return error(bpp_error::kLoadProfileElements, bpp_error::kPeProcessingError);
  // What the card will run of it: the ProfileHeader's ICCID, and the USIM with its AKA parameters. A
  // USIM this card cannot run (TUAK, a mappingParameter, keys of the wrong length, no akaParameter) is
  // refused here rather than missing when the terminal selects it; a profile without a USIM is fine.
  auto contents = rsp::read_profile_contents(profile_package_);
  if (!contents) return error(bpp_error::kLoadProfileElements, bpp_error::kPeProcessingError);
  if (store_metadata_.empty())
    return error(bpp_error::kStoreMetadata, bpp_error::kIncorrectInputValues);  // only under skip-bpp-structure-check
  auto metadata = rsp::tlv::read(store_metadata_).value();
  auto metadata_iccid = rsp::iccid::from_bytes(rsp::tlv::find(metadata.value, 0x5A)->value).value();
  if (contents->iccid != metadata_iccid) return error(bpp_error::kLoadProfileElements, bpp_error::kDataMismatch);

  Profile profile;
  profile.iccid = metadata_iccid;
  uint8_t n = static_cast<uint8_t>(card_.state.next_isdp);
  profile.isdp_aid = {0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, n, 0x00};
  auto text = [&](Tag tag) {
    auto t = rsp::tlv::find(metadata.value, tag);
    return t ? std::string(t->value.begin(), t->value.end()) : std::string();
  };
  profile.service_provider_name = text(0x91);
  profile.profile_name = text(0x92);
  if (auto t = rsp::tlv::find(metadata.value, 0x93); t && t->value.size() == 1) profile.icon_type = t->value[0];
  if (auto t = rsp::tlv::find(metadata.value, 0x94)) profile.icon.assign(t->value.begin(), t->value.end());
  if (auto t = rsp::tlv::find(metadata.value, 0x95); t && t->value.size() == 1)
    profile.profile_class = static_cast<ProfileClass>(t->value[0]);
  if (auto t = rsp::tlv::find(metadata.value, 0x99))
    profile.profile_policy_rules.assign(t->value.begin(), t->value.end());
  if (auto b6 = rsp::tlv::find(metadata.value, 0xB6)) {
    for (const auto& info : rsp::tlv::read_all(b6->value).value_or(std::vector<rsp::tlv::Tlv>{})) {
      auto events = rsp::tlv::find(info.value, 0x80);
      auto address = rsp::tlv::find(info.value, 0x81);
      auto mask = events ? events_from_bit_string(events->value) : std::nullopt;
      if (!mask || !address) continue;
      NotificationTarget target;
      target.events = *mask;
      target.address.assign(address->value.begin(), address->value.end());
      profile.notification_configuration.push_back(std::move(target));
    }
  }
  profile.smdp_oid = binding_.dp_pb.registered_id_der().value_or(Bytes{});
  profile.ci_ski = binding_.credentials->ci_ski;
  profile.store_metadata = store_metadata_;

  if (auto s = card_.store.write_profile_package(profile.iccid, profile_package_); !s)
    return error(bpp_error::kLoadProfileElements, bpp_error::kInsufficientMemory);
  installed_ = std::move(profile);
  return std::nullopt;
}

// ProfileInstallationResult (BF37), signed, and kept as the install notification. The profile and
// its notification are committed together; if that fails, the card is as before the package.
Bytes BoundProfilePackageLoader::result(const std::optional<LoadError>& failure) {
  finished_ = true;
  CardState before = card_.state;
  std::string iccid = installed_ ? installed_->iccid : std::string();
  if (iccid.empty() && !store_metadata_.empty()) {
    if (auto m = rsp::tlv::read(store_metadata_); m)
      if (auto i = rsp::tlv::find(m->value, 0x5A)) iccid = rsp::iccid::from_bytes(i->value).value_or("");
  }
  uint32_t seq = 0;
  Bytes metadata = notification_metadata(card_, NotificationEvent::install, binding_.smdp_address, iccid, &seq);
  Bytes final_result =
      failure
          ? tlv(0xA2, tlv(0xA1, {tlv_integer(0x80, failure->bpp_command_id), tlv_integer(0x81, failure->error_reason)}))
          : tlv(0xA2, tlv(0xA0, {tlv(0x4F, installed_->isdp_aid), tlv(0x04, kSimaResponseOk)}));
  Bytes data = tlv(0xBF27, {tlv(0x80, binding_.transaction_id), metadata,
                            tlv(0x06, binding_.dp_pb.registered_id_der().value_or(Bytes{})), final_result});
  Bytes pir = tlv(0xBF37, {data, tlv(0x5F37, card_.sign(*binding_.credentials, data))});
  card_.state.notifications.push_back({seq, NotificationEvent::install, binding_.smdp_address, iccid, pir});
  if (!failure) {
    card_.state.profiles.push_back(*installed_);
    card_.state.next_isdp++;
  }
  if (!card_.commit()) {
    card_.state = std::move(before);
    if (installed_) card_.store.remove_profile_package(installed_->iccid);
    if (!failure) {
      installed_.reset();
      return result(error(bpp_error::kLoadProfileElements, bpp_error::kInsufficientMemory));
    }
  }
  rsp::wipe(profile_package_);
  return pir;
}

}  // namespace euicc
