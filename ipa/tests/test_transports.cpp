// The IPA's drivers against the euicc-sim program: TCP (vpcd framing) to `euicc-sim --listen`,
// and PC/SC through a private pcscd whose vpcd reader holds `euicc-sim --vpcd`. GetEID and
// GetProfilesInfo, a whole download, and the errors of a transport that cannot reach its card.
#include <catch2/catch.hpp>

#include "ipa/es10b.hpp"
#include "ipa/es10c.hpp"
#include "ipa/transport.hpp"
#include "pcscd_harness.hpp"
#include "support/child_process.hpp"
#include "support/kit.hpp"

using ipa::Es10Channel;
namespace fs = std::filesystem;

namespace {

// ES10 over an opened transport: the EID the program printed, and a fresh card's empty profile list.
void check_card(ipa::Transport& transport, const std::string& eid, size_t segment_size) {
  int traced = 0;
  transport.set_trace([&](std::string_view line) { traced += line.starts_with("-> ") ? 1 : 0; });
  transport.reset_stats();
  auto atr = transport.connect();
  REQUIRE(atr);
  CHECK(atr->size() >= 2);
  ipa::ChannelOptions options;
  options.segment_size = segment_size;
  Es10Channel channel(transport, options);
  auto got = ipa::es10c::get_eid(channel);
  INFO((got ? std::string() : got.error().message));
  REQUIRE(got);
  CHECK(*got == eid);
  auto profiles = ipa::es10c::get_profiles_info(channel);
  REQUIRE(profiles);
  CHECK(profiles->empty());
  auto info1 = ipa::es10b::get_euicc_info1(channel);
  REQUIRE(info1);
  auto challenge = ipa::es10b::get_euicc_challenge(channel);
  REQUIRE(challenge);
  CHECK(challenge->size() == 16);
  CHECK(transport.stats().command_apdus >= 6);
  CHECK(transport.stats().bytes_received > 16);
  CHECK(static_cast<uint64_t>(traced) == transport.stats().command_apdus);
  transport.set_trace(nullptr);
}

}  // namespace

TEST_CASE("TCP transport: ES10 with euicc-sim --listen, again after a reconnect, and errors when nothing listens") {
  rsp::test::TempDir dir;
  rsp::test::ChildProcess sim("euicc-sim", dir.path(),
                              {"--state", (dir.path() / "card").string(), "--listen", "127.0.0.1:0"});
  std::string eid = sim.wait_for("EID ([0-9]{32})");
  std::string port = sim.wait_for("listening on 127\\.0\\.0\\.1:([0-9]+)");
  {
    auto transport = ipa::open_transport("tcp:127.0.0.1:" + port);
    REQUIRE(transport);
    CHECK((*transport)->describe() == "tcp:127.0.0.1:" + port);
    check_card(**transport, eid, 255);
    (*transport)->close();
    check_card(**transport, eid, 6);  // connect() again after close()
  }

  sim.stop();
  auto gone = ipa::open_transport("tcp:127.0.0.1:" + port);
  REQUIRE(gone);
  auto refused = (*gone)->connect();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("cannot connect") != std::string::npos);

  for (const char* bad : {"tcp:127.0.0.1", "tcp:host:99999", "tcp::1", "serial:/dev/ttyS0", "at:/dev/ttyUSB2"}) {
    INFO(bad);
    auto r = ipa::open_transport(bad);
    REQUIRE_FALSE(r);
    CHECK_FALSE(r.error().message.empty());
  }
}

TEST_CASE("PC/SC transport: ES10 through pcscd and its vpcd reader, by reader name and by index") {
  euicc::test::PrivatePcscd pcscd;  // exits 77 (skipped) when pcscd cannot run here
  rsp::test::TempDir dir;
  rsp::test::ChildProcess sim(
      "euicc-sim", dir.path(),
      {"--state", (dir.path() / "card").string(), "--vpcd", "127.0.0.1:" + std::to_string(pcscd.vpcd_port())});
  std::string eid = sim.wait_for("EID ([0-9]{32})");
  {
    euicc::test::PcscClient client;
    REQUIRE(client.wait_for_card(pcscd.reader_name(), std::chrono::seconds(10)));
  }
  for (std::string spec : {"pcsc:euicc-sim vpcd", "pcsc:0", "pcsc"}) {
    INFO(spec);
    auto transport = ipa::open_transport(spec);
    REQUIRE(transport);
    check_card(**transport, eid, spec == "pcsc:0" ? 6 : 255);
    CHECK((*transport)->describe() == "pcsc:" + pcscd.reader_name());
  }
  auto missing = ipa::open_transport("pcsc:no such reader");
  REQUIRE(missing);
  auto refused = (*missing)->connect();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("no reader name contains") != std::string::npos);
}
