#pragma once
// Command and response APDUs (ISO/IEC 7816-4, ETSI TS 102 221 §10), shared by the software
// eUICC (which parses commands) and the IPA (which builds them).
#include <array>
#include <cstdint>
#include <optional>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"

namespace rsp::apdu {

// Status words used across the stack.
namespace sw {
constexpr uint16_t kOk = 0x9000;
constexpr uint16_t kWrongLength = 0x6700;
constexpr uint16_t kSecurityStatusNotSatisfied = 0x6982;
constexpr uint16_t kConditionsNotSatisfied = 0x6985;
constexpr uint16_t kIncorrectData = 0x6A80;
constexpr uint16_t kFunctionNotSupported = 0x6A81;
constexpr uint16_t kFileNotFound = 0x6A82;
constexpr uint16_t kNotEnoughMemory = 0x6A84;
constexpr uint16_t kIncorrectP1P2 = 0x6A86;
constexpr uint16_t kReferenceNotFound = 0x6A88;
constexpr uint16_t kWrongP1P2 = 0x6B00;
constexpr uint16_t kInsNotSupported = 0x6D00;
constexpr uint16_t kClassNotSupported = 0x6E00;
constexpr uint16_t kNoPreciseDiagnosis = 0x6F00;
constexpr uint16_t kLogicalChannelNotSupported = 0x6881;
constexpr uint16_t kSecureMessagingNotSupported = 0x6882;
constexpr uint16_t kCommandChainingNotSupported = 0x6884;
constexpr uint16_t kCommandIncompatibleWithFileStructure = 0x6981;
constexpr uint16_t kCommandNotAllowedNoCurrentEf = 0x6986;
constexpr uint16_t kAuthenticationError = 0x9862;  // TS 31.102 AUTHENTICATE: MAC failure
constexpr uint16_t kMoreData = 0x6100;             // 61xx: xx bytes wait for GET RESPONSE
constexpr uint16_t kWrongLe = 0x6C00;              // 6Cxx: repeat with Le = xx
}  // namespace sw

// Instruction bytes (ETSI TS 102 221 §10.1.2, GlobalPlatform Card Specification §11) the card and
// the IPA use.
namespace ins {
constexpr uint8_t kManageChannel = 0x70;
constexpr uint8_t kAuthenticate = 0x88;
constexpr uint8_t kSelect = 0xA4;
constexpr uint8_t kTerminalCapability = 0xAA;
constexpr uint8_t kReadBinary = 0xB0;
constexpr uint8_t kReadRecord = 0xB2;
constexpr uint8_t kGetResponse = 0xC0;
constexpr uint8_t kUpdateBinary = 0xD6;
constexpr uint8_t kUpdateRecord = 0xDC;
constexpr uint8_t kStoreData = 0xE2;
constexpr uint8_t kStatus = 0xF2;
}  // namespace ins

// SGP.22 v2.5 §2.2.3: the ISD-R's AID, where the LPA/IPA sends every ES10 command.
inline constexpr std::array<uint8_t, 16> kIsdrAid = {0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF,
                                                     0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00};

struct Command {
  uint8_t cla = 0;
  uint8_t ins = 0;
  uint8_t p1 = 0;
  uint8_t p2 = 0;
  Bytes data;
  std::optional<uint32_t> le;  // 0 in a short APDU means 256
  bool extended = false;

  // Short and extended cases 1-4 (ISO/IEC 7816-3 §12.1); nullopt-style error with the SW to answer.
  static Expected<Command, uint16_t> parse(ByteView bytes);
  Bytes encode() const;  // short form when it fits, else extended
  // Logical channel from CLA (first interindustry 0-3, further interindustry 4-19).
  uint8_t channel() const;
};

struct Response {
  Bytes data;
  uint16_t sw = sw::kOk;
  static Expected<Response> parse(ByteView bytes);
  Bytes encode() const;
  uint8_t sw1() const { return static_cast<uint8_t>(sw >> 8); }
  uint8_t sw2() const { return static_cast<uint8_t>(sw); }
};

// CLA for `channel` (0-19), based on a class byte's upper bits (0x00 interindustry, 0x80 proprietary).
uint8_t cla_for_channel(uint8_t base_cla, uint8_t channel);

}  // namespace rsp::apdu
