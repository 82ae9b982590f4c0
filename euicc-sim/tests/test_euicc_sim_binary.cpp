// The euicc-sim program itself: first start creates a card and prints its EID; --listen serves it
// over TCP with vpcd framing; --vpcd puts it into a (private) pcscd, where a PC/SC client gets
// GetEID back; a restart keeps the card.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <thread>

#include "download_fixture.hpp"
#include "euicc/card_store.hpp"
#include "pcscd_harness.hpp"
#include "rsp/apdu.hpp"
#include "rsp/eid.hpp"
#include "rsp/tlv.hpp"
#include "support/child_process.hpp"
#include "support/kit.hpp"

using rsp::Bytes;
using rsp::test::hex;
namespace fs = std::filesystem;

namespace {

// euicc-sim as a child process, its output in files; SIGTERM on destruction.
class SimProcess : public rsp::test::ChildProcess {
 public:
  SimProcess(const fs::path& dir, std::vector<std::string> args) : ChildProcess("euicc-sim", dir, std::move(args)) {}
};

// A vpcd-framed TCP client (what the IPA's TCP transport speaks).
class VpcdClient {
 public:
  explicit VpcdClient(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
  }
  ~VpcdClient() { close(fd_); }
  // Power on/off and reset have no answer in vpcd's protocol.
  void send(const Bytes& message) {
    Bytes framed{static_cast<uint8_t>(message.size() >> 8), static_cast<uint8_t>(message.size())};
    framed.insert(framed.end(), message.begin(), message.end());
    REQUIRE(write(fd_, framed.data(), framed.size()) == static_cast<ssize_t>(framed.size()));
  }
  Bytes exchange(const Bytes& message) {
    send(message);
    uint8_t len[2];
    read_all(len, 2);
    Bytes answer(static_cast<size_t>(len[0] << 8 | len[1]));
    read_all(answer.data(), answer.size());
    return answer;
  }

 private:
  void read_all(uint8_t* p, size_t n) {
    while (n) {
      ssize_t r = read(fd_, p, n);
      REQUIRE(r > 0);
      p += r;
      n -= static_cast<size_t>(r);
    }
  }
  int fd_ = -1;
};

// ES10c.GetEID over a logical channel, as an LPA does it; `transmit` sends one APDU.
template <class Transmit>
std::string get_eid(Transmit transmit) {
  auto open = rsp::apdu::Response::parse(transmit(hex("0070000001"))).value();
  REQUIRE(open.sw == rsp::apdu::sw::kOk);
  uint8_t ch = open.data.at(0);
  auto with_channel = [&](Bytes apdu) {
    apdu[0] = rsp::apdu::cla_for_channel(apdu[0], ch);
    auto r = rsp::apdu::Response::parse(transmit(apdu)).value();
    while ((r.sw & 0xFF00) == rsp::apdu::sw::kMoreData) {
      auto more = rsp::apdu::Response::parse(transmit(Bytes{rsp::apdu::cla_for_channel(0x00, ch), 0xC0, 0, 0, r.sw2()}))
                      .value();
      more.data.insert(more.data.begin(), r.data.begin(), r.data.end());
      r = more;
    }
    return r;
  };
  REQUIRE(with_channel(hex("00A4040010A0000005591010FFFFFFFF8900000100")).sw == rsp::apdu::sw::kOk);
  auto eid = with_channel(hex("80E2910006BF3E035C015A00"));
  REQUIRE(eid.sw == rsp::apdu::sw::kOk);
  transmit(Bytes{0x00, 0x70, 0x80, ch, 0x00});
  auto t = rsp::tlv::read(eid.data).value();
  return rsp::to_hex(rsp::tlv::find(t.value, 0x5A)->value);
}

}  // namespace

TEST_CASE("euicc-sim --listen: a new card prints its EID, serves GetEID over TCP, and survives a restart") {
  rsp::test::TempDir dir;
  std::string eid;
  {
    SimProcess sim(dir.path(), {"--state", (dir.path() / "card").string(), "--listen", "127.0.0.1:0"});
    eid = sim.wait_for("EID ([0-9]{32}) \\(new card\\)");
    uint16_t port = static_cast<uint16_t>(std::stoi(sim.wait_for("listening on 127\\.0\\.0\\.1:([0-9]+)")));
    VpcdClient client(port);
    client.send(Bytes{0x01});                         // power on
    CHECK(client.exchange(Bytes{0x04}).size() >= 2);  // ATR
    CHECK(get_eid([&](const Bytes& apdu) { return client.exchange(apdu); }) == eid);
    CHECK(sim.stop() == 0);
  }
  SimProcess again(dir.path(), {"--state", (dir.path() / "card").string(), "--listen", "127.0.0.1:0"});
  CHECK(again.wait_for("EID ([0-9]{32})") == eid);
  CHECK(again.output().find("new card") == std::string::npos);
}

