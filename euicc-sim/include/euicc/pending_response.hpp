#pragma once
// Response data that did not fit the command's Le, or came for a command without Le (a case 4
// command sent over T=0, ETSI TS 102 221 §7.3.1): the card answers 61xx and GET RESPONSE fetches
// the rest in pieces.
#include "rsp/apdu.hpp"

namespace euicc {

class PendingResponse {
 public:
  // The answer to `command` whose result is `data` with SW 9000: all of it when it fits the
  // command's Le, else as much as Le allows (nothing without Le) and 61xx for the rest.
  rsp::apdu::Response deliver(rsp::Bytes data, const rsp::apdu::Command& command);
  // ETSI TS 102 221 §12.1.1 GET RESPONSE.
  rsp::apdu::Response get_response(const rsp::apdu::Command& command);
  void clear();
  size_t remaining() const { return data_.size() - offset_; }

 private:
  rsp::apdu::Response take(size_t count);

  rsp::Bytes data_;
  size_t offset_ = 0;
};

}  // namespace euicc
