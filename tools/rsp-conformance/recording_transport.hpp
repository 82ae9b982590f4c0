#pragma once
// A Transport that passes every APDU to the card's transport and appends command and response to
// the log it is given, so the report can show each case's exchange.
#include "exchange.hpp"
#include "ipa/transport.hpp"

namespace conformance {

class RecordingTransport : public ipa::Transport {
 public:
  RecordingTransport(ipa::Transport& inner, ExchangeLog& log) : inner_(inner), log_(log) {}
  rsp::Expected<rsp::Bytes> connect() override { return inner_.connect(); }
  void close() override { inner_.close(); }
  std::string describe() const override { return inner_.describe(); }
  rsp::Expected<bool> open_logical_channel(rsp::ByteView aid) override { return inner_.open_logical_channel(aid); }
  void close_logical_channel() override { inner_.close_logical_channel(); }
  std::optional<int> active_protocol() const override { return inner_.active_protocol(); }

 protected:
  rsp::Expected<rsp::Bytes> exchange(rsp::ByteView command_apdu) override {
    auto response = inner_.transmit(command_apdu);
    log_.push_back(
        {"apdu", {}, rsp::Bytes(command_apdu.begin(), command_apdu.end()), response ? *response : rsp::Bytes{}});
    return response;
  }

 private:
  ipa::Transport& inner_;
  ExchangeLog& log_;
};

}  // namespace conformance
