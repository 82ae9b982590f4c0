#pragma once
// HMAC-SHA-256 (RFC 2104), for values a server issues and later recognises without storing them
// (the SM-DP+'s stateless transactionId), and a comparison that takes the same time wherever the
// inputs differ.
#include "rsp/bytes.hpp"

namespace rsp::crypto {

// 32 bytes.
Bytes hmac_sha256(ByteView key, ByteView data);

// Whether `a` and `b` are equal, in a time that depends on their lengths only.
bool equal_in_constant_time(ByteView a, ByteView b);

}  // namespace rsp::crypto