TEST_CASE("euicc-sim --default-smdp and --root-smds set the factory's addresses when the card is created") {
  rsp::test::TempDir dir;
  auto card = dir.path() / "card";
  {
    SimProcess sim(dir.path(), {"--state", card.string(), "--listen", "127.0.0.1:0", "--default-smdp",
                                "smdp.example.com", "--root-smds", "testrootsmds.example.com"});
    sim.wait_for("EID ([0-9]{32}) \\(new card\\)");
    CHECK(sim.stop() == 0);
  }
  euicc::CardStore store(card);
  CHECK(store.load_config()->default_dp_address == "smdp.example.com");
  CHECK(store.load_config()->root_ds_address == "testrootsmds.example.com");
  CHECK(store.load_state()->default_dp_address == "smdp.example.com");
  CHECK(store.load_state()->root_ds_address == "testrootsmds.example.com");
  // An existing card keeps its addresses whatever the flags say.
  SimProcess again(dir.path(),
                   {"--state", card.string(), "--listen", "127.0.0.1:0", "--default-smdp", "other.example.com"});
  again.wait_for("EID ([0-9]{32})");
  CHECK(again.stop() == 0);
  CHECK(store.load_state()->default_dp_address == "smdp.example.com");
}

TEST_CASE("euicc-sim refuses faults without --conformance-harness and a missing link") {
  rsp::test::TempDir dir;
  {
    SimProcess sim(dir.path(), {"--state", (dir.path() / "card").string(), "--listen", "127.0.0.1:0", "--fault",
                                "wrong-signature"});
    sim.wait_for("(refused in normal runs)");
    CHECK(sim.stop() == 1);
  }
  SimProcess sim(dir.path(), {"--state", (dir.path() / "card").string()});
  sim.wait_for("(--listen HOST:PORT or --vpcd HOST:PORT)");
  CHECK(sim.stop() == 2);
}

TEST_CASE("euicc-sim --vpcd: a PC/SC client of pcscd sees the card and gets GetEID back") {
  euicc::test::PrivatePcscd pcscd;  // exits 77 (skipped) when pcscd cannot run here
  rsp::test::TempDir dir;
  SimProcess sim(dir.path(), {"--state", (dir.path() / "card").string(), "--vpcd",
                              "127.0.0.1:" + std::to_string(pcscd.vpcd_port())});
  std::string eid = sim.wait_for("EID ([0-9]{32})");
  euicc::test::PcscClient client;
  REQUIRE(client.wait_for_card(pcscd.reader_name(), std::chrono::seconds(10)));
  client.connect(pcscd.reader_name());
  CHECK(client.atr().size() >= 2);
  CHECK(get_eid([&](const Bytes& apdu) { return client.transmit(apdu); }) == eid);
  client.disconnect();
}

namespace {

// ES10 commands over a vpcd TCP client: a logical channel to the ISD-R, STORE DATA blocks of up
// to 255 bytes, GET RESPONSE for long answers.
class TcpEs10 {
 public:
  explicit TcpEs10(VpcdClient& client) : client_(client) {
    client_.send(Bytes{0x01});
    auto open = rsp::apdu::Response::parse(client_.exchange(hex("0070000001"))).value();
    REQUIRE(open.sw == rsp::apdu::sw::kOk);
    channel_ = open.data.at(0);
    REQUIRE(exchange(rsp::apdu::Command{0x00, 0xA4, 0x04, 0x00,
                                        Bytes(rsp::apdu::kIsdrAid.begin(), rsp::apdu::kIsdrAid.end()), 256u, false})
                .sw == rsp::apdu::sw::kOk);
  }
  Bytes es10(const Bytes& command) {
    rsp::apdu::Response last;
    for (size_t offset = 0, block = 0; offset < command.size(); offset += 255, ++block) {
      size_t n = std::min<size_t>(255, command.size() - offset);
      bool final_block = offset + n == command.size();
      last =
          exchange({0x80, 0xE2, static_cast<uint8_t>(final_block ? 0x91 : 0x11), static_cast<uint8_t>(block),
                    Bytes(command.begin() + static_cast<long>(offset), command.begin() + static_cast<long>(offset + n)),
                    final_block ? std::optional<uint32_t>(256) : std::nullopt, false});
      REQUIRE(last.sw == rsp::apdu::sw::kOk);
    }
    return last.data;
  }

