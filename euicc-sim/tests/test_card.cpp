// The card's APDU layer, command by command, with the exact status words: ATR, logical channels,
// SELECT, EF.ICCID, STORE DATA block chaining, 61xx + GET RESPONSE, malformed commands, reset, and
// what the USIM is told about its channels.
#include <catch2/catch.hpp>

#include <vector>

#include "euicc/card.hpp"
#include "fake_applications.hpp"
#include "rsp/tlv.hpp"
#include "support/kit.hpp"

using namespace euicc;
using euicc::test::FakeIsdr;
using euicc::test::FakeUsim;
using rsp::to_hex;
using rsp::test::hex;

namespace {

const std::string kIsdr = "A0000005591010FFFFFFFF8900000100";
const std::string kUsimAid = "A0000000871002FF33FF018900000100";
const std::string kSelectIsdr = "00A4040010" + kIsdr;

struct Fixture {
  FakeIsdr isdr;
  FakeUsim usim;
  Card card{isdr, usim};

  // The response APDU in hex.
  std::string tx(const std::string& command) { return to_hex(card.transmit(hex(command))); }
  std::string tx(const Bytes& command) { return to_hex(card.transmit(command)); }
};

std::string fci() { return to_hex(FakeIsdr::fci()); }

// A STORE DATA block: CLA, P1, P2 and the data, Lc computed.
Bytes store_data(uint8_t cla, uint8_t p1, uint8_t p2, const Bytes& data) {
  rsp::apdu::Command c{cla, 0xE2, p1, p2, data, std::nullopt, false};
  return c.encode();
}

uint16_t sw_of(const Bytes& response) {
  return static_cast<uint16_t>(response[response.size() - 2] << 8 | response.back());
}

Bytes pattern(size_t size) {
  Bytes out(size);
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(i * 7 + 3);
  return out;
}

}  // namespace

TEST_CASE("the ATR offers T=0 and T=1 and its check byte is right") {
  FakeIsdr isdr;
  FakeUsim usim;
  Card card(isdr, usim);
  Bytes atr = card.atr();
  REQUIRE(atr.size() >= 3);
  CHECK(atr.size() <= 33);  // ISO/IEC 7816-3 §8.2.1
  CHECK(atr[0] == 0x3B);    // direct convention
  // Walk the interface bytes: each TDi names a protocol and which bytes follow.
  std::vector<int> protocols;
  size_t i = 1;
  uint8_t y = atr[1] >> 4;
  size_t historical = atr[1] & 0x0F;
  ++i;
  while (true) {
    i += ((y & 1) != 0) + ((y & 2) != 0) + ((y & 4) != 0);  // TA, TB, TC
    if (!(y & 8)) break;
    REQUIRE(i < atr.size());
    protocols.push_back(atr[i] & 0x0F);
    y = atr[i] >> 4;
    ++i;
  }
  CHECK(protocols == std::vector<int>{0, 1, 15});
  // Historical bytes, then TCK (present because T=1 is offered): T0..TCK XOR to zero.
  CHECK(atr.size() == i + historical + 1);
  uint8_t x = 0;
  for (size_t k = 1; k < atr.size(); ++k) x ^= atr[k];
  CHECK(x == 0);
  CHECK(to_hex(atr) == "3B979680B1FE451FC78031C073D02117B7");
}

TEST_CASE("SELECT ISD-R on the basic channel: FCI through 61xx, or at once with Le") {
  Fixture f;
  CHECK(f.tx(kSelectIsdr) == "6114");  // case 3 (as lpac sends it): the FCI waits
  CHECK(f.tx("00C0000014") == fci() + "9000");
  CHECK(f.tx(kSelectIsdr + "00") == fci() + "9000");                // case 4, Le 256
  CHECK(f.tx(kSelectIsdr + "08") == fci().substr(0, 16) + "610C");  // Le 8: the rest waits
  CHECK(f.tx("00C000000C") == fci().substr(16) + "9000");
  CHECK(f.tx("00A4040C10" + kIsdr) == "9000");                 // P2 '0C': no data
  CHECK(f.tx("00A4040410" + kIsdr + "00") == fci() + "9000");  // P2 '04': FCP asked, the FCI given
  // A partial DF name (at least the RID) selects the application it begins.
  CHECK(f.tx("00A404000C" + kIsdr.substr(0, 24) + "00") == fci() + "9000");
  CHECK(f.isdr.channel_closed_calls == 0);  // re-selecting the ISD-R does not end its session
}

