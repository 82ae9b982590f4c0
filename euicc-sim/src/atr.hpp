#pragma once
#include "rsp/bytes.hpp"

namespace euicc {

// The card's Answer To Reset (ETSI TS 102 221 §6.3, ISO/IEC 7816-3 §8).
rsp::Bytes uicc_atr();

}  // namespace euicc
