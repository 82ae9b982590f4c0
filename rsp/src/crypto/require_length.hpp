#pragma once
// The length check of the AKA algorithms' inputs: a wrong length there is the caller's programming
// error (the wire's lengths are checked before), so it throws rather than returning a failure.
#include <stdexcept>
#include <string>

#include "rsp/bytes.hpp"

namespace rsp::crypto {

// Throws std::invalid_argument "<algorithm>: <what> must be N bytes, got M" unless v is `length` bytes.
inline void require_length(const char* algorithm, ByteView v, size_t length, const char* what) {
  if (v.size() != length)
    throw std::invalid_argument(std::string(algorithm) + ": " + what + " must be " + std::to_string(length) +
                                " bytes, got " + std::to_string(v.size()));
}

}  // namespace rsp::crypto