TEST_CASE("SELECT: unknown AIDs, bad P1/P2 and lengths") {
  Fixture f;
  CHECK(f.tx("00A4040010A0000005591010FFFFFFFF8900000200") == "6A82");  // ECASD: not here
  CHECK(f.tx("00A4040004A0000005") == "6A82");                          // shorter than a RID
  CHECK(f.tx("00A4040210" + kIsdr) == "6A82");                          // next occurrence: none
  CHECK(f.tx("00A4040810" + kIsdr) == "6A86");                          // FMD: not offered
  CHECK(f.tx("00A4040110" + kIsdr) == "6A86");                          // last occurrence
  CHECK(f.tx("00A4041010" + kIsdr) == "6A86");
  CHECK(f.tx("00A4050010" + kIsdr) == "6A86");
  CHECK(f.tx("00A40400") == "6700");                          // no AID
  CHECK(f.tx("00A4040011" + kIsdr + "01") == "6700");         // 17 bytes
  CHECK(f.tx("00A4040010" + kIsdr.substr(0, 30)) == "6700");  // Lc says 16, 15 follow
  CHECK(f.tx("80A4040010" + kIsdr) == "6E00");                // SELECT is an ISO command
  // A failed SELECT leaves the selection as it was.
  CHECK(f.tx(kSelectIsdr + "00") == fci() + "9000");
  CHECK(f.tx("00A4040010A0000005591010FFFFFFFF8900000200") == "6A82");
  CHECK(f.tx(to_hex(store_data(0x80, 0x91, 0x00, hex("BF2E00")))) == "6103");
}

TEST_CASE("SELECT by file identifier: the MF answers with its FCP, other files are not found") {
  Fixture f;
  std::string mf = f.tx("00A40004023F00");
  REQUIRE(mf.substr(0, 2) == "61");
  std::string fcp = f.tx("00C00000" + mf.substr(2, 2));
  CHECK(fcp.substr(0, 4) == "6218");
  CHECK(fcp.substr(12, 8) == "83023F00");
  CHECK(fcp.substr(fcp.size() - 4) == "9000");
  CHECK(f.tx("00A4000C023F00") == "9000");
  CHECK(f.tx("00A40000023F0000").substr(0, 4) == "6218");  // P2 '00' with Le: at once
  CHECK(f.tx("00A4000C") == "9000");                       // no data: the MF (ISO/IEC 7816-4)
  CHECK(f.tx("00A4000C022FE2") == "6A82");                 // EF.ICCID: no profile enabled
  CHECK(f.tx("00A4000C037F1001") == "6700");
  CHECK(f.tx("00A4080C047F106F3A") == "6A82");  // by path: nothing under the MF
  CHECK(f.tx("00A4000D023F00") == "6A86");
  CHECK(f.tx("00A4000802"
             "3F00") == "6A86");
}

TEST_CASE("MANAGE CHANNEL opens channels 1-19, CLA routes to each, the 20th is refused") {
  Fixture f;
  for (int expected = 1; expected < 20; ++expected) {
    char sw[8];
    std::snprintf(sw, sizeof sw, "%02X9000", expected);
    CHECK(f.tx("0070000001") == sw);
  }
  CHECK(f.tx("0070000001") == "6A81");  // no channel left
  // First interindustry class for 1-3, further interindustry for 4-19 (ETSI TS 102 221 §10.1.1).
  for (uint8_t ch = 1; ch < 20; ++ch) {
    uint8_t iso = rsp::apdu::cla_for_channel(0x00, ch);
    uint8_t proprietary = rsp::apdu::cla_for_channel(0x80, ch);
    Bytes select = hex(kSelectIsdr + "00");
    select[0] = iso;
    CHECK(f.tx(select) == fci() + "9000");
    Bytes command = store_data(proprietary, 0x91, 0x00, Bytes{0xBF, 0x2E, 0x01, ch});
    command.push_back(0x00);  // Le
    CHECK(f.tx(command) == "BF2E01" + to_hex(Bytes{ch}) + "9000");
  }
  CHECK(f.tx("C1E2910003BF2E0000") == "BF2E009000");  // channel 5, proprietary class
  CHECK(f.tx("0070800501AA") == "6700");              // close with data
  CHECK(f.tx("0070800500") == "9000");                // close, Le tolerated as lpac sends it
  CHECK(f.tx("C1E2910003BF2E0000") == "6881");
  CHECK(f.tx("0070000001") == "059000");  // the lowest free number comes back
}

