#include "class_byte.hpp"

#include "rsp/apdu.hpp"

namespace euicc {

namespace sw = rsp::apdu::sw;

rsp::Expected<ClassByte, uint16_t> decode_class(uint8_t cla) {
  ClassByte c;
  c.proprietary = (cla & 0x80) != 0;
  if ((cla & 0x40) == 0) {
    // '0X' / '8X': b6 must be clear ('A0' is the GSM class of TS 51.011, '2X' is RFU), b5 is
    // command chaining, b4-b3 secure messaging, b2-b1 the channel 0-3.
    if (cla & 0x20) return rsp::Unexpected{sw::kClassNotSupported};
    if (cla & 0x10) return rsp::Unexpected{sw::kCommandChainingNotSupported};
    if (cla & 0x0C) return rsp::Unexpected{sw::kSecureMessagingNotSupported};
    c.channel = cla & 0x03;
    return c;
  }
  // '4X'-'7X' / 'CX'-'FX' (further interindustry): b6 secure messaging, b5 command chaining,
  // b4-b1 the channel minus 4. ('FF' never arrives here: it is PPS, refused when parsing.)
  if (cla & 0x20) return rsp::Unexpected{sw::kSecureMessagingNotSupported};
  if (cla & 0x10) return rsp::Unexpected{sw::kCommandChainingNotSupported};
  c.channel = static_cast<uint8_t>(4 + (cla & 0x0F));
  return c;
}

}  // namespace euicc
