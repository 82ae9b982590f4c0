#pragma once
// Confirmation code hashing (SGP.22 v2.5 §3.1.3): hashCc = SHA-256(SHA-256(CC) || transactionId).
#include <string_view>

#include "rsp/bytes.hpp"

namespace rsp {

Bytes sha256(ByteView data);
// `code` as the bytes the user entered; `transaction_id` as raw bytes (not hex).
Bytes hash_confirmation_code(std::string_view code, ByteView transaction_id);

}  // namespace rsp