TEST_CASE("MANAGE CHANNEL: closed channels, bad P1/P2, class and length") {
  Fixture f;
  CHECK(f.tx("01A4040010" + kIsdr) == "6881");  // channel 1 is not open
  CHECK(f.tx("4FA4040010" + kIsdr) == "6881");  // nor 19
  CHECK(f.tx("0070800100") == "6881");          // closing a channel that is not open
  CHECK(f.tx("0070800000") == "6A86");          // the basic channel cannot be closed
  CHECK(f.tx("0070801400") == "6A86");          // there is no channel 20
  CHECK(f.tx("0070000101") == "6A86");          // the card assigns the number
  CHECK(f.tx("0070400001") == "6A86");
  CHECK(f.tx("8070000001") == "6E00");
  CHECK(f.tx("00700000010101") == "6700");
  CHECK(f.tx("0070000001") == "019000");
  CHECK(f.tx("00700000") == "6101");  // no Le: the number waits for GET RESPONSE
  CHECK(f.tx("00C0000001") == "029000");
  CHECK(f.tx("0170800200") == "9000");  // any open channel may close another
  CHECK(f.tx("0170800100") == "9000");  // or itself
  CHECK(f.tx("01A4040010" + kIsdr) == "6881");
}

TEST_CASE("TERMINAL CAPABILITY: 9000 and kept for the card session, 6700 / 6A80 / 6A86 / 6E00 when malformed") {
  Fixture f;
  const std::string announced = "830107840101";  // eUICC-related (LUId, LPDd, LDSd), IoT: IPAd
  CHECK_FALSE(f.card.terminal_capability());
  CHECK(f.tx("80AA000008A906" + announced) == "9000");
  REQUIRE(f.card.terminal_capability());
  CHECK(to_hex(*f.card.terminal_capability()) == announced);

  // Refused, each leaving what was announced before.
  CHECK(f.tx("80AA0000") == "6700");                    // no data
  CHECK(f.tx("80AA000000") == "6700");                  // Le only
  CHECK(f.tx("80AA000005A905830107") == "6700");        // the template claims more than Lc
  CHECK(f.tx("80AA000007A903830107FF") == "6700");      // a byte after the template
  CHECK(f.tx("80AA000005A803830107") == "6A80");        // not an 'A9' template
  CHECK(f.tx("80AA000004A9028302") == "6A80");          // a capability TLV cut short
  CHECK(f.tx("80AA000008A906830107830101") == "6A80");  // '83' twice
  CHECK(f.tx("80AA000007A905A3038301FF") == "6A80");    // a constructed capability
  CHECK(f.tx("80AA010005A903830107") == "6A86");        // P1-P2 other than 00 00
  CHECK(f.tx("00AA000005A903830107") == "6E00");        // the interindustry class
  CHECK(f.tx("A0AA000005A903830107") == "6E00");        // the GSM class
  CHECK(f.tx("81AA000005A903830107") == "6881");        // channel 1 is not open
  CHECK(to_hex(*f.card.terminal_capability()) == announced);

  // Whatever is selected, on any open channel; tags this card does not know are kept, a later
  // announcement replaces an earlier one, and an empty template is an announcement of nothing.
  CHECK(f.tx(kSelectIsdr) == "6114");
  CHECK(f.tx("80AA000007A9058100830103") == "9000");  // extended logical channels, LPDd
  CHECK(to_hex(*f.card.terminal_capability()) == "8100830103");
  CHECK(f.tx("0070000001") == "019000");
  CHECK(f.tx("81AA000006A904DF7F0101") == "9000");  // a two-byte tag, unknown here
  CHECK(to_hex(*f.card.terminal_capability()) == "DF7F0101");
  CHECK(f.tx("81E2910003BF2E0000") == "6985");  // channel 1 still has the MF selected
  CHECK(f.tx("80AA000002A900") == "9000");
  CHECK(f.card.terminal_capability()->empty());

  // A new card session forgets it.
  f.card.reset();
  CHECK_FALSE(f.card.terminal_capability());
}

