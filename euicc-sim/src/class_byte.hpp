#pragma once
// ETSI TS 102 221 §10.1.1 Coding of Class Byte (ISO/IEC 7816-4 §5.4.1): the logical channel a
// command is for, and whether it asks for a class feature this card does not have.
#include <cstdint>

#include "rsp/expected.hpp"

namespace euicc {

struct ClassByte {
  uint8_t channel = 0;
  // '8X'/'CX': the ETSI TS 102 221 and GlobalPlatform commands (STORE DATA, STATUS, ...) rather
  // than the ISO ones ('0X'/'4X': SELECT, MANAGE CHANNEL, ...).
  bool proprietary = false;
};

// The class byte decoded, or the status word refusing it.
rsp::Expected<ClassByte, uint16_t> decode_class(uint8_t cla);

}  // namespace euicc
