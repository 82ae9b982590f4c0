// Through PC/SC: a pcscd of the test's own with a vpcd reader, the card connected to it with
// connect_vpcd, and a pcsc-lite client that sees the reader and the card, reads the ATR, opens a
// logical channel, selects the ISD-R and sends STORE DATA. Then pcscd restarts and the card comes
// back into the reader by itself.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "euicc/vpcd_link.hpp"
#include "fake_applications.hpp"
#include "pcscd_harness.hpp"
#include "support/kit.hpp"

using namespace euicc;
using namespace std::chrono_literals;
using euicc::test::FakeIsdr;
using euicc::test::FakeUsim;
using euicc::test::PcscClient;
using euicc::test::PrivatePcscd;
using rsp::to_hex;
using rsp::test::hex;

namespace {

const std::string kIsdr = "A0000005591010FFFFFFFF8900000100";
const std::string kEid = "89049032123451234512345678901235";

// What an LPA does first, through PC/SC: open a channel, select the ISD-R there, GetEID (ES10c).
void get_eid_through_pcsc(PcscClient& client, const Card& card, FakeIsdr& isdr) {
  CHECK(client.atr() == card.atr());
  CHECK(to_hex(client.transmit(hex("0070000001"))) == "019000");
  CHECK(to_hex(client.transmit(hex("01A4040010" + kIsdr))) == "6114");
  CHECK(to_hex(client.transmit(hex("01C0000014"))) == to_hex(FakeIsdr::fci()) + "9000");
  isdr.reply = hex("BF3E125A10" + kEid);
  CHECK(to_hex(client.transmit(hex("81E2910006BF3E035C015A"))) == "6115");
  CHECK(to_hex(client.transmit(hex("81C0000015"))) == "BF3E125A10" + kEid + "9000");
  REQUIRE_FALSE(isdr.commands.empty());
  CHECK(to_hex(isdr.commands.back()) == "BF3E035C015A");
  CHECK(to_hex(client.transmit(hex("0070800100"))) == "9000");
}

}  // namespace

TEST_CASE("a PC/SC client sees the card in a vpcd reader, and again after pcscd restarts") {
  PrivatePcscd pcscd;  // exits 77 (skipped) with the reason when pcscd cannot run here
  std::printf("pcscd: vpcd on port %u, %s\n", pcscd.vpcd_port(),
              pcscd.isolated() ? "/run/pcscd private (mount namespace)" : "socket private, /run/pcscd shared");

  FakeIsdr isdr;
  FakeUsim usim;
  Card card(isdr, usim);
  std::mutex log_mutex;
  int connections = 0;
  LinkOptions options;
  options.first_backoff = 20ms;
  options.max_backoff = 200ms;
  options.log = [&](std::string_view line) {
    std::lock_guard lock(log_mutex);
    if (line.find("connected to the reader") != std::string_view::npos) ++connections;
  };
  StopSignal stop;
  std::thread link([&] { connect_vpcd(card, "127.0.0.1", pcscd.vpcd_port(), stop, options); });
  struct Join {
    StopSignal& stop;
    std::thread& thread;
    ~Join() {
      stop.request();
      thread.join();
    }
  } join{stop, link};

  {
    PcscClient client;
    auto readers = client.readers();
    INFO(pcscd.log());
    REQUIRE(std::find(readers.begin(), readers.end(), pcscd.reader_name()) != readers.end());
    REQUIRE(client.wait_for_card(pcscd.reader_name(), 10s));
    client.connect(pcscd.reader_name());
    get_eid_through_pcsc(client, card, isdr);
  }
  CHECK(card.stats().command_apdus == 6);

  pcscd.restart();
  {
    PcscClient client;  // the old context died with the old pcscd
    INFO(pcscd.log());
    REQUIRE(client.wait_for_card(pcscd.reader_name(), 10s));
    client.connect(pcscd.reader_name());
    get_eid_through_pcsc(client, card, isdr);
  }
  std::lock_guard lock(log_mutex);
  CHECK(connections == 2);
}