TEST_CASE("a new channel starts at the MF, or with the selection of the channel it was opened from") {
  Fixture f;
  CHECK(f.tx("0070000001") == "019000");
  CHECK(f.tx("01A4040C10" + kIsdr) == "9000");
  CHECK(f.tx("0170000001") == "029000");  // opened from channel 1: the ISD-R is selected there
  CHECK(f.tx("82E2910003BF2E0000") == "BF2E009000");
  CHECK(f.tx("0070000001") == "039000");  // opened from the basic channel: the MF
  CHECK(f.tx("83E2910003BF2E0000") == "6985");
}

TEST_CASE("closing a channel or resetting tells the ISD-R only where it was selected") {
  Fixture f;
  CHECK(f.tx("0070000001") == "019000");
  CHECK(f.tx("0070000001") == "029000");
  CHECK(f.tx("01A4040C10" + kIsdr) == "9000");
  CHECK(f.tx("0070800200") == "9000");  // channel 2 held only the MF
  CHECK(f.isdr.channel_closed_calls == 0);
  CHECK(f.tx("0070800100") == "9000");
  CHECK(f.isdr.channel_closed_calls == 1);

  // Selecting something else on the ISD-R's channel ends its session there too.
  CHECK(f.tx("00A4040C10" + kIsdr) == "9000");
  CHECK(f.tx("00A4000C023F00") == "9000");
  CHECK(f.isdr.channel_closed_calls == 2);

  // Power off with the ISD-R selected on two channels: it hears it once, every channel closes.
  CHECK(f.tx("00A4040C10" + kIsdr) == "9000");
  CHECK(f.tx("0070000001") == "019000");
  CHECK(f.tx("01A4040C10" + kIsdr) == "9000");
  f.card.power_off();
  CHECK(f.isdr.channel_closed_calls == 3);
  CHECK_FALSE(f.card.powered());
  f.card.power_on();
  CHECK(f.tx("01A4040C10" + kIsdr) == "6881");
  CHECK(f.tx("80E2910003BF2E0000") == "6985");  // the basic channel is back at the MF

  CHECK(f.tx("00A4040C10" + kIsdr) == "9000");
  f.card.reset();
  CHECK(f.isdr.channel_closed_calls == 4);
  f.card.reset();  // nothing selected: nothing to tell
  CHECK(f.isdr.channel_closed_calls == 4);
}

TEST_CASE("STORE DATA blocks are joined and the ISD-R sees one command") {
  Fixture f;
  CHECK(f.tx("0070000001") == "019000");
  CHECK(f.tx("01A4040C10" + kIsdr) == "9000");
  Bytes command = pattern(300);
  CHECK(f.tx(store_data(0x81, 0x11, 0x00, Bytes(command.begin(), command.begin() + 120))) == "9000");
  CHECK(f.tx(store_data(0x81, 0x11, 0x01, Bytes(command.begin() + 120, command.begin() + 240))) == "9000");
  CHECK(f.isdr.commands.empty());
  // The last block: the echo (300 bytes) waits behind 61xx, since the command had no Le.
  CHECK(f.tx(store_data(0x81, 0x91, 0x02, Bytes(command.begin() + 240, command.end()))) == "6100");
  REQUIRE(f.isdr.commands.size() == 1);
  CHECK(f.isdr.commands[0] == command);
  // lpac fetches with CLA 8X, the ISO form is 0X: both are served.
  std::string first = f.tx("81C0000000");
  CHECK(first.substr(first.size() - 4) == "612C");
  std::string second = f.tx("01C000002C");
  CHECK(second.substr(second.size() - 4) == "9000");
  CHECK(first.substr(0, first.size() - 4) + second.substr(0, second.size() - 4) == to_hex(command));
}

