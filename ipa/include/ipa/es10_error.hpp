#pragma once
// How an ES10 call fails, as a value: the transport broke, the card answered a status word other
// than 9000, its answer did not match the schema, or it answered with one of the spec's result or
// error codes (EnableProfile's profileNotInDisabledState (2) ...), which travel up intact.
#include <cstdint>
#include <string>

#include "rsp/expected.hpp"

namespace ipa {

struct Es10Error {
  enum class Kind {
    transport,    // the driver failed (connection lost, reader gone, timeout)
    status_word,  // the card refused an APDU: `status_word`
    malformed,    // the answer is not what the spec's ASN.1 says
    result,       // the function's own result/error code: `code`
  };
  Kind kind = Kind::transport;
  uint16_t status_word = 0;
  long code = 0;
  // One line for people: "EnableProfile: profileNotInDisabledState (2)".
  std::string message;
};

template <class T>
using Es10Expected = rsp::Expected<T, Es10Error>;
using Es10Status = rsp::Status<Es10Error>;

}  // namespace ipa
