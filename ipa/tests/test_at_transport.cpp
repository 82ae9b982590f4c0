// The AT command transport (3GPP TS 27.007) against a modem emulator on a pseudo-terminal, with the
// software eUICC behind it: ES10 over AT+CCHO/+CGLA/+CCHC (the session id a handle, not a CLA
// channel), the same over AT+CSIM when +CCHO is refused, unsolicited lines skipped, +CME ERROR and
// silence as error values, and a whole profile download through the library and through the
// `ipa download` program.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "download_fixture.hpp"
#include "ipa/download.hpp"
#include "ipa/es10b.hpp"
#include "ipa/es10c.hpp"
#include "modem_emulator.hpp"
#include "rsp/pki/test_pki.hpp"
#include "smdp_harness.hpp"
#include "support/command.hpp"

namespace {

using ipa::test::ModemEmulator;
using ipa::test::ModemOptions;

std::unique_ptr<ipa::Transport> at_transport(const ModemEmulator& modem,
                                             std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  ipa::TransportOptions options;
  options.timeout = timeout;
  auto transport = ipa::open_transport("at:" + modem.slave_path(), options);
  INFO((transport ? std::string() : transport.error().message));
  REQUIRE(transport);
  CHECK((*transport)->describe() == "at:" + modem.slave_path());
  REQUIRE((*transport)->connect());
  return std::move(*transport);
}

size_t count_starting(const std::vector<std::string>& lines, std::string_view prefix) {
  size_t n = 0;
  for (const auto& l : lines) n += l.starts_with(prefix) ? 1 : 0;
  return n;
}

// A software eUICC behind a modem emulator, and the IPA's transport to it, connected.
struct AtLab {
  euicc::test::CardFixture card;
  ModemEmulator modem;
  std::unique_ptr<ipa::Transport> transport;
  explicit AtLab(ModemOptions options) : modem(*card.terminal, std::move(options)), transport(at_transport(modem)) {}
};

// A modem that answers the commands starting with `command` with `answer`, and the others as usual.
ModemOptions refusing(bool ccho, std::string command, std::string answer) {
  ModemOptions options;
  options.ccho = ccho;
  options.refuse = [command, answer](const std::string& line) -> std::optional<std::string> {
    if (line.starts_with(command)) return answer;
    return std::nullopt;
  };
  return options;
}

void check_es10(ipa::Transport& transport) {
  ipa::Es10Channel channel(transport);
  auto eid = ipa::es10c::get_eid(channel);
  INFO((eid ? std::string() : eid.error().message));
  REQUIRE(eid);
  CHECK(*eid == rsp::pki::default_eid());
  auto profiles = ipa::es10c::get_profiles_info(channel);
  REQUIRE(profiles);
  CHECK(profiles->empty());
  auto challenge = ipa::es10b::get_euicc_challenge(channel);
  REQUIRE(challenge);
  CHECK(challenge->size() == 16);
}

}  // namespace

TEST_CASE("AT transport: ES10 over AT+CCHO/+CGLA, the session id a handle, unsolicited lines skipped", "[ipa][at]") {
  const bool bare = GENERATE(false, true);
  INFO("session id " << (bare ? "bare" : "as +CCHO: N"));
  ModemOptions options;
  options.bare_ccho_answer = bare;
  options.unsolicited_every = 3;
  AtLab lab(options);
  auto& modem = lab.modem;
  auto& transport = lab.transport;

  check_es10(*transport);
  auto commands = modem.commands();
  CHECK(commands.front() == "ATE0");
  CHECK(count_starting(commands, "AT+CCHO=\"A0000005591010FFFFFFFF8900000100\"") == 1);
  CHECK(count_starting(commands, "AT+CGLA=1000,") >= 3);  // the emulator's first handle
  CHECK(count_starting(commands, "AT+CSIM") == 0);
  for (const auto& c : commands) CHECK(c.find("\"80AA") == std::string::npos);  // the modem announced itself
  CHECK(count_starting(commands, "AT+CCHC=1000") == 1);  // the channel closed with its Es10Channel
  CHECK(modem.open_sessions() == 0);
  for (const auto& c : commands) CHECK(c.find("=?") == std::string::npos);  // no test commands

  // Again on the same transport: a new session, a new handle.
  check_es10(*transport);
  CHECK(count_starting(modem.commands(), "AT+CCHO=") == 2);
  // A session still open when the transport closes is closed with it.
  {
    ipa::Es10Channel channel(*transport);
    REQUIRE(ipa::es10c::get_eid(channel));
    CHECK(modem.open_sessions() == 1);
    transport->close();
    CHECK(modem.open_sessions() == 0);
  }
}

TEST_CASE("AT transport: AT+CSIM when the modem refuses AT+CCHO, the IPA opening its own channel", "[ipa][at]") {
  ModemOptions options;
  options.ccho = false;
  options.unsolicited_every = 2;
  AtLab lab(options);

  check_es10(*lab.transport);
  auto commands = lab.modem.commands();
  CHECK(count_starting(commands, "AT+CCHO=") == 1);  // tried once, its ERROR remembered
  CHECK(count_starting(commands, "AT+CGLA") == 0);
  CHECK(count_starting(commands, "AT+CSIM=10,\"0070000001\"") == 1);  // MANAGE CHANNEL over CSIM
  // TERMINAL CAPABILITY over CSIM too, once, before it.
  const std::string announce = "AT+CSIM=26,\"80AA000008A906830107840101\"";
  CHECK(count_starting(commands, announce) == 1);
  auto at = [&](std::string_view prefix) {
    return std::find_if(commands.begin(), commands.end(), [&](const std::string& c) { return c.starts_with(prefix); });
  };
  CHECK(at(announce) < at("AT+CSIM=10,\"0070000001\""));
  CHECK(count_starting(commands, "AT+CSIM=") >= 5);
  for (const auto& c : commands) CHECK(c.find("=?") == std::string::npos);
}

