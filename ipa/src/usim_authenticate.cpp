// 3GPP TS 31.102 §7.1.2 AUTHENTICATE (3G context) from the terminal's side.
#include "usim_authenticate.hpp"

#include <cstdio>

namespace ipa::usim {
namespace {

constexpr size_t kRandLength = 16;
constexpr size_t kAutnLength = 16;

std::string sw_text(uint16_t sw) {
  char text[8];
  std::snprintf(text, sizeof text, "%04X", sw);
  return text;
}

// One length-prefixed value of the answer at `at`, advancing it.
std::optional<Bytes> next_value(ByteView data, size_t& at) {
  if (at >= data.size()) return std::nullopt;
  size_t length = data[at];
  if (at + 1 + length > data.size()) return std::nullopt;
  Bytes value(data.begin() + static_cast<ptrdiff_t>(at + 1), data.begin() + static_cast<ptrdiff_t>(at + 1 + length));
  at += 1 + length;
  return value;
}

}  // namespace

rsp::apdu::Command select_adf(ByteView aid) {
  rsp::apdu::Command c;
  c.ins = rsp::apdu::ins::kSelect;
  c.p1 = 0x04;
  c.p2 = 0x04;
  c.data.assign(aid.begin(), aid.end());
  c.le = 0;
  return c;
}

rsp::apdu::Command authenticate_3g(ByteView rand, ByteView autn) {
  rsp::apdu::Command c;
  c.ins = rsp::apdu::ins::kAuthenticate;
  c.p1 = 0x00;
  c.p2 = 0x81;
  c.data.push_back(static_cast<uint8_t>(rand.size()));
  c.data.insert(c.data.end(), rand.begin(), rand.end());
  c.data.push_back(static_cast<uint8_t>(autn.size()));
  c.data.insert(c.data.end(), autn.begin(), autn.end());
  c.le = 0;
  return c;
}

rsp::Expected<AuthenticateAnswer> parse_authenticate_response(const rsp::apdu::Response& response) {
  AuthenticateAnswer answer;
  if (response.sw == rsp::apdu::sw::kAuthenticationError) {
    answer.outcome = AuthenticateAnswer::Outcome::mac_failure;
    return answer;
  }
  if (response.sw != rsp::apdu::sw::kOk) return rsp::fail("AUTHENTICATE answered status word " + sw_text(response.sw));
  const Bytes& data = response.data;
  if (data.empty()) return rsp::fail("AUTHENTICATE answered no data");
  size_t at = 1;
  if (data[0] == 0xDC) {
    auto auts = next_value(data, at);
    if (!auts || auts->size() != 14 || at != data.size())
      return rsp::fail("AUTHENTICATE: a malformed synchronisation failure ('DC')");
    answer.outcome = AuthenticateAnswer::Outcome::synchronisation_failure;
    answer.auts = std::move(*auts);
    return answer;
  }
  if (data[0] != 0xDB)
    return rsp::fail("AUTHENTICATE: an answer with tag " + rsp::to_hex(ByteView(data).first(1)) + ", not 'DB' or 'DC'");
  auto res = next_value(data, at);
  auto ck = res ? next_value(data, at) : std::nullopt;
  auto ik = ck ? next_value(data, at) : std::nullopt;
  if (!res || !ck || !ik || res->size() < 4 || res->size() > 16 || ck->size() != 16 || ik->size() != 16)
    return rsp::fail("AUTHENTICATE: a malformed successful answer ('DB')");
  answer.res = std::move(*res);
  answer.ck = std::move(*ck);
  answer.ik = std::move(*ik);
  if (at < data.size()) {
    auto kc = next_value(data, at);
    if (!kc || kc->size() != 8) return rsp::fail("AUTHENTICATE: a malformed Kc in the answer ('DB')");
    answer.kc = std::move(*kc);
  }
  if (at != data.size()) return rsp::fail("AUTHENTICATE: bytes after the answer ('DB')");
  return answer;
}

rsp::Expected<AuthenticateAnswer> authenticate(Es10Channel& channel, ByteView aid, ByteView rand, ByteView autn) {
  if (rand.size() != kRandLength || autn.size() != kAutnLength) return rsp::fail("RAND and AUTN are 16 bytes each");
  auto selected = channel.transmit(select_adf(aid));
  if (!selected) return rsp::fail("SELECT ADF.USIM: " + selected.error().message);
  if (selected->sw != rsp::apdu::sw::kOk)
    return rsp::fail(
        "SELECT ADF.USIM " + rsp::to_hex(aid) + ": status word " + sw_text(selected->sw) +
        (selected->sw == rsp::apdu::sw::kFileNotFound ? " (no such application: is a profile enabled?)" : ""));
  auto answered = channel.transmit(authenticate_3g(rand, autn));
  if (!answered) return rsp::fail("AUTHENTICATE: " + answered.error().message);
  return parse_authenticate_response(*answered);
}

}  // namespace ipa::usim
