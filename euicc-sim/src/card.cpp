#include "euicc/card.hpp"

#include <algorithm>

#include "atr.hpp"
#include "class_byte.hpp"
#include "rsp/tlv.hpp"
#include "transparent_file.hpp"

namespace euicc {

using rsp::apdu::Command;
using rsp::apdu::Response;
namespace sw = rsp::apdu::sw;

namespace {

namespace ins = rsp::apdu::ins;

Response status(uint16_t word) { return Response{{}, word}; }

// ETSI TS 102 221 §11.1.1.3: FCP of the MF, enough for a terminal that selects 3F00 first.
const rsp::Bytes kMasterFileFcp = {
    0x62, 0x18,                                      // FCP template
    0x82, 0x02, 0x78, 0x21,                          // file descriptor: DF, shareable
    0x83, 0x02, 0x3F, 0x00,                          // file identifier
    0x8A, 0x01, 0x05,                                // life cycle status: operational, activated
    0x8B, 0x03, 0x2F, 0x06, 0x01,                    // security attributes: EF.ARR record 1
    0xC6, 0x06, 0x90, 0x01, 0x00, 0x83, 0x01, 0x01,  // PIN status: PIN1 exists, not enabled
};

// ETSI TS 102 221 §13.2 EF.ICCID: file id '2FE2', SFI '02', under the MF; its security attributes
// name the same EF.ARR record as the MF's.
const rsp::Bytes kEfIccid = {0x2F, 0xE2};
constexpr uint8_t kEfIccidSfi = 0x02;
const rsp::Bytes kArrRecord = {0x2F, 0x06, 0x01};

// A partial DF name selects the application whose AID it begins (ISO/IEC 7816-4 §7.1.1); at least
// the 5-byte RID, so "A0" alone does not pick an application by accident.
bool names(rsp::ByteView df_name, rsp::ByteView aid) {
  return df_name.size() >= 5 && df_name.size() <= aid.size() && std::equal(df_name.begin(), df_name.end(), aid.begin());
}

bool selects_master_file(const Command& c) {
  return c.p1 == 0x00 && (c.data.empty() || c.data == rsp::Bytes{0x3F, 0x00});
}

}  // namespace

Card::Card(IsdrApplication& isdr, UsimApplication& usim) : isdr_(isdr), usim_(usim) { power_on(); }

Bytes Card::atr() const { return uicc_atr(); }

void Card::power_on() {
  if (powered_) return;
  channels_[0].open = true;
  powered_ = true;
  ++stats_.power_ups;
}

void Card::power_off() {
  bool isdr_was_selected = false;
  for (Channel& channel : channels_) {
    isdr_was_selected |= channel.open && channel.selected == Selected::kIsdr;
    if (channel.open && channel.selected == Selected::kUsim) usim_.channel_closed(number(channel));
    channel = Channel{};
  }
  terminal_capability_.reset();
  // The ISD-R hears it once: its multi-command sequences are abandoned whichever channel held them.
  if (isdr_was_selected) isdr_.channel_closed();
  powered_ = false;
}

void Card::reset() {
  power_off();
  power_on();
}

Bytes Card::transmit(ByteView command_apdu) {
  if (!powered_) power_on();
  ++stats_.command_apdus;
  stats_.bytes_in += command_apdu.size();
  Response response = process(command_apdu);
  // Conformance fault: the data a command without Le left for GET RESPONSE goes out at once.
  auto parsed = Command::parse(command_apdu);
  if (faults_.count("answer-without-get-response") && parsed && !parsed->le && parsed->ins != ins::kGetResponse) {
    auto cla = decode_class(parsed->cla);
    while (cla && (response.sw & 0xFF00) == sw::kMoreData) {
      Response more =
          channels_[cla->channel].response.get_response(Command{0x00, ins::kGetResponse, 0, 0, {}, 256u, false});
      response.data.insert(response.data.end(), more.data.begin(), more.data.end());
      response.sw = more.sw;
    }
  }
  Bytes out = response.encode();
  stats_.bytes_out += out.size();
  return out;
}

// Checks in the order ISO/IEC 7816-4 §5.6 implies: length, class, channel, instruction, P1-P2,
// data, state.
Response Card::process(ByteView command_apdu) {
  auto parsed = Command::parse(command_apdu);
  if (!parsed) return status(parsed.error());
  const Command& c = *parsed;
  auto cla = decode_class(c.cla);
  if (!cla) return status(cla.error());
  Channel& channel = channels_[cla->channel];
  if (!channel.open) return status(sw::kLogicalChannelNotSupported);
  // GET RESPONSE must follow the command whose data it fetches, on the same channel.
  if (c.ins == ins::kGetResponse) return channel.response.get_response(c);
  channel.response.clear();

  // A command to the UICC, not to an application: the same whatever the channel has selected.
  if (c.ins == ins::kTerminalCapability)
    return cla->proprietary ? terminal_capability(c) : status(sw::kClassNotSupported);
  if (c.ins == ins::kManageChannel)
    return cla->proprietary ? status(sw::kClassNotSupported) : manage_channel(c, cla->channel);
  if (c.ins == ins::kSelect) {
    if (cla->proprietary) return status(sw::kClassNotSupported);
    // Inside the USIM's ADF, selecting its files is the USIM's business.
    if (channel.selected != Selected::kUsim || c.p1 == 0x04 || selects_master_file(c)) return select(c, channel);
  }
  switch (channel.selected) {
    case Selected::kUsim: return to_usim(c, channel);
    case Selected::kIsdr:
      // The ISD-R takes ES10 functions only, each carried in STORE DATA (FACTS.md §1).
      if (c.ins != ins::kStoreData) return status(sw::kInsNotSupported);
      return cla->proprietary ? store_data(c, channel) : status(sw::kClassNotSupported);
    case Selected::kMasterFile: break;
  }
  return master_file_command(c, cla->proprietary, channel);
}

// ETSI TS 102 221 §11.1.19 TERMINAL CAPABILITY: one 'A9' template of capability TLVs ('80' power
// supply, '81' extended logical channels, '82' additional interfaces, '83' eUICC-related, '84' the
// IoT device's IPA, SGP.32), kept for the card session. Tags this card does not know are kept
// unread; a refused command leaves what an earlier one announced.
Response Card::terminal_capability(const Command& c) {
  if (c.p1 != 0x00 || c.p2 != 0x00) return status(sw::kIncorrectP1P2);
  if (c.data.empty()) return status(sw::kWrongLength);
  auto header = rsp::tlv::read_header(c.data);
  if (!header || header->tag != 0xA9) return status(sw::kIncorrectData);
  // Lc says more or less than the template does.
  if (header->header_size + header->length != c.data.size()) return status(sw::kWrongLength);
  ByteView contents = ByteView(c.data).subspan(header->header_size);
  auto items = rsp::tlv::read_all(contents);
  if (!items) return status(sw::kIncorrectData);
  for (auto it = items->begin(); it != items->end(); ++it) {
    const bool repeated =
        std::any_of(items->begin(), it, [&](const rsp::tlv::Tlv& seen) { return seen.tag == it->tag; });
    if (it->constructed() || repeated) return status(sw::kIncorrectData);
  }
  terminal_capability_ = Bytes(contents.begin(), contents.end());
  return Response{};
}

// ETSI TS 102 221 §11.1.17 MANAGE CHANNEL
Response Card::manage_channel(const Command& c, uint8_t origin) {
  if (!c.data.empty()) return status(sw::kWrongLength);
  if (c.p1 == 0x00) {
    // Open: the card assigns the number (P2 '00'), the only way ETSI TS 102 221 allows.
    if (c.p2 != 0x00) return status(sw::kIncorrectP1P2);
    auto free = std::find_if(channels_.begin() + 1, channels_.end(), [](const Channel& ch) { return !ch.open; });
    if (free == channels_.end()) return status(sw::kFunctionNotSupported);
    free->open = true;
    // Opened from the basic channel it starts at the MF; from another channel it inherits that
    // channel's application (with no current EF: the USIM starts the new channel afresh).
    free->selected = origin == 0 ? Selected::kMasterFile : channels_[origin].selected;
    const uint8_t opened = number(*free);
    if (free->selected == Selected::kUsim) usim_.selected(opened);
    return channels_[origin].response.deliver({opened}, c);
  }
  if (c.p1 == 0x80) {
    // Close the channel P2 names ('00', the basic channel, cannot be closed). Le is tolerated:
    // some terminals send "00 70 80 ch 00".
    if (c.p2 == 0x00 || c.p2 >= kChannels) return status(sw::kIncorrectP1P2);
    Channel& target = channels_[c.p2];
    if (!target.open) return status(sw::kLogicalChannelNotSupported);
    if (faults_.count("ignore-channel-close")) return Response{};  // conformance fault: stays open
    close(target);
    return Response{};
  }
  return status(sw::kIncorrectP1P2);
}

// ETSI TS 102 221 §11.1.1 SELECT
Response Card::select(const Command& c, Channel& channel) {
  switch (c.p1) {
    case 0x04: return select_application(c, channel);
    case 0x00:
    case 0x08: return select_file(c, channel);
    case 0x01:  // child DF, EF under the current DF, parent DF, path from the current DF: none here
    case 0x02:
    case 0x03:
    case 0x09: return status(sw::kFileNotFound);
    default: return status(sw::kIncorrectP1P2);
  }
}

// P2 b4-b3: '00' FCI, '04' FCP, '0C' no data ('08', FMD, is not offered); b2-b1: '00' first or only
// occurrence, '02' next occurrence; the upper nibble is zero.
Response Card::select_application(const Command& c, Channel& channel) {
  uint8_t answer = c.p2 & 0x0C;
  uint8_t occurrence = c.p2 & 0x03;
  if ((c.p2 & 0xF0) != 0 || answer == 0x08 || (occurrence != 0x00 && occurrence != 0x02))
    return status(sw::kIncorrectP1P2);
  if (c.data.empty() || c.data.size() > 16) return status(sw::kWrongLength);
  // Each application is here once: there is never a next occurrence.
  if (occurrence == 0x02) return status(sw::kFileNotFound);

  Selected target;
  if (names(c.data, kIsdrAid)) {
    target = Selected::kIsdr;
  } else if (auto usim_aid = usim_.aid(); usim_aid && names(c.data, *usim_aid)) {
    target = Selected::kUsim;
  } else {
    return status(sw::kFileNotFound);  // the selection stays as it was
  }
  switch_to(channel, target);
  // Asked even when P2 wants no data: selecting is the application's cue to start afresh on the
  // channel (the USIM forgets its current EF there).
  Bytes response = target == Selected::kIsdr ? isdr_.select_response() : usim_.selected(number(channel));
  if (answer == 0x0C) return Response{};
  return channel.response.deliver(std::move(response), c);
}

// By file identifier (P1 '00') or by path from the MF (P1 '08'): outside the applications there are
// the MF and, while a profile is enabled, EF.ICCID under it (by its file id only from the MF).
Response Card::select_file(const Command& c, Channel& channel) {
  uint8_t answer = c.p2 & 0x0C;
  if ((c.p2 & 0xF3) != 0 || answer == 0x08) return status(sw::kIncorrectP1P2);
  const bool by_path = c.p1 == 0x08;
  if (by_path ? c.data.empty() || c.data.size() % 2 != 0 : !c.data.empty() && c.data.size() != 2)
    return status(sw::kWrongLength);
  Bytes fcp;
  if (!by_path && selects_master_file(c)) {
    switch_to(channel, Selected::kMasterFile);
    fcp = kMasterFileFcp;
  } else if (c.data == kEfIccid && (by_path || channel.selected == Selected::kMasterFile)) {
    auto iccid = usim_.iccid();
    if (!iccid) return status(sw::kFileNotFound);
    switch_to(channel, Selected::kMasterFile);
    channel.iccid_current = true;
    fcp = transparent_ef_fcp(0x2FE2, kEfIccidSfi, kArrRecord, iccid->size());
  } else {
    return status(sw::kFileNotFound);
  }
  if (answer == 0x0C) return Response{};
  return channel.response.deliver(std::move(fcp), c);
}

// Commands at the MF: READ BINARY of EF.ICCID; the other file commands find no EF they could work on.
Response Card::master_file_command(const Command& c, bool proprietary, Channel& channel) {
  if (c.ins == ins::kStoreData) return status(proprietary ? sw::kConditionsNotSatisfied : sw::kClassNotSupported);
  const bool file_command = c.ins == ins::kReadBinary || c.ins == ins::kReadRecord || c.ins == ins::kUpdateBinary ||
                            c.ins == ins::kUpdateRecord;
  if (proprietary || !file_command) return status(sw::kInsNotSupported);
  if (c.ins == ins::kReadBinary) return read_iccid(c, channel);
  if (!channel.iccid_current) return status(sw::kCommandNotAllowedNoCurrentEf);
  // EF.ICCID is transparent, and its access condition for UPDATE is NEVer.
  return status(c.ins == ins::kUpdateBinary ? sw::kSecurityStatusNotSatisfied
                                            : sw::kCommandIncompatibleWithFileStructure);
}

// ETSI TS 102 221 §11.1.3 READ BINARY under the MF: EF.ICCID when it is the current EF, or by its SFI.
Response Card::read_iccid(const Command& c, Channel& channel) {
  auto target = parse_read_binary(c);
  if (!target) return status(target.error());
  if (target->short_file_id != 0 && target->short_file_id != kEfIccidSfi) return status(sw::kFileNotFound);
  if (target->short_file_id == 0 && !channel.iccid_current) return status(sw::kCommandNotAllowedNoCurrentEf);
  auto iccid = usim_.iccid();
  // By SFI with no profile enabled there is no such EF; selected before the profile was disabled, the
  // terminal has to select again.
  if (!iccid) return status(target->short_file_id != 0 ? sw::kFileNotFound : sw::kConditionsNotSatisfied);
  channel.iccid_current = true;
  Response r = read_binary_response(c, *iccid, target->offset);
  if (r.sw != sw::kOk || r.data.empty()) return r;
  return channel.response.deliver(std::move(r.data), c);
}

// GlobalPlatform Card Specification v2.3 §11.11 STORE DATA, to the ISD-R.
Response Card::store_data(const Command& c, Channel& channel) {
  if (c.data.empty()) {
    channel.store_data.discard();  // a refused block ends the command, whatever the reason
    return status(sw::kWrongLength);
  }
  auto step = channel.store_data.add(c.p1, c.p2, c.data);
  if (!step) return status(step.error());
  if (!*step) return Response{};  // an intermediate block: 9000, no data
  auto result = isdr_.store_data(**step);
  if (!result) return status(result.error());
  return channel.response.deliver(std::move(*result), c);
}

Response Card::to_usim(const Command& c, Channel& channel) {
  Response r = usim_.process(c);
  if (r.sw != sw::kOk || r.data.empty()) return r;
  return channel.response.deliver(std::move(r.data), c);
}

void Card::switch_to(Channel& channel, Selected target) {
  if (channel.selected != target) leave(channel);
  channel.selected = target;
  channel.iccid_current = false;
  channel.store_data.discard();
}

void Card::leave(Channel& channel) {
  if (channel.selected == Selected::kIsdr) isdr_.channel_closed();
  if (channel.selected == Selected::kUsim) usim_.channel_closed(number(channel));
}

void Card::close(Channel& channel) {
  leave(channel);
  channel = Channel{};
}

uint8_t Card::number(const Channel& channel) const { return static_cast<uint8_t>(&channel - channels_.data()); }

}  // namespace euicc
