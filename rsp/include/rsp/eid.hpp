#pragma once
// The EID (SGP.02 / SGP.29): 32 decimal digits whose last two are an ISO/IEC 7064 MOD 97-10 check.
#include <optional>
#include <string>
#include <string_view>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"

namespace rsp::eid {

// True when `eid` is 32 digits and its check digits are right (the whole number mod 97 == 1).
bool valid(std::string_view eid);
// The two check digits for the first 30 digits.
Expected<std::string> check_digits(std::string_view first30);
// The first 30 digits completed with their check digits.
Expected<std::string> complete(std::string_view first30);

// 16 bytes, two digits per byte, as tag '5A' carries it; and back.
Expected<Bytes> to_bytes(std::string_view eid);
Expected<std::string> from_bytes(ByteView bytes);

}  // namespace rsp::eid