TEST_CASE("STORE DATA: a wrong block number or P1 is refused and the partial command discarded") {
  Fixture f;
  CHECK(f.tx("00A4040C10" + kIsdr) == "9000");
  CHECK(f.tx(store_data(0x80, 0x11, 0x00, hex("BF2102"))) == "9000");
  CHECK(f.tx(store_data(0x80, 0x11, 0x02, hex("AAAA"))) == "6A86");  // block 1 expected
  CHECK(f.tx(store_data(0x80, 0x91, 0x01, hex("AAAA"))) == "6A86");  // the chain is gone: 0 expected
  CHECK(f.isdr.commands.empty());
  CHECK(f.tx(store_data(0x80, 0x11, 0x01, hex("AAAA"))) == "6A86");  // a first block numbered 1
  for (uint8_t p1 : {0x00, 0x01, 0x10, 0x80, 0x90, 0x81, 0x51}) {
    CHECK(f.tx(store_data(0x80, p1, 0x00, hex("BF2E00"))) == "6A86");
  }
  CHECK(f.tx(store_data(0x80, 0x11, 0x00, hex("BF2E"))) == "9000");
  CHECK(f.tx("80E2910100") == "6700");                                 // no data
  CHECK(f.tx(store_data(0x80, 0x91, 0x00, hex("BF2E00"))) == "6103");  // the chain was dropped
  CHECK(f.tx("00C0000003") == "BF2E009000");
  REQUIRE(f.isdr.commands.size() == 1);

  // Re-selecting the ISD-R drops a half-received command as well.
  CHECK(f.tx(store_data(0x80, 0x11, 0x00, hex("BF2E"))) == "9000");
  CHECK(f.tx("00A4040C10" + kIsdr) == "9000");
  CHECK(f.tx(store_data(0x80, 0x91, 0x01, hex("00"))) == "6A86");
  // And a reset.
  CHECK(f.tx(store_data(0x80, 0x11, 0x00, hex("BF2E"))) == "9000");
  f.card.reset();
  CHECK(f.tx("00A4040C10" + kIsdr) == "9000");
  CHECK(f.tx(store_data(0x80, 0x91, 0x01, hex("00"))) == "6A86");
}

TEST_CASE("STORE DATA: wrong class, nothing selected, the ISD-R's own refusal, too much data") {
  Fixture f;
  CHECK(f.tx("80E2910003BF2E00") == "6985");  // MF selected: no application to take it
  CHECK(f.tx("00E2910003BF2E00") == "6E00");
  CHECK(f.tx("00A4040C10" + kIsdr) == "9000");
  CHECK(f.tx("00E2910003BF2E00") == "6E00");  // STORE DATA is a GlobalPlatform ('8X') command
  CHECK(f.tx("80CA005A00") == "6D00");        // the ISD-R takes only STORE DATA
  CHECK(f.tx("00B0000000") == "6D00");
  f.isdr.refuse = 0x6A80;
  CHECK(f.tx("80E2910003BF2E00") == "6A80");
  f.isdr.refuse.reset();
  f.isdr.reply = Bytes{};  // an intermediate step of LoadBoundProfilePackage
  CHECK(f.tx("80E2910003BF2E0000") == "9000");
  // 17 blocks of 4000 bytes (extended Lc) exceed the 64 KiB the card holds for one command.
  Bytes block(4000, 0xAB);
  uint16_t last = 0;
  unsigned n = 0;
  for (; n < 17 && (last = sw_of(f.card.transmit(store_data(0x80, 0x11, static_cast<uint8_t>(n), block)))) == 0x9000;
       ++n) {
  }
  CHECK(n == 16);
  CHECK(last == 0x6A84);
  CHECK(f.tx(store_data(0x80, 0x91, 0x10, hex("00"))) == "6A86");  // that command is gone
  // P2 is one byte: block 255 cannot announce another.
  for (n = 0; n < 255 && sw_of(f.card.transmit(store_data(0x80, 0x11, static_cast<uint8_t>(n), hex("00")))) == 0x9000;
       ++n) {
  }
  CHECK(n == 255);
  CHECK(f.tx(store_data(0x80, 0x11, 0xFF, hex("00"))) == "6A86");
  CHECK(f.tx(store_data(0x80, 0x91, 0x00, hex("BF2E00"))) == "9000");  // a fresh command works
}

