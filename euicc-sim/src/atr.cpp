#include "atr.hpp"

namespace euicc {

rsp::Bytes uicc_atr() {
  constexpr uint8_t kHistoricalBytes = 7;
  rsp::Bytes atr = {
      0x3B,                     // TS: direct convention
      0x90 | kHistoricalBytes,  // T0: TA1 and TD1 follow; K historical bytes
      0x96,                     // TA1: Fi=512, Di=32, as UICCs offer
      0x80,                     // TD1: TD2 follows; T=0
      0xB1,                     // TD2: TA3, TB3, TD3 follow; T=1
      0xFE,                     // TA3: IFSC 254 bytes
      0x45,                     // TB3: BWI 4, CWI 5
      0x1F,                     // TD3: TA4 follows; T=15 (global)
      0xC7,                     // TA4: clock stop, no preference; classes A, B and C
      // Historical bytes (ISO/IEC 7816-4 §8.1.1): category '80', then COMPACT-TLV objects.
      0x80, 0x31, 0xC0,        // card service data: application selection by full and by partial DF name
      0x73, 0xD0, 0x21, 0x17,  // card capabilities: selection by DF name (full, partial) and by FID;
                               // data coding '21'; logical channels assigned by the card, 8 or more
  };
  // TCK, present because T=1 is offered: T0 to TCK XOR to zero.
  uint8_t tck = 0;
  for (size_t i = 1; i < atr.size(); ++i) tck ^= atr[i];
  atr.push_back(tck);
  return atr;
}

}  // namespace euicc
