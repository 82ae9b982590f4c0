// The harness's eUICC for the SM-DP+ role: the software eUICC library in-process, its card layer
// plugged into the IPA's Transport, so the cases drive it with the same ES10 calls an IPA makes.
#include <atomic>

#include "euicc/card.hpp"
#include "euicc/euicc.hpp"
#include "smdp_target.hpp"

namespace conformance {
namespace {

class CardTransport final : public ipa::Transport {
 public:
  explicit CardTransport(euicc::Card& card) : card_(card) {}
  rsp::Expected<rsp::Bytes> connect() override {
    card_.power_on();
    return card_.atr();
  }
  void close() override { card_.power_off(); }
  std::string describe() const override { return "harness eUICC (in-process)"; }

 protected:
  rsp::Expected<rsp::Bytes> exchange(rsp::ByteView apdu) override { return card_.transmit(apdu); }

 private:
  euicc::Card& card_;
};

class InProcessEuicc final : public HarnessEuicc {
 public:
  explicit InProcessEuicc(std::unique_ptr<euicc::Euicc> euicc)
      : euicc_(std::move(euicc)), card_(euicc_->isdr(), euicc_->usim()), transport_(card_), channel_(transport_) {}
  ipa::Es10Channel& channel() override { return channel_; }
  const std::string& eid() const override { return euicc_->eid(); }

 private:
  std::unique_ptr<euicc::Euicc> euicc_;
  euicc::Card card_;
  CardTransport transport_;
  ipa::Es10Channel channel_;
};

}  // namespace

rsp::Expected<std::unique_ptr<HarnessEuicc>> SmdpTarget::new_euicc() const {
  static std::atomic<int> serial{0};
  euicc::Options card;
  card.state_dir = work_dir / ("euicc-" + std::to_string(++serial));
  card.pki_dir = euicc_credentials.value_or(pki);
  auto opened = euicc::Euicc::open(card);
  if (!opened)
    return rsp::fail("cannot create the harness eUICC from " + card.pki_dir->string() + ": " + opened.error().message);
  std::unique_ptr<HarnessEuicc> made = std::make_unique<InProcessEuicc>(std::move(*opened));
  return made;
}

}  // namespace conformance