TEST_CASE("a 600-byte response comes in pieces through GET RESPONSE, 6Cxx names the right Le") {
  Fixture f;
  Bytes big = pattern(600);
  f.isdr.reply = big;
  CHECK(f.tx("00A4040C10" + kIsdr) == "9000");
  CHECK(f.tx("80E2910003BF2200") == "6100");  // 256 or more wait
  Bytes got;
  auto take = [&](const std::string& get_response, const std::string& expected_sw, size_t expected_size) {
    Bytes r = f.card.transmit(hex(get_response));
    REQUIRE(r.size() >= 2);
    CHECK(to_hex(Bytes(r.end() - 2, r.end())) == expected_sw);
    CHECK(r.size() - 2 == expected_size);
    got.insert(got.end(), r.begin(), r.end() - 2);
  };
  take("00C0000000", "6100", 256);      // Le '00': as much as there is, up to 256
  take("80C0000000", "6158", 256);      // 88 left
  take("00C0000010", "6148", 16);       // a smaller Le is fine
  CHECK(f.tx("00C0000050") == "6C48");  // an exact Le beyond the data: T=0's 6Cxx, data kept
  take("00C0000048", "9000", 72);
  CHECK(got == big);
  CHECK(f.tx("00C0000000") == "6985");  // nothing left

  // Case 4 with Le: the first Le bytes at once, the rest behind 61xx.
  Bytes first = f.card.transmit(hex("80E2910003BF220020"));
  CHECK(first.size() == 34);
  CHECK(to_hex(Bytes(first.end() - 2, first.end())) == "6100");  // 568 left
  // Extended Le '0000' (65536): everything in one response.
  Bytes all = f.card.transmit(hex("80E29100000003BF22000000"));
  REQUIRE(all.size() == 602);
  CHECK(Bytes(all.begin(), all.end() - 2) == big);
  CHECK(to_hex(Bytes(all.end() - 2, all.end())) == "9000");
}

TEST_CASE("GET RESPONSE: P1/P2, length, and data that belongs to another command or channel") {
  Fixture f;
  CHECK(f.tx("0070000001") == "019000");
  CHECK(f.tx("01A4040C10" + kIsdr) == "9000");
  CHECK(f.tx("00A4040C10" + kIsdr) == "9000");
  CHECK(f.tx("81E2910003BF2E00") == "6103");
  CHECK(f.tx("00C0000003") == "6985");        // channel 0 has nothing waiting
  CHECK(f.tx("81C0010003") == "6B00");        // P1 P2 must be '00 00'
  CHECK(f.tx("81C00000") == "6700");          // Le is mandatory
  CHECK(f.tx("81C0000001AA03") == "6700");    // and it carries no data
  CHECK(f.tx("81C0000003") == "BF2E009000");  // still waiting after those refusals
  // Any other command on the channel drops what was waiting.
  CHECK(f.tx("81E2910003BF2E00") == "6103");
  CHECK(f.tx("01A4040C10" + kIsdr) == "9000");
  CHECK(f.tx("81C0000003") == "6985");
}

TEST_CASE("class bytes this card does not support get their own status words") {
  Fixture f;
  CHECK(f.tx("A0A40000023F00") == "6E00");  // GSM class (TS 51.011)
  CHECK(f.tx("20A40000023F00") == "6E00");  // RFU
  CHECK(f.tx("B0E2910003BF2E00") == "6E00");
  CHECK(f.tx("FFA40000023F00") == "6E00");  // PPS, not a class
  CHECK(f.tx("10A40000023F00") == "6884");  // command chaining
  CHECK(f.tx("50A40000023F00") == "6884");
  CHECK(f.tx("04A40000023F00") == "6882");    // secure messaging
  CHECK(f.tx("84E2910003BF2E00") == "6882");  // GlobalPlatform C-MAC
  CHECK(f.tx("60A40000023F00") == "6882");
  CHECK(f.tx("E0E2910003BF2E00") == "6882");
}

TEST_CASE("unknown instructions and malformed lengths") {
  Fixture f;
  CHECK(f.tx("0012000000") == "6D00");
  CHECK(f.tx("80F2000C") == "6D00");
  CHECK(f.tx("00B0000010") == "6986");  // READ BINARY with no EF selected
  CHECK(f.tx("00B2010400") == "6986");
  CHECK(f.tx("00A404") == "6700");  // shorter than a header
  CHECK(f.tx("") == "6700");
  CHECK(f.tx("00A4040005AABB") == "6700");  // Lc 5, two bytes follow
  CHECK(f.tx("00A4040000") == "6700");      // Le only, no AID: a case 2 SELECT by name
}

