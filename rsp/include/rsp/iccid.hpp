#pragma once
// ICCID (ITU-T E.118): 19 or 20 digits. ES10 and ES2+ carry it as EF.ICCID does, 10 bytes of BCD with
// the nibbles of each byte swapped and F padding (tag 5A); a SAIP ProfileHeader carries the same
// digits unswapped. Text form: the digits without padding.
#include <string>
#include <string_view>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"

namespace rsp::iccid {

enum class Nibbles { swapped, plain };  // swapped: EF.ICCID / tag 5A; plain: SAIP ProfileHeader

// Accepts 18-20 digits, or 19 digits followed by 'F' (ES2+ forms).
Expected<Bytes> to_bytes(std::string_view digits, Nibbles order = Nibbles::swapped);
Expected<std::string> from_bytes(ByteView bytes, Nibbles order = Nibbles::swapped);
// Normalised text form of an ICCID string (digits only, padding removed), or an error.
Expected<std::string> normalise(std::string_view text);

}  // namespace rsp::iccid
