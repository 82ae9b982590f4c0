// The AT transport's lines: what a modem's serial device sends back to the IPA's AT+CCHO and
// AT+CGLA/+CSIM commands (3GPP TS 27.007 §8.45, §8.43, §8.17), read as the transport reads it
// (ipa/src/at_reply.hpp): lines collected up to the final result code, then the session id and the
// response APDU taken from them. Input: the bytes the modem sends, arriving in pieces of at most
// 512 bytes (the transport's read buffer), for up to three commands in turn.
#include "at_reply.hpp"
#include "fuzz_target.hpp"

namespace at_reply_target {

void run(const uint8_t* data, size_t size) {
  std::string_view left = rsp::fuzz::text(data, size);
  const char* commands[] = {"AT+CCHO=\"A0000005591010FFFFFFFF8900000100\"", "AT+CGLA=7,10,\"80E2910000\"",
                            "AT+CSIM=10,\"80E2910000\""};
  for (const char* command : commands) {
    ipa::at::ReplyReader reader(command);
    std::optional<ipa::at::Reply> reply;
    while (!reply && !left.empty()) {
      size_t piece = std::min<size_t>(left.size(), 512);
      reply = reader.add(left.substr(0, piece));
      left.remove_prefix(piece);
    }
    if (!reply) return;
    (void)ipa::at::session_id(*reply);
    for (std::string_view name : {"+CGLA:", "+CSIM:"})
      if (auto value = ipa::at::answer_line(*reply, name)) (void)ipa::at::response_apdu(*value);
  }
}

}  // namespace at_reply_target

RSP_FUZZ_TARGET(at_reply, nullptr, at_reply_target::run);
