// The eUICC role's transport cases, below the ES10 functions: T=0 case-4 commands read out with
// GET RESPONSE (ETSI TS 102 221 §7.3.1.1.4, ISO/IEC 7816-3 §12.2), a second logical channel with
// the ISD-R selected on it (ETSI TS 102 221 §11.1.17 MANAGE CHANNEL, SGP.22 v2.5 §2.2.3), and the
// STORE DATA framing with every small segment size (GPCS v2.3 §11.11). Read-only: GetEID only.
#include <optional>

#include "euicc_case.hpp"
#include "euicc_download.hpp"
#include "rsp/apdu.hpp"
#include "rsp/tlv.hpp"

namespace conformance {
namespace {

using rsp::Bytes;
using rsp::apdu::Command;
using rsp::apdu::Response;
namespace ins = rsp::apdu::ins;
namespace sw = rsp::apdu::sw;

// ES10c.GetEID, as one STORE DATA block.
const Bytes kGetEid = {0xBF, 0x3E, 0x03, 0x5C, 0x01, 0x5A};

std::string hex_sw(uint16_t word) {
  return rsp::to_hex(Bytes{static_cast<uint8_t>(word >> 8), static_cast<uint8_t>(word)});
}

// The protocol the ATR names first (ISO/IEC 7816-3 §8.2.3): T=0 when TD1 is absent.
std::optional<int> first_protocol(const Bytes& atr) {
  if (atr.size() < 2) return std::nullopt;
  uint8_t t0 = atr[1];
  if (!(t0 & 0x80)) return 0;
  size_t at = 2 + ((t0 & 0x10) != 0) + ((t0 & 0x20) != 0) + ((t0 & 0x40) != 0);
  if (at >= atr.size()) return std::nullopt;
  return atr[at] & 0x0F;
}

// One APDU as the card answers it, without the channel layer's 61xx and 6Cxx handling.
rsp::Expected<Response> raw(EuiccTarget& t, const Command& c) {
  auto bytes = t.channel.transport().transmit(c.encode());
  if (!bytes) return rsp::Unexpected{bytes.error()};
  return Response::parse(*bytes);
}

// One APDU, its 61xx answers read out with GET RESPONSE on the same channel.
rsp::Expected<Response> with_get_response(EuiccTarget& t, const Command& c) {
  auto r = raw(t, c);
  Bytes data;
  while (r && (r->sw & 0xFF00) == sw::kMoreData) {
    data.insert(data.end(), r->data.begin(), r->data.end());
    uint8_t more = static_cast<uint8_t>(r->sw & 0xFF);
    r = raw(t, Command{rsp::apdu::cla_for_channel(0x00, c.channel()),
                       ins::kGetResponse,
                       0,
                       0,
                       {},
                       more ? uint32_t{more} : 256u,
                       false});
  }
  if (r) r->data.insert(r->data.begin(), data.begin(), data.end());
  return r;
}

Outcome t0_get_response(EuiccTarget& t) {
  auto atr = t.channel.transport().connect();  // the card is powered: its ATR again, nothing reset
  if (!atr) return fail("expected the card's ATR, got: " + atr.error().message);
  // The protocol the reader reports (PC/SC), else the one the ATR offers first (vpcd: T=0).
  auto protocol = t.channel.transport().active_protocol();
  if (protocol && *protocol != 0)
    return not_applicable("the reader speaks T=" + std::to_string(*protocol) + " with the card");
  if (!protocol && first_protocol(*atr) != 0)
    return not_applicable("the ATR " + rsp::to_hex(*atr) + " does not offer T=0 first");
  auto reference = t.channel.call(kGetEid);
  if (!reference) return fail("expected GetEID through the channel, got: " + reference.error().message);
  // Case 4 on T=0: the command goes without Le; the card must keep its answer for GET RESPONSE.
  uint8_t cla = rsp::apdu::cla_for_channel(0x80, t.channel.number());
  auto first = raw(t, Command{cla, ins::kStoreData, 0x91, 0x00, kGetEid, std::nullopt, false});
  if (!first) return fail("STORE DATA: " + first.error().message);
  if ((first->sw & 0xFF00) != sw::kMoreData || !first->data.empty())
    return fail("expected 61xx with no data for STORE DATA without Le, got " + rsp::to_hex(first->data) + " " +
                hex_sw(first->sw));
  size_t announced = first->sw & 0xFF;
  if (announced != 0 && announced != reference->size())
    return fail("expected 61" + hex_sw(static_cast<uint16_t>(reference->size())).substr(2) + ", got " +
                hex_sw(first->sw));
  auto rest = raw(t, Command{rsp::apdu::cla_for_channel(0x00, t.channel.number()),
                             ins::kGetResponse,
                             0,
                             0,
                             {},
                             announced ? uint32_t(announced) : 256u,
                             false});
  if (!rest) return fail("GET RESPONSE: " + rest.error().message);
  if (rest->sw != sw::kOk || rest->data != *reference)
    return fail("expected GET RESPONSE to give " + rsp::to_hex(*reference) + " 9000, got " + rsp::to_hex(rest->data) +
                " " + hex_sw(rest->sw));
  // Nothing is left: a second GET RESPONSE has no data to give.
  auto again =
      raw(t, Command{rsp::apdu::cla_for_channel(0x00, t.channel.number()), ins::kGetResponse, 0, 0, {}, 256u, false});
  if (again && again->sw == sw::kOk && !again->data.empty())
    return fail("expected no data for a second GET RESPONSE, got " + rsp::to_hex(again->data));
  return pass("61" + hex_sw(first->sw).substr(2) + ", then GET RESPONSE with the answer");
}

Outcome logical_channel(EuiccTarget& t) {
  if (!t.channel.is_open()) (void)t.channel.open();
  auto reference = t.channel.call(kGetEid);
  if (!reference) return fail("expected GetEID through the harness's channel, got: " + reference.error().message);
  auto opened = with_get_response(t, Command{0x00, ins::kManageChannel, 0x00, 0x00, {}, 1u, false});
  if (!opened) return fail("MANAGE CHANNEL open: " + opened.error().message);
  if (opened->sw == sw::kLogicalChannelNotSupported || opened->sw == sw::kFunctionNotSupported ||
      opened->sw == sw::kInsNotSupported)
    return not_applicable("MANAGE CHANNEL open refused with " + hex_sw(opened->sw) + ": no further logical channel");
  if (opened->sw != sw::kOk || opened->data.size() != 1 || opened->data[0] == 0 || opened->data[0] > 19)
    return fail("expected MANAGE CHANNEL open to give a channel 1..19 and 9000, got " + rsp::to_hex(opened->data) +
                " " + hex_sw(opened->sw));
  uint8_t n = opened->data[0];
  auto close = [&] {
    return raw(t, Command{rsp::apdu::cla_for_channel(0x00, n), ins::kManageChannel, 0x80, n, {}, std::nullopt, false});
  };
  if (n == t.channel.number()) {
    (void)close();
    return fail("MANAGE CHANNEL gave channel " + std::to_string(n) + ", the one the harness already has open");
  }
  Bytes aid(rsp::apdu::kIsdrAid.begin(), rsp::apdu::kIsdrAid.end());
  auto selected =
      with_get_response(t, Command{rsp::apdu::cla_for_channel(0x00, n), ins::kSelect, 0x04, 0x00, aid, 256u, false});
  std::optional<std::string> problem;
  if (!selected || selected->sw != sw::kOk)
    problem = "SELECT ISD-R on channel " + std::to_string(n) + ": expected 9000, got " +
              (selected ? hex_sw(selected->sw) : selected.error().message);
  if (!problem) {
    auto eid = with_get_response(
        t, Command{rsp::apdu::cla_for_channel(0x80, n), ins::kStoreData, 0x91, 0x00, kGetEid, 256u, false});
    if (!eid || eid->sw != sw::kOk || eid->data != *reference)
      problem = "GetEID on channel " + std::to_string(n) + ": expected " + rsp::to_hex(*reference) + " 9000, got " +
                (eid ? rsp::to_hex(eid->data) + " " + hex_sw(eid->sw) : eid.error().message);
  }
  if (!problem) {
    auto still = t.channel.call(kGetEid);
    if (!still || *still != *reference)
      problem = "the harness's own channel " + std::to_string(t.channel.number()) + " stopped answering GetEID";
  }
  auto closed = close();
  if (problem) return fail(*problem);
  if (!closed || closed->sw != sw::kOk)
    return fail("MANAGE CHANNEL close " + std::to_string(n) + ": expected 9000, got " +
                (closed ? hex_sw(closed->sw) : closed.error().message));
  auto after = raw(t, Command{rsp::apdu::cla_for_channel(0x80, n), ins::kStoreData, 0x91, 0x00, kGetEid, 256u, false});
  if (after && (after->sw == sw::kOk || (after->sw & 0xFF00) == sw::kMoreData))
    return fail("expected STORE DATA on the closed channel " + std::to_string(n) + " refused (6881), got " +
                hex_sw(after->sw));
  return pass("channel " + std::to_string(n) + ": ISD-R selected, GetEID answered, closed, then refused (" +
              (after ? hex_sw(after->sw) : "no answer") + ")");
}

// GetProfilesInfo in every segment size from 6 up to the one that carries it whole.
Outcome every_segment_size(EuiccTarget& t) {
  // GetProfilesInfo with a tag list (21 bytes), as in ES10.StoreData.SegmentSizes.
  Bytes command =
      rsp::tlv::encode(0xBF2D, rsp::tlv::encode(0x5C, Bytes{0x5A, 0x4F, 0x9F, 0x70, 0x90, 0x91, 0x92, 0x95, 0xB6, 0xB7,
                                                            0xB8, 0x99, 0xBF, 0x76, 0x5A, 0x4F}));
  auto reference = t.channel.call(command);
  if (!reference) return fail("expected an answer in one segment, got: " + reference.error().message);
  for (size_t size = ipa::Es10Channel::kMinSegmentSize; size < command.size(); ++size) {
    ipa::ChannelOptions options = t.channel.options();
    options.segment_size = size;
    ipa::Es10Channel segmented(t.channel.transport(), options);
    auto answer = segmented.call(command);
    if (!answer || *answer != *reference)
      return fail("segments of " + std::to_string(size) + " bytes: expected " + rsp::to_hex(*reference) + ", got " +
                  (answer ? rsp::to_hex(*answer) : answer.error().message));
  }
  return pass("every segment size 6.." + std::to_string(command.size() - 1) + " gives the one-segment answer");
}

// AuthenticateServer (some 1100 bytes, the longest command a card takes without installing anything)
// in blocks of sizes around every power of two and the ends of 6..255: the card must get the same
// request each time, as its signed answer shows.
Outcome long_command_segment_sizes(EuiccTarget& t) {
  if (auto skip = download::preconditions(t, false)) return *skip;
  auto dp = download::trusted_credentials(t);
  if (!dp) return not_applicable(dp.error().message);
  size_t blocks = 0;
  for (size_t size : {6, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 200, 254, 255}) {
    ipa::ChannelOptions options = t.channel.options();
    options.segment_size = size;
    ipa::Es10Channel segmented(t.channel.transport(), options);
    download::Session s;
    auto answer = download::authenticate(segmented, *dp, s, {});
    (void)ipa::es10b::cancel_session(segmented, s.transaction_id, ipa::es10b::CancelSessionReason::undefinedReason);
    std::string at = "AuthenticateServer in " + std::to_string(size) + "-byte blocks: ";
    if (!answer || !answer->ok())
      return fail(at + "expected authenticateResponseOk, got " +
                  (answer ? "error code " + std::to_string(*answer->error_code) : answer.error().message));
    if (auto eid = download::verify_euicc(*dp, s, answer->tlv); !eid)
      return fail(at + "expected the answer to verify, got " + eid.error().message);
    blocks++;
  }
  return pass(std::to_string(blocks) + " block sizes from 6 to 255, each answered and verified");
}

}  // namespace

std::vector<Case> euicc_transport_cases() {
  return {
      euicc("ES10.Transport.T0GetResponse", "ETSI TS 102 221 §7.3.1.1.4; ISO/IEC 7816-3 §12.2.2",
            "STORE DATA GetEID as a T=0 case-4 command (no Le), then GET RESPONSE (only when the ATR offers T=0 first)",
            "61xx with no data, then the GetEID answer and 9000; nothing more after", t0_get_response),
      euicc(
          "ES10.Transport.LogicalChannel", "ETSI TS 102 221 §11.1.17; SGP.22 v2.5 §2.2.3",
          "MANAGE CHANNEL open, SELECT ISD-R and GetEID on the new channel (CLA channel bits), MANAGE CHANNEL close, GetEID again",
          "a new channel number, the ISD-R selected, the same EID, the harness's channel unaffected, the closed channel refused",
          logical_channel),
      euicc("ES10.StoreData.EverySegmentSize", "GPCS v2.3 §11.11 STORE DATA (SGP.22 ES10 framing)",
            "GetProfilesInfo with a tag list (21 bytes) in blocks of every size from 6 to 20",
            "the same answer for every size", every_segment_size),
      euicc(
          "ES10.StoreData.LongCommandSegmentSizes", "GPCS v2.3 §11.11 STORE DATA; SGP.22 v2.5 §5.7.13",
          "AuthenticateServer (~1100 bytes) in blocks of 6, 7, 8, 15-17, 31-33, 63-65, 127-129, 200, 254, 255 bytes, each session cancelled (--pki)",
          "authenticateResponseOk verifying under CERT.EUICC for every block size", long_command_segment_sizes),
  };
}

}  // namespace conformance