TEST_CASE("the USIM: selected by its AID or a prefix when a profile is enabled, and given its commands") {
  Fixture f;
  CHECK(f.tx("00A4040410" + kUsimAid) == "6A82");  // no profile enabled: no ADF
  f.usim.adf_aid = hex(kUsimAid);
  CHECK(f.tx("00A4040410" + kUsimAid) == "6108");
  CHECK(f.tx("00C0000008") == to_hex(FakeUsim::fcp()) + "9000");
  CHECK(f.tx("00A4040C07A0000000871002") == "9000");  // the prefix terminals use
  CHECK(f.usim.commands.empty());
  // Told of each selection, P2 '0C' included, with the channel: it starts afresh there.
  CHECK(f.usim.selected_on == std::vector<uint8_t>{0, 0});
  // AUTHENTICATE as a case 4 command over T=0 (no Le): the answer waits behind 61xx.
  CHECK(f.tx("008800812210" + std::string(32, '1') + "10" + std::string(32, '2')) == "610A");
  CHECK(f.tx("00C000000A") == "DB0801020304050607089000");
  REQUIRE(f.usim.commands.size() == 1);
  CHECK(f.usim.commands[0].ins == 0x88);
  CHECK(f.usim.commands[0].data.size() == 34);
  // SELECT of a file inside the ADF and the '8X' commands are the USIM's; its refusals pass through.
  CHECK(f.tx("00A40004026F07") == "6105");
  CHECK(f.tx("80F2000C") == "9000");
  CHECK(f.tx("00B0000009") == "6D00");
  CHECK(f.usim.commands.size() == 4);
  CHECK(f.usim.commands[1].ins == 0xA4);
  // MANAGE CHANNEL, GET RESPONSE, SELECT of an application or of the MF stay with the card.
  CHECK(f.tx("0070000001") == "019000");
  CHECK(f.tx("00A4040C10" + kIsdr) == "9000");
  CHECK(f.tx("80E2910003BF2E00") == "6103");
  CHECK(f.usim.commands.size() == 4);
  CHECK(f.tx("00A4040C10" + kUsimAid) == "9000");
  CHECK(f.isdr.channel_closed_calls == 1);  // leaving the ISD-R
  CHECK(f.tx("00A4000C023F00") == "9000");
  CHECK(f.tx("00B0000009") == "6986");  // back at the MF
  CHECK(f.usim.commands.size() == 4);
  // The profile is disabled: its ADF can no longer be selected.
  f.usim.adf_aid.reset();
  CHECK(f.tx("00A4040C10" + kUsimAid) == "6A82");
}

TEST_CASE("the USIM hears on which channel its ADF is selected, inherited and left") {
  Fixture f;
  f.usim.adf_aid = hex(kUsimAid);
  CHECK(f.tx("0070000001") == "019000");
  CHECK(f.tx("01A4040C10" + kUsimAid) == "9000");
  CHECK(f.usim.selected_on == std::vector<uint8_t>{1});
  // A channel opened from the USIM's channel has the ADF too, and the USIM starts it afresh.
  CHECK(f.tx("0170000001") == "029000");
  CHECK(f.usim.selected_on == std::vector<uint8_t>{1, 2});
  CHECK(f.tx("02A40004026F07") == "6105");  // channel 2 goes to the USIM
  CHECK(f.usim.commands.size() == 1);
  // One opened from the basic channel starts at the MF: nothing to tell.
  CHECK(f.tx("0070000001") == "039000");
  CHECK(f.usim.selected_on.size() == 2);
  CHECK(f.usim.closed_on.empty());

  CHECK(f.tx("0070800200") == "9000");  // closed
  CHECK(f.usim.closed_on == std::vector<uint8_t>{2});
  CHECK(f.tx("01A4040C10" + kIsdr) == "9000");  // something else selected there
  CHECK(f.usim.closed_on == std::vector<uint8_t>{2, 1});
  CHECK(f.tx("0070800300") == "9000");  // channel 3 never had the ADF
  CHECK(f.usim.closed_on.size() == 2);

  // Power off: every channel that had the ADF.
  CHECK(f.tx("00A4040C10" + kUsimAid) == "9000");
  CHECK(f.tx("01A4040C07A0000000871002") == "9000");
  f.usim.closed_on.clear();
  f.card.power_off();
  CHECK(f.usim.closed_on == std::vector<uint8_t>{0, 1});
  CHECK(f.isdr.channel_closed_calls == 1);  // when channel 1 left it, not again now
}