TEST_CASE("AT transport: +CME ERROR, ERROR and a silent or absent device are error values", "[ipa][at]") {
  SECTION("+CME ERROR on AT+CGLA") {
    AtLab lab(refusing(true, "AT+CGLA=", "+CME ERROR: 13"));
    ipa::Es10Channel channel(*lab.transport);
    auto eid = ipa::es10c::get_eid(channel);
    REQUIRE_FALSE(eid);
    CHECK(eid.error().kind == ipa::Es10Error::Kind::transport);
    CHECK(eid.error().message.find("AT+CGLA answered +CME ERROR: 13") != std::string::npos);
  }
  SECTION("ERROR on AT+CSIM") {
    AtLab lab(refusing(false, "AT+CSIM=", "ERROR"));
    ipa::Es10Channel channel(*lab.transport);
    auto eid = ipa::es10c::get_eid(channel);
    REQUIRE_FALSE(eid);
    CHECK(eid.error().message.find("AT+CSIM answered ERROR") != std::string::npos);
  }
  SECTION("a modem that says nothing: the command's timeout") {
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(master >= 0);
    REQUIRE(grantpt(master) == 0);
    REQUIRE(unlockpt(master) == 0);
    ipa::TransportOptions options;
    options.timeout = std::chrono::milliseconds(200);
    auto transport = ipa::open_transport(std::string("at:") + ptsname(master), options);
    REQUIRE(transport);
    auto started = std::chrono::steady_clock::now();
    auto connected = (*transport)->connect();
    REQUIRE_FALSE(connected);
    CHECK(connected.error().message.find("no answer to ATE0 within 200 ms") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
    ::close(master);
  }
  SECTION("no such device") {
    auto transport = ipa::open_transport("at:/dev/no-such-modem");
    REQUIRE_FALSE(transport);
    CHECK(transport.error().message.find("at:/dev/no-such-modem: cannot open") != std::string::npos);
    CHECK_FALSE(ipa::open_transport("at:"));
  }
}

TEST_CASE("AT transport: a whole download through the modem, by the library and by `ipa download`",
          "[ipa][at][download]") {
  ipa::test::SmdpHarness smdp;
  auto euicc = smdp.open_card("card");
  euicc::Card terminal(euicc->isdr(), euicc->usim());
  ModemOptions options;
  options.ccho = GENERATE(true, false);
  options.unsolicited_every = 5;
  INFO((options.ccho ? "AT+CGLA" : "AT+CSIM"));
  ModemEmulator modem(terminal, options);
  const std::string suffix = options.ccho ? "1" : "2";

  {  // the library
    const std::string iccid = "894944999999999041" + suffix;
    smdp.add_order(iccid, "IPA-AT-LIB-" + suffix);
    auto transport = at_transport(modem);
    ipa::Es10Channel channel(*transport);
    ipa::DownloadOptions download;
    download.es9 = smdp.client_options();
    ipa::DownloadRequest request{
        rsp::ActivationCode::parse("LPA:1$" + smdp.address() + "$IPA-AT-LIB-" + suffix).value(), {}};
    auto result = ipa::download_profile(channel, request, download);
    INFO(result.line());
    CHECK(result.success);
    CHECK(result.iccid == iccid);
    CHECK(smdp.state_of(iccid) == smdp::ProfileState::installed);
    auto profiles = ipa::es10c::get_profiles_info(channel);
    REQUIRE(profiles);
    REQUIRE(profiles->size() == 1);
    CHECK((*profiles)[0].iccid == iccid);
  }

  {  // the program, the modem still in this process
    const std::string iccid = "894944999999999042" + suffix;
    smdp.add_order(iccid, "IPA-AT-CLI-" + suffix);
    rsp::test::TempDir dir;
    const std::string err = (dir.path() / "ipa.err").string();
    auto run = rsp::test::run_command("timeout 90 " + std::string(RSP_BINARY_DIR) +
                                      "/ipa --euicc at:" + modem.slave_path() + " download --activation-code 'LPA:1$" +
                                      smdp.address() + "$IPA-AT-CLI-" + suffix + "' --ca " + smdp.ci_pem().string() +
                                      " --smdp-port " + std::to_string(smdp.server->es9_port()) + " 2>" + err);
    INFO("stdout: " << run.out << "\nstderr: " << rsp::test::read_text(dir.path() / "ipa.err"));
    CHECK(run.status == 0);
    CHECK(run.out.find("installed " + iccid) != std::string::npos);
    CHECK(smdp.state_of(iccid) == smdp::ProfileState::installed);
    auto list = rsp::test::run_command("timeout 60 " + std::string(RSP_BINARY_DIR) +
                                       "/ipa --euicc at:" + modem.slave_path() + " profile list 2>" + err);
    CHECK(list.status == 0);
    CHECK(list.out.find(iccid) != std::string::npos);
  }
  CHECK(modem.open_sessions() == 0);
  auto commands = modem.commands();
  CHECK(count_starting(commands, options.ccho ? "AT+CGLA=" : "AT+CSIM=") > 10);
}
