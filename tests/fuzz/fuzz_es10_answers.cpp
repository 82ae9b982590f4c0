// ES10 answers at the IPA: what a card (or whatever sits on the other end of the transport) sends
// back to the IPA's typed ES10a/b/c and SGP.32 ES10b calls, read by their parsers and the channel
// layer (STORE DATA segments, 61xx/GET RESPONSE, 6Cxx). Input: one byte choosing the function, then
// the card's answers in order, each with a 2-byte big-endian length (the data and SW1 SW2 as the
// transport returns them; "6F00" once they run out). MANAGE CHANNEL and SELECT of the ISD-R get a
// plain success, so that every input reaches the function.
#include <algorithm>
#include <functional>
#include <vector>

#include "fuzz_target.hpp"
#include "ipa/es10_channel.hpp"
#include "ipa/es10a.hpp"
#include "ipa/es10b.hpp"
#include "ipa/es10c.hpp"
#include "ipa/sgp32_es10b.hpp"
#include "ipa/transport.hpp"
#include "rsp/tlv.hpp"

namespace es10_answers_target {

using rsp::Bytes;
using rsp::ByteView;
using rsp::tlv::encode;

class ScriptedCard final : public ipa::Transport {
 public:
  explicit ScriptedCard(ByteView answers) : answers_(answers) {}
  rsp::Expected<Bytes> connect() override { return Bytes{}; }
  void close() override {}
  std::string describe() const override { return "fuzz"; }

 protected:
  rsp::Expected<Bytes> exchange(ByteView apdu) override {
    if (apdu.size() >= 2 && apdu[1] == 0x70) return Bytes{0x01, 0x90, 0x00};  // MANAGE CHANNEL: channel 1
    if (apdu.size() >= 2 && apdu[1] == 0xA4) return Bytes{0x90, 0x00};        // SELECT the ISD-R
    if (apdu.size() >= 3 && apdu[1] == 0xE2 && (apdu[2] & 0x80) == 0)
      return Bytes{0x90, 0x00};  // a block before the last
    if (answers_.size() < 2) return Bytes{0x6F, 0x00};
    size_t length = std::min(static_cast<size_t>(answers_[0] << 8 | answers_[1]), answers_.size() - 2);
    Bytes answer(answers_.begin() + 2, answers_.begin() + 2 + static_cast<std::ptrdiff_t>(length));
    answers_ = answers_.subspan(2 + length);
    return answer;
  }

 private:
  ByteView answers_;
};

// What the IPA sends does not matter to its parsers; these are well-formed enough to be sent.
const Bytes kTransactionId(16, 0x5A);
Bytes bound_profile_package() {
  Bytes initialise = encode(0xBF23, encode(0x80, Bytes(16, 0x01)));
  return encode(0xBF36,
                rsp::concat({initialise, encode(0xA0, encode(0x87, Bytes(8, 0x02))),
                             encode(0xA1, encode(0x88, Bytes(8, 0x03))), encode(0xA3, encode(0x86, Bytes(8, 0x04)))}));
}

using Call = std::function<void(ipa::Es10Channel&)>;
const std::vector<Call>& calls() {
  namespace b = ipa::es10b;
  namespace c = ipa::es10c;
  namespace s = ipa::sgp32;
  static const auto iccid = c::ProfileIdentifier::by_iccid("8949449999999990017");
  static const std::vector<Call> all = {
      [](auto& ch) { (void)b::get_euicc_info1(ch); },
      [](auto& ch) { (void)b::get_euicc_info2(ch); },
      [](auto& ch) { (void)b::get_euicc_challenge(ch); },
      [](auto& ch) { (void)b::authenticate_server(ch, encode(0xBF38, Bytes(4, 0))); },
      [](auto& ch) { (void)b::prepare_download(ch, encode(0xBF21, Bytes(4, 0))); },
      [](auto& ch) { (void)b::load_bound_profile_package(ch, bound_profile_package()); },
      [](auto& ch) { (void)b::cancel_session(ch, kTransactionId, b::CancelSessionReason::postponed); },
      [](auto& ch) { (void)b::list_notification(ch); },
      [](auto& ch) { (void)b::retrieve_notifications_list(ch); },
      [](auto& ch) { (void)b::remove_notification_from_list(ch, 1); },
      [](auto& ch) { (void)b::get_rat(ch); },
      [](auto& ch) { (void)ipa::es10a::get_euicc_configured_addresses(ch); },
      [](auto& ch) { (void)ipa::es10a::set_default_dp_address(ch, "smdp.example.org"); },
      [](auto& ch) { (void)c::get_profiles_info(ch); },
      [](auto& ch) { (void)c::enable_profile(ch, iccid); },
      [](auto& ch) { (void)c::disable_profile(ch, iccid); },
      [](auto& ch) { (void)c::delete_profile(ch, iccid); },
      [](auto& ch) { (void)c::euicc_memory_reset(ch, {}); },
      [](auto& ch) { (void)c::get_eid(ch); },
      [](auto& ch) { (void)c::set_nickname(ch, "8949449999999990017", "fuzz"); },
      [](auto& ch) { (void)s::get_certs(ch); },
      [](auto& ch) { (void)s::get_eim_configuration_data(ch); },
      [](auto& ch) { (void)s::add_initial_eim(ch, {encode(0x30, encode(0x80, rsp::to_bytes("eim")))}); },
      [](auto& ch) { (void)s::load_euicc_package(ch, encode(0xBF51, Bytes(4, 0))); },
      [](auto& ch) { (void)s::profile_rollback(ch); },
      [](auto& ch) { (void)s::configure_immediate_profile_enabling(ch, {}); },
      [](auto& ch) { (void)s::immediate_enable(ch); },
  };
  return all;
}

void run(const uint8_t* data, size_t size) {
  if (size == 0) return;
  ScriptedCard card(rsp::fuzz::bytes(data + 1, size - 1));
  ipa::Es10Channel channel(card);
  calls()[data[0] % calls().size()](channel);
}

}  // namespace es10_answers_target

RSP_FUZZ_TARGET(es10_answers, nullptr, es10_answers_target::run);
