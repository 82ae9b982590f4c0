#include "ipa/es10_channel.hpp"

#include <cstdio>

namespace ipa {
namespace {

using rsp::apdu::Command;
using rsp::apdu::Response;

using rsp::apdu::ins::kGetResponse;
using rsp::apdu::ins::kManageChannel;
using rsp::apdu::ins::kSelect;
using rsp::apdu::ins::kStoreData;
using rsp::apdu::ins::kTerminalCapability;
constexpr uint8_t kMoreBlocks = 0x11;  // BER-TLV data, more blocks follow
constexpr uint8_t kLastBlock = 0x91;   // BER-TLV data, last block
// What the IPA announces with TERMINAL CAPABILITY (ETSI TS 102 221 §11.1.19.2): '83' the
// eUICC-related terminal capabilities (SGP.22 v2.5 §3.4.2: b1 LUId, b2 LPDd, b3 LDSd: the CLI,
// downloads, SM-DS discovery), '84' SGP.32's IoT device capability (b1: the device has an IPAd).
const Bytes kTerminalCapabilities = {0xA9, 0x06, 0x83, 0x01, 0x07, 0x84, 0x01, 0x01};
// A card that keeps saying 61xx: give up after this many GET RESPONSEs (~64 KiB at 256 each).
constexpr int kMaxGetResponses = 256;

std::string sw_text(uint16_t sw) {
  char text[5];
  std::snprintf(text, sizeof text, "%04X", sw);
  return text;
}

Es10Error transport_error(const rsp::Error& e) { return {Es10Error::Kind::transport, 0, 0, e.message}; }
Es10Error sw_error(const std::string& what, uint16_t sw) {
  return {Es10Error::Kind::status_word, sw, 0, what + ": the card answered " + sw_text(sw)};
}

}  // namespace

Es10Channel::Es10Channel(Transport& transport, ChannelOptions options)
    : transport_(transport), options_(std::move(options)) {}

Es10Channel::~Es10Channel() { close(); }

Es10Status Es10Channel::open() {
  if (channel_) return rsp::Ok{};
  if (options_.segment_size < kMinSegmentSize ||
      (options_.segment_size > kMaxSegmentSize && !options_.oversize_segment_fault))
    return rsp::Unexpected{
        Es10Error{Es10Error::Kind::malformed, 0, 0,
                  "STORE DATA segment size " + std::to_string(options_.segment_size) + " is outside 6..255"}};
  // A modem that opens the channel and selects the ISD-R itself: its channel carries the traffic.
  auto by_transport = transport_.open_logical_channel(options_.isdr_aid);
  if (!by_transport) return rsp::Unexpected{transport_error(by_transport.error())};
  if (*by_transport) {
    channel_ = 0;
    logical_ = false;
    by_transport_ = true;
    return rsp::Ok{};
  }
  // Announced on the basic channel before anything else of ours. Older cards answer 6D00, a modem
  // may refuse to pass it on: no reason to stop, and the trace shows the answer.
  (void)exchange(Command{0x80, kTerminalCapability, 0x00, 0x00, kTerminalCapabilities, std::nullopt, false});
  // ETSI TS 102 221 §11.1.17 MANAGE CHANNEL open, on the basic channel: the card picks the number.
  auto opened = exchange(Command{0x00, kManageChannel, 0x00, 0x00, {}, 1u, false});
  if (!opened) return rsp::Unexpected{opened.error()};
  if (opened->sw == rsp::apdu::sw::kOk && opened->data.size() == 1 && opened->data[0] > 0 && opened->data[0] < 20) {
    channel_ = opened->data[0];
    logical_ = true;
  } else if (options_.basic_channel_fallback) {
    channel_ = 0;  // a card or reader without logical channels: the ISD-R goes on the basic channel
    logical_ = false;
  } else {
    return rsp::Unexpected{sw_error("MANAGE CHANNEL", opened->sw)};
  }
  auto selected = transmit(Command{0x00, kSelect, 0x04, 0x00, options_.isdr_aid, 256u, false});
  if (!selected || selected->sw != rsp::apdu::sw::kOk) {
    Es10Error error =
        selected ? sw_error("SELECT ISD-R " + rsp::to_hex(options_.isdr_aid), selected->sw) : selected.error();
    close();
    return rsp::Unexpected{std::move(error)};
  }
  return rsp::Ok{};
}

void Es10Channel::close() {
  if (!channel_) return;
  if (logical_) (void)exchange(Command{0x00, kManageChannel, 0x80, *channel_, {}, std::nullopt, false});
  if (by_transport_) transport_.close_logical_channel();
  channel_.reset();
  logical_ = false;
  by_transport_ = false;
}

Es10Expected<Bytes> Es10Channel::call(ByteView command) {
  if (command.empty()) return rsp::Unexpected{Es10Error{Es10Error::Kind::malformed, 0, 0, "an empty ES10 command"}};
  deadline_ = std::chrono::steady_clock::now() + options_.command_timeout;
  struct EndOfCall {
    std::optional<std::chrono::steady_clock::time_point>& deadline;
    ~EndOfCall() { deadline.reset(); }
  } end_of_call{deadline_};
  if (auto opened = open(); !opened) return rsp::Unexpected{opened.error()};
  const size_t segment = options_.segment_size;
  const size_t blocks = (command.size() + segment - 1) / segment;
  if (blocks > 256)  // P2 numbers the blocks in one byte
    return rsp::Unexpected{Es10Error{
        Es10Error::Kind::malformed, 0, 0,
        "an ES10 command of " + std::to_string(command.size()) + " bytes needs more than 256 STORE DATA blocks"}};
  for (size_t block = 0; block < blocks; ++block) {
    const bool last = block + 1 == blocks;
    ByteView part = command.subspan(block * segment, last ? command.size() - block * segment : segment);
    auto answer =
        transmit(Command{0x80, kStoreData, last ? kLastBlock : kMoreBlocks, static_cast<uint8_t>(block),
                         Bytes(part.begin(), part.end()), last ? std::optional<uint32_t>(256) : std::nullopt, false});
    if (!answer) return rsp::Unexpected{answer.error()};
    if (answer->sw != rsp::apdu::sw::kOk)
      return rsp::Unexpected{
          sw_error("STORE DATA block " + std::to_string(block) + " of " + std::to_string(blocks), answer->sw)};
    if (last) return std::move(answer->data);
  }
  return Bytes{};  // not reached: blocks >= 1
}

Es10Expected<Response> Es10Channel::transmit(Command command) {
  command.cla = rsp::apdu::cla_for_channel(command.cla, number());
  return exchange(command);
}

Es10Expected<Response> Es10Channel::exchange(const Command& first) {
  const auto deadline = deadline_.value_or(std::chrono::steady_clock::now() + options_.command_timeout);
  // One APDU; 6Cxx means "wrong Le, xx is right": the same command once more with that Le.
  auto send = [&](Command c) -> Es10Expected<Response> {
    for (int attempt = 0;; ++attempt) {
      if (std::chrono::steady_clock::now() >= deadline)
        return rsp::Unexpected{Es10Error{Es10Error::Kind::transport, 0, 0,
                                         transport_.describe() + ": the card did not complete the command within " +
                                             seconds_text(options_.command_timeout)}};
      auto raw = transport_.transmit(c.encode());
      if (!raw) return rsp::Unexpected{transport_error(raw.error())};
      auto response = Response::parse(*raw);
      if (!response) return rsp::Unexpected{Es10Error{Es10Error::Kind::malformed, 0, 0, response.error().message}};
      if ((response->sw & 0xFF00) != rsp::apdu::sw::kWrongLe || attempt > 0) return std::move(*response);
      c.le = response->sw2() ? response->sw2() : 256u;
    }
  };
  auto response = send(first);
  if (!response) return response;
  // 61xx: xx more bytes (00: 256 or more) wait for GET RESPONSE on the same channel.
  Bytes data = std::move(response->data);
  for (int round = 0; (response->sw & 0xFF00) == rsp::apdu::sw::kMoreData; ++round) {
    if (round == kMaxGetResponses)
      return rsp::Unexpected{Es10Error{Es10Error::Kind::malformed, 0, 0, "the card kept announcing more data (61xx)"}};
    uint8_t more = response->sw2();
    response = send(Command{rsp::apdu::cla_for_channel(0x00, first.channel()),
                            kGetResponse,
                            0x00,
                            0x00,
                            {},
                            more ? uint32_t{more} : 256u,
                            false});
    if (!response) return response;
    data.insert(data.end(), response->data.begin(), response->data.end());
  }
  response->data = std::move(data);
  return response;
}

}  // namespace ipa