TEST_CASE("EF.ICCID under the MF: the enabled profile's ICCID, by file id, path or SFI") {
  Fixture f;
  const std::string iccid = "98001032547698103214";  // 89000123456789012341, nibbles swapped
  f.usim.ef_iccid = hex(iccid);
  std::string fcp = f.tx("00A40004022FE200");
  REQUIRE(fcp.substr(fcp.size() - 4) == "9000");
  const Bytes fcp_bytes = hex(fcp.substr(0, fcp.size() - 4));
  auto template_62 = rsp::tlv::read(fcp_bytes).value();
  CHECK(template_62.tag == 0x62);
  auto child = [&](rsp::tlv::Tag tag) { return to_hex(rsp::tlv::find(template_62.value, tag).value().value); };
  CHECK(child(0x82) == "4121");  // transparent, working EF
  CHECK(child(0x83) == "2FE2");
  CHECK(child(0x80) == "000A");  // 10 bytes
  CHECK(child(0x88) == "10");    // SFI '02'
  CHECK(f.tx("00B000000A") == iccid + "9000");
  CHECK(f.tx("00B0000000") == iccid + "9000");  // Le '00': what there is
  CHECK(f.tx("00B0000504") == iccid.substr(10, 8) + "9000");
  CHECK(f.tx("00B000000C") == "6C0A");    // beyond the end: the right Le
  CHECK(f.tx("00B0000A01") == "6B00");    // offset beyond the end
  CHECK(f.tx("00B00000") == "6700");      // no Le
  CHECK(f.tx("00D6000001FF") == "6982");  // UPDATE: never
  CHECK(f.tx("00B2010400") == "6981");    // not a record file
  CHECK(f.tx("80B000000A") == "6D00");

  // Selecting the MF leaves no current EF; READ BINARY by SFI '02' makes EF.ICCID current again.
  CHECK(f.tx("00A4000C023F00") == "9000");
  CHECK(f.tx("00B000000A") == "6986");
  CHECK(f.tx("00B082000A") == iccid + "9000");
  CHECK(f.tx("00B000000A") == iccid + "9000");
  CHECK(f.tx("00B083000A") == "6A82");  // no EF with SFI '03' under the MF
  // By path from the MF, and each channel keeps its own current EF.
  CHECK(f.tx("0070000001") == "019000");
  CHECK(f.tx("01B000000A") == "6986");
  CHECK(f.tx("01A4080C022FE2") == "9000");
  CHECK(f.tx("01B000000A") == iccid + "9000");
  // From the ISD-R: not by its file id (it is no child of the ISD-R), by path yes.
  CHECK(f.tx("00A4040C10" + kIsdr) == "9000");
  CHECK(f.tx("00A4000C022FE2") == "6A82");
  CHECK(f.tx("00A4080C022FE2") == "9000");
  CHECK(f.isdr.channel_closed_calls == 1);  // that left the ISD-R
  CHECK(f.tx("00B000000A") == iccid + "9000");
  CHECK(f.tx("00A4080C023F00") == "6A82");  // a path from the MF does not name the MF

  // The profile is disabled under the selection: select again; then there is no EF.ICCID.
  f.usim.ef_iccid.reset();
  CHECK(f.tx("00B000000A") == "6985");
  CHECK(f.tx("00B082000A") == "6A82");
  CHECK(f.tx("00A4000C022FE2") == "6A82");
}

TEST_CASE("traffic counters and power") {
  Fixture f;
  CHECK(f.card.stats().power_ups == 1);
  CHECK(f.tx(kSelectIsdr) == "6114");
  CHECK(f.tx("00C0000014") == fci() + "9000");
  CHECK(f.card.stats().command_apdus == 2);
  CHECK(f.card.stats().bytes_in == 21 + 5);
  CHECK(f.card.stats().bytes_out == 2 + 22);
  f.card.power_off();
  // A command to a card that is off powers it on first, as a reader would: a fresh session.
  CHECK(f.tx("80E2910003BF2E00") == "6985");
  CHECK(f.card.powered());
  CHECK(f.card.stats().power_ups == 2);
  CHECK(f.card.stats().command_apdus == 3);
  f.card.power_on();  // already on: nothing changes
  CHECK(f.card.stats().power_ups == 2);
  f.card.reset();
  CHECK(f.card.stats().power_ups == 3);
}