 private:
  rsp::apdu::Response exchange(rsp::apdu::Command c) {
    c.cla = rsp::apdu::cla_for_channel(c.cla, channel_);
    auto r = rsp::apdu::Response::parse(client_.exchange(c.encode())).value();
    while ((r.sw & 0xFF00) == rsp::apdu::sw::kMoreData) {
      Bytes get{rsp::apdu::cla_for_channel(0x00, channel_), 0xC0, 0, 0, r.sw2()};
      auto more = rsp::apdu::Response::parse(client_.exchange(get)).value();
      more.data.insert(more.data.begin(), r.data.begin(), r.data.end());
      r = std::move(more);
    }
    return r;
  }
  VpcdClient& client_;
  uint8_t channel_ = 0;
};

// Runs a download up to the BPP and returns the STORE DATA commands that would carry it.
std::vector<Bytes> prepare_download(TcpEs10& card, euicc::test::TestSmdp& smdp, const std::string& iccid) {
  using rsp::tlv::find;
  auto challenge_response = card.es10(rsp::tlv::encode(0xBF2E, Bytes{}));
  auto challenge = find(rsp::tlv::read(challenge_response)->value, 0x80).value();
  auto auth = card.es10(smdp.authenticate_server(challenge.value));
  auto ok1 = find(rsp::tlv::read(auth)->value, 0xA0).value();
  Bytes signature1(find(ok1.value, 0x5F37)->whole.begin(), find(ok1.value, 0x5F37)->whole.end());
  auto prepared = card.es10(smdp.prepare_download(signature1));
  auto ok2 = find(rsp::tlv::read(prepared)->value, 0xA0).value();
  auto otpk = find(find(ok2.value, 0x30)->value, 0x5F49).value();
  auto eid = rsp::eid::to_bytes(rsp::pki::default_eid()).value();
  Bytes bpp = smdp.bound_profile_package(otpk.value, eid, euicc::test::store_metadata(iccid, "Kill", "n.example.org"),
                                         euicc::test::minimal_profile_package(iccid));
  return rsp::bpp::split_for_loading(bpp).value();
}

size_t installed_profiles(TcpEs10& card) {  // GetProfilesInfo: the E3 entries of BF2D { A0 { ... } }
  auto info = card.es10(rsp::tlv::encode(0xBF2D, Bytes{}));
  auto list = rsp::tlv::find(rsp::tlv::read(info)->value, 0xA0).value();
  return rsp::tlv::read_all(list.value).value().size();
}

}  // namespace

TEST_CASE("euicc-sim killed (SIGKILL) during LoadBoundProfilePackage: after a restart no profile remains") {
  rsp::test::TempDir dir;
  auto pki = dir.path() / "pki";
  REQUIRE(rsp::pki::make(pki, rsp::pki::MakeOptions{}));
  std::vector<std::string> args{"--state",    (dir.path() / "card").string(), "--pki", pki.string(), "--listen",
                                "127.0.0.1:0"};
  euicc::test::TestSmdp smdp(pki, rsp::crypto::Curve::nist_p256);
  const std::string iccid = "8944000000000000045";
  {
    SimProcess sim(dir.path(), args);
    VpcdClient client(static_cast<uint16_t>(std::stoi(sim.wait_for("listening on 127\\.0\\.0\\.1:([0-9]+)"))));
    TcpEs10 card(client);
    auto commands = prepare_download(card, smdp, iccid);
    for (size_t i = 0; i + 1 < commands.size(); ++i) CHECK(card.es10(commands[i]).empty());
    sim.stop(SIGKILL);  // the last segment never arrives
  }
  {
    SimProcess sim(dir.path(), args);
    VpcdClient client(static_cast<uint16_t>(std::stoi(sim.wait_for("listening on 127\\.0\\.0\\.1:([0-9]+)"))));
    TcpEs10 card(client);
    CHECK(installed_profiles(card) == 0);
    CHECK_FALSE(fs::exists(dir.path() / "card/profiles" / (iccid + ".upp")));
    // The card is sound: the same profile downloads in full now, and stays over a restart.
    Bytes result;
    for (const auto& command : prepare_download(card, smdp, iccid))
      if (!(result = card.es10(command)).empty()) break;
    CHECK(rsp::tlv::find(rsp::tlv::find(rsp::tlv::find(rsp::tlv::read(result)->value, 0xBF27)->value, 0xA2)->value,
                         0xA0));
    CHECK(sim.stop() == 0);
  }
  SimProcess sim(dir.path(), args);
  VpcdClient client(static_cast<uint16_t>(std::stoi(sim.wait_for("listening on 127\\.0\\.0\\.1:([0-9]+)"))));
  TcpEs10 card(client);
  CHECK(installed_profiles(card) == 1);
}
