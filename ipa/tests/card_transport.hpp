#pragma once
// Test-side drivers for ipa::Transport: the software eUICC's APDU layer (euicc::Card) plugged in
// in-process, with switches that make the reader or card misbehave; and a scripted card that
// answers from a list, for what the software eUICC never does (6Cxx).
#include <catch2/catch.hpp>

#include <deque>
#include <functional>
#include <optional>

#include "euicc/card.hpp"
#include "ipa/transport.hpp"

namespace ipa::test {

class CardTransport final : public Transport {
 public:
  explicit CardTransport(euicc::Card& card) : card_(card) {}

  rsp::Expected<Bytes> connect() override {
    card_.power_on();
    return card_.atr();
  }
  void close() override { card_.power_off(); }
  std::string describe() const override { return "in-process"; }

  // A reader or card without logical channels: MANAGE CHANNEL answers 6881.
  bool refuse_manage_channel = false;
  // Sees each command APDU; an answer it returns replaces the card's (the card never sees that command).
  std::function<std::optional<Bytes>(ByteView)> intercept;

 protected:
  rsp::Expected<Bytes> exchange(ByteView apdu) override {
    if (refuse_manage_channel && apdu.size() >= 2 && apdu[1] == 0x70) return Bytes{0x68, 0x81};
    if (intercept)
      if (auto answer = intercept(apdu)) return std::move(*answer);
    return card_.transmit(apdu);
  }

 private:
  euicc::Card& card_;
};

// Answers each APDU with the next scripted response and records the commands.
class ScriptedTransport final : public Transport {
 public:
  explicit ScriptedTransport(std::deque<Bytes> answers) : answers_(std::move(answers)) {}
  rsp::Expected<Bytes> connect() override { return Bytes{0x3B, 0x00}; }
  void close() override {}
  std::string describe() const override { return "scripted"; }
  std::vector<Bytes> commands;

 protected:
  rsp::Expected<Bytes> exchange(ByteView apdu) override {
    commands.emplace_back(apdu.begin(), apdu.end());
    if (answers_.empty()) return rsp::fail("scripted: no answer left");
    Bytes next = std::move(answers_.front());
    answers_.pop_front();
    return next;
  }

 private:
  std::deque<Bytes> answers_;
};

}  // namespace ipa::test
