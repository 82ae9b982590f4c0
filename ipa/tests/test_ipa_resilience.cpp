// The ipa program end to end when things go wrong, with the real binaries on loopback (`smdp serve`
// on SQLite, `euicc-sim --listen` or `--vpcd` into a private pcscd): an order bound to another EID
// and an expired order (the SM-DP+'s codes in one line); the SM-DP+ killed mid-download and started
// again on the same database and port (the IPA's own retry, or a fresh run, completes; the order is
// neither lost nor installed twice); the eUICC killed while LoadBoundProfilePackage runs (no partial
// profile after its restart, the failure reported, a new attempt of the same order completes); the
// same download through pcscd with the PC/SC transport; and the IPA's peak memory, APDU count and
// ES9+ bytes of one download.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <atomic>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "pcscd_harness.hpp"
#include "released_order.hpp"
#include "rsp/http/client.hpp"
#include "rsp/http/server.hpp"
#include "rsp/http/tls_identity.hpp"
#include "rsp/pki/test_pki.hpp"
#include "smdp/store.hpp"
#include "support/child_process.hpp"
#include "support/tls_server.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// One run of the ipa program: exit status, output, and its peak resident set (wait4's ru_maxrss).
struct IpaRun {
  int status = -1;  // -1: killed
  std::string out, err;
  long max_rss_kb = 0;
  size_t err_lines() const { return static_cast<size_t>(std::count(err.begin(), err.end(), '\n')); }
};

// `ipa ARGS` as a child process, waited for with wait4 (20 s at most, then SIGKILL).
IpaRun run_ipa(const fs::path& dir, const std::vector<std::string>& args) {
  static int runs = 0;
  ++runs;
  fs::path out = dir / ("ipa-run" + std::to_string(runs) + ".out"),
           err = dir / ("ipa-run" + std::to_string(runs) + ".err");
  std::string binary = std::string(RSP_BINARY_DIR) + "/ipa";
  std::vector<std::string> argv_text{binary};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    if (!freopen(out.c_str(), "w", stdout) || !freopen(err.c_str(), "w", stderr)) _exit(126);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  REQUIRE(pid > 0);
  IpaRun run;
  int status = 0;
  struct rusage usage {};
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  bool hung = false;
  while (wait4(pid, &status, WNOHANG, &usage) != pid) {
    if (Clock::now() > deadline) {
      hung = true;
      kill(pid, SIGKILL);
      wait4(pid, &status, 0, &usage);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.max_rss_kb = usage.ru_maxrss;
  run.out = rsp::test::read_text(out);
  run.err = rsp::test::read_text(err);
  std::string command;
  for (const auto& a : args) command += " " + a;
  UNSCOPED_INFO("ipa" << command << " -> " << run.status << "\nstdout: " << run.out << "stderr: " << run.err);
  CHECK_FALSE(hung);
  return run;
}

// Waits (10 s at most) until `pattern` matches the child's output; its first group. No Catch
// assertions here: proxies call it from their own threads.
std::optional<std::string> output_match(const rsp::test::ChildProcess& child, const std::string& pattern) {
  std::regex re(pattern);
  for (auto end = Clock::now() + std::chrono::seconds(10); Clock::now() < end;
       std::this_thread::sleep_for(std::chrono::milliseconds(10))) {
    std::string text = child.output();
    std::smatch m;
    if (std::regex_search(text, m, re)) return m[1].str();
  }
  return std::nullopt;
}

// A test PKI, an SM-DP+ (`smdp serve`, SQLite) whose orders the test writes into its store, and a
// software eUICC (`euicc-sim --listen`), each of which the test may kill and start again.
struct Lab {
  rsp::test::TempDir dir;
  fs::path pki = dir.path() / "pki";
  fs::path card_state = dir.path() / "card";
  std::string db = "sqlite:" + (dir.path() / "smdp.db").string();
  std::unique_ptr<rsp::test::ChildProcess> smdp, card;
  std::string es9_port = "0", card_port, eid;

  Lab() { REQUIRE(rsp::pki::make(pki, rsp::pki::MakeOptions{})); }  // dp-tls for localhost

  // A released order of a fresh profile; `change` may bind it to an EID, expire it, ...
  void add_order(const std::string& iccid, const std::string& matching_id,
                 const std::function<void(smdp::ProfileRecord&)>& change = {}) {
    smdp::ProfileRecord p = ipa::test::released_order(iccid, matching_id, "localhost");
    if (change) change(p);
    auto store = smdp::open_store(db);
    REQUIRE(store);
    REQUIRE((*store)->add_profile(p));
  }
  smdp::ProfileRecord profile(const std::string& iccid) {
    auto store = smdp::open_store(db);
    REQUIRE(store);
    auto p = (*store)->profile(iccid);
    REQUIRE(p);
    REQUIRE(p->has_value());
    return **p;
  }
  long install_notifications(const std::string& iccid) {
    auto store = smdp::open_store(db);
    REQUIRE(store);
    auto all = (*store)->notifications(iccid).value();
    return std::count_if(all.begin(), all.end(), [](const auto& n) { return n.event == "install"; });
  }

  // `smdp serve` on this database, on es9_port (the kernel's choice the first time, the same after).
  // False when it did not come up; no Catch assertions (a proxy thread restarts it).
  bool start_smdp() {
    smdp = std::make_unique<rsp::test::ChildProcess>(
        "smdp", dir.path(),
        std::vector<std::string>{"serve", "--pki", pki.string(), "--db", db, "--es9-listen", "127.0.0.1:" + es9_port});
    auto port = output_match(*smdp, "ES9\\+ of localhost on https://127\\.0\\.0\\.1:(\\d+)");
    if (port) es9_port = *port;
    return port.has_value();
  }
  // `euicc-sim --listen` on the card's state directory (created on the first start).
  bool start_card() {
    card = std::make_unique<rsp::test::ChildProcess>(
        "euicc-sim", dir.path(),
        std::vector<std::string>{"--state", card_state.string(), "--listen", "127.0.0.1:0", "--pki", pki.string()});
    auto id = output_match(*card, "EID (\\d{32})");
    auto port = output_match(*card, "listening on 127\\.0\\.0\\.1:(\\d+)");
    if (id) eid = *id;
    if (port) card_port = *port;
    return id && port;
  }
  void start() {
    REQUIRE(start_smdp());
    REQUIRE(start_card());
  }

  IpaRun ipa(std::vector<std::string> args, const std::string& euicc = "") {
    args.insert(args.begin(), {"--euicc", euicc.empty() ? "tcp:127.0.0.1:" + card_port : euicc});
    return run_ipa(dir.path(), args);
  }
  // `download` of `matching_id` from the SM-DP+ on `port` (default: its own).
  IpaRun download(const std::string& matching_id, const std::string& port = "", const std::string& euicc = "",
                  std::vector<std::string> more = {}) {
    std::vector<std::string> args = more;
    for (const std::string& a :
         std::vector<std::string>{"download", "--activation-code", "LPA:1$localhost$" + matching_id, "--ca",
                                  (pki / "nist" / "ci.pem").string(), "--smdp-port", port.empty() ? es9_port : port})
      args.push_back(a);
    return ipa(args, euicc);
  }
  // How many times `iccid` is on the card (`ipa profile list`).
  long on_card(const std::string& iccid, const std::string& euicc = "") {
    auto list = ipa({"profile", "list"}, euicc);
    REQUIRE(list.status == 0);
    long count = 0;
    std::istringstream lines(list.out);
    for (std::string line; std::getline(lines, line);) count += line.starts_with(iccid + "\t") ? 1 : 0;
    return count;
  }
  // Installed once on the card and at the SM-DP+, with one installation result recorded there.
  void check_installed_once(const std::string& iccid, const std::string& euicc = "") {
    CHECK(on_card(iccid, euicc) == 1);
    CHECK(profile(iccid).state == smdp::ProfileState::installed);
    CHECK(install_notifications(iccid) == 1);
  }
};

// An HTTPS server with the SM-DP+'s TLS identity in front of `smdp serve`: each request goes to
// `handler`, which may forward it (forward()) or answer in its place.
class Es9Relay {
 public:
  using Handler = std::function<rsp::http::Response(const rsp::http::Request&)>;
  Es9Relay(const Lab& lab, Handler handler) : lab_(lab), handler_(std::move(handler)) {
    rsp::http::ClientOptions client;
    client.trusted_ca_files.push_back(lab.pki / "nist" / "ci.pem");
    client.connect_timeout = std::chrono::milliseconds(2000);
    client.total_timeout = std::chrono::milliseconds(10000);
    client_ = std::make_unique<rsp::http::Client>(rsp::http::Client::create(client).value());
    server_ =
        rsp::test::start_tls_server(rsp::http::TlsIdentity::from_pki(lab.pki, rsp::crypto::Curve::nist_p256).value(),
                                    [this](const rsp::http::Request& r) { return handler_(r); });
  }
  std::string port() const { return std::to_string(server_->port(0)); }

  // The request as the SM-DP+ answers it now; 502 when it cannot be reached.
  rsp::http::Response forward(const rsp::http::Request& request) {
    rsp::http::Headers headers;
    for (const char* name : {"Content-Type", "X-Admin-Protocol", "User-Agent"})
      if (auto value = request.headers.get(name)) headers.set(name, std::string(*value));
    auto upstream = client_->post("https://localhost:" + lab_.es9_port + request.target, request.body, headers);
    rsp::http::Response out;
    out.status = upstream ? upstream->status : 502;
    if (!upstream) return out;
    out.body = upstream->body;
    if (auto type = upstream->headers.get("Content-Type")) out.headers.set("Content-Type", std::string(*type));
    return out;
  }

 private:
  const Lab& lab_;
  Handler handler_;
  std::unique_ptr<rsp::http::Client> client_;
  std::unique_ptr<rsp::http::Server> server_;
};

bool is_get_bpp(const rsp::http::Request& r) { return r.target.ends_with("/getBoundProfilePackage"); }

// A TCP relay between the IPA and `euicc-sim --listen` that reads the vpcd frames the IPA sends
// (2-byte length, then a control byte or an APDU) and, before the STORE DATA command number
// `cut_after + 1` counted from the first one whose data starts LoadBoundProfilePackage's 'BF36',
// calls `cut` (which kills the card) and drops both connections.
class VpcdRelay {
 public:
  VpcdRelay(std::string card_port, int cut_after, std::function<void()> cut)
      : card_port_(std::move(card_port)), cut_after_(cut_after), cut_(std::move(cut)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof address;
    REQUIRE((bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) == 0 && listen(listen_fd_, 4) == 0 &&
             getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0));
    port_ = std::to_string(ntohs(address.sin_port));
    thread_ = std::thread([this] { run(); });
  }
  ~VpcdRelay() {
    stop_ = true;
    thread_.join();
    close(listen_fd_);
  }
  std::string port() const { return port_; }
  int store_data_seen() const { return store_data_; }
  bool cut_done() const { return cut_done_; }

 private:
  static sockaddr_in loopback(uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    return address;
  }
  static int connect_to(const std::string& port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = loopback(static_cast<uint16_t>(std::stoi(port)));
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      close(fd);
      return -1;
    }
    return fd;
  }
  bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, 50) == 1;
  }
  void run() {
    while (!stop_) {
      if (!readable(listen_fd_)) continue;
      int ipa = accept(listen_fd_, nullptr, nullptr);
      if (ipa < 0) continue;
      int card = connect_to(card_port_);
      if (card >= 0) relay(ipa, card);
      close(ipa);
      if (card >= 0) close(card);
    }
  }
  // Looks at the complete frames in `pending` (the IPA's bytes not yet sent on); returns how many
  // bytes may go on, or nothing when the link is to be cut before the next frame.
  std::optional<size_t> inspect(const std::string& pending) {
    size_t at = 0;
    while (pending.size() - at >= 2) {
      size_t length = static_cast<uint8_t>(pending[at]) << 8 | static_cast<uint8_t>(pending[at + 1]);
      if (pending.size() - at - 2 < length) break;
      const auto* apdu = reinterpret_cast<const uint8_t*>(pending.data() + at + 2);
      if (length > 7 && apdu[1] == 0xE2) {  // STORE DATA with data
        if (!in_bpp_ && apdu[5] == 0xBF && apdu[6] == 0x36) in_bpp_ = true;
        if (in_bpp_ && store_data_++ == cut_after_) return std::nullopt;
      }
      at += 2 + length;
    }
    return at;
  }
  void relay(int ipa, int card) {
    std::string pending;
    char buffer[4096];
    while (!stop_) {
      pollfd p[2] = {{ipa, POLLIN, 0}, {card, POLLIN, 0}};
      if (poll(p, 2, 50) <= 0) continue;
      if (p[1].revents) {
        ssize_t n = recv(card, buffer, sizeof buffer, 0);
        if (n <= 0 || send(ipa, buffer, static_cast<size_t>(n), MSG_NOSIGNAL) != n) return;
      }
      if (p[0].revents) {
        ssize_t n = recv(ipa, buffer, sizeof buffer, 0);
        if (n <= 0) return;
        pending.append(buffer, static_cast<size_t>(n));
        auto ready = inspect(pending);
        if (!ready) {
          cut_();
          cut_done_ = true;
          return;
        }
        if (send(card, pending.data(), *ready, MSG_NOSIGNAL) != static_cast<ssize_t>(*ready)) return;
        pending.erase(0, *ready);
      }
    }
  }

  std::string card_port_, port_;
  int cut_after_;
  std::function<void()> cut_;
  int listen_fd_ = -1;
  bool in_bpp_ = false;
  std::atomic<int> store_data_{0};
  std::atomic<bool> stop_{false}, cut_done_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("ipa download: an order for another EID and an expired order end in the SM-DP+'s codes",
          "[ipa][cli][process][resilience]") {
  Lab lab;
  lab.add_order("8949449999999990401", "RES-OTHER-EID", [](smdp::ProfileRecord& p) { p.eid = std::string(32, '9'); });
  lab.add_order("8949449999999990402", "RES-EXPIRED",
                [](smdp::ProfileRecord& p) { p.order_expires = time(nullptr) - 60; });
  lab.start();

  auto other = lab.download("RES-OTHER-EID");
  CHECK(other.status == 1);
  CHECK(other.err_lines() == 1);
  CHECK(std::regex_search(other.err, std::regex("^download failed at es9p_authenticate_client: .*8\\.1\\.1/3\\.8")));
  auto expired = lab.download("RES-EXPIRED");
  CHECK(expired.status == 1);
  CHECK(expired.err_lines() == 1);
  CHECK(std::regex_search(expired.err, std::regex("^download failed at es9p_authenticate_client: .*8\\.8\\.5/4\\.10")));
  CHECK(lab.ipa({"profile", "list"}).out == "no profiles\n");
  // Neither order was taken by this eUICC.
  CHECK(lab.profile("8949449999999990401").eid == std::string(32, '9'));
  CHECK(lab.profile("8949449999999990402").state == smdp::ProfileState::released);
}

TEST_CASE("ipa download: the SM-DP+ killed mid-download and started again on the same database and port",
          "[ipa][cli][process][resilience]") {
  Lab lab;
  lab.add_order("8949449999999990411", "RES-DP-RETRY");
  lab.add_order("8949449999999990412", "RES-DP-AGAIN");
  lab.start();

  SECTION("killed after it built the package, before its answer arrived: the IPA's retry gets the same package") {
    std::string first_package, second_package;
    bool restarted = false;
    int bpp_requests = 0;
    Es9Relay relay(lab, [&](const rsp::http::Request& r) {
      if (!is_get_bpp(r)) return relay.forward(r);
      rsp::http::Response answer = relay.forward(r);
      if (++bpp_requests > 1) {
        second_package = answer.body;
        return answer;
      }
      first_package = answer.body;  // built and stored by the SM-DP+; now it dies before answering
      lab.smdp->stop(SIGKILL);
      restarted = lab.start_smdp();
      rsp::http::Response lost;
      lost.status = 502;
      return lost;
    });
    auto run = lab.download("RES-DP-RETRY", relay.port());
    CHECK(run.status == 0);
    CHECK(restarted);
    CHECK(bpp_requests == 2);
    CHECK_FALSE(first_package.empty());
    CHECK(second_package == first_package);  // same transactionId and otPK.EUICC: the package stored
    CHECK(run.out.find("installed 8949449999999990411") != std::string::npos);
    lab.check_installed_once("8949449999999990411");
  }
  SECTION("killed before getBoundProfilePackage and down while the IPA retries: it fails, a fresh run completes") {
    Es9Relay relay(lab, [&](const rsp::http::Request& r) {
      if (is_get_bpp(r) && lab.smdp->running()) lab.smdp->stop(SIGKILL);
      return relay.forward(r);  // 502 while the SM-DP+ is down
    });
    auto failed = lab.download("RES-DP-AGAIN", relay.port());
    CHECK(failed.status == 1);
    CHECK(failed.err_lines() == 1);
    CHECK(failed.err.starts_with("download failed at es9p_get_bound_profile_package: "));
    CHECK(lab.ipa({"profile", "list"}).out == "no profiles\n");
    // The order is still there for this eUICC, neither lost nor taken by the dead session.
    auto held = lab.profile("8949449999999990412");
    CHECK(held.eid == lab.eid);
    CHECK(held.state == smdp::ProfileState::released);
    REQUIRE(lab.start_smdp());
    auto again = lab.download("RES-DP-AGAIN");
    CHECK(again.status == 0);
    lab.check_installed_once("8949449999999990412");
  }
}

TEST_CASE(
    "ipa download: the eUICC killed during LoadBoundProfilePackage leaves no partial profile, and the order downloads again",
    "[ipa][cli][process][resilience]") {
  Lab lab;
  const std::string iccid = "8949449999999990421";
  lab.add_order(iccid, "RES-CARD");
  lab.start();

  VpcdRelay relay(lab.card_port, 4, [&] { lab.card->stop(SIGKILL); });
  auto failed = lab.download("RES-CARD", "", "tcp:127.0.0.1:" + relay.port());
  CHECK(relay.cut_done());
  CHECK(failed.status == 1);
  CHECK(failed.err_lines() == 1);
  CHECK(failed.err.starts_with("download failed at es10b_load_bound_profile_package: "));
  CHECK(lab.profile(iccid).state == smdp::ProfileState::downloaded);  // the package went out, nothing came back

  REQUIRE(lab.start_card());  // the same state directory
  auto list = lab.ipa({"profile", "list"});
  CHECK(list.status == 0);
  CHECK(list.out == "no profiles\n");
  auto notifications = lab.ipa({"notification", "list"});
  CHECK(notifications.out == "no notifications\n");
  // The SM-DP+ lets the same eUICC try again: a new session, a new package, installed once.
  auto again = lab.download("RES-CARD");
  CHECK(again.status == 0);
  lab.check_installed_once(iccid);
}

TEST_CASE("ipa download through pcscd: euicc-sim --vpcd in a private pcscd's reader, ipa --euicc pcsc:0",
          "[ipa][cli][process][pcsc]") {
  euicc::test::PrivatePcscd
      pcscd;  // exits 77 (skipped) when pcscd or vpcd is absent; sets PCSCLITE_CSOCK_NAME for the children
  Lab lab;
  const std::string iccid = "8949449999999990431";
  lab.add_order(iccid, "RES-PCSC");
  REQUIRE(lab.start_smdp());
  rsp::test::ChildProcess card("euicc-sim", lab.dir.path(),
                               {"--state", lab.card_state.string(), "--vpcd",
                                "127.0.0.1:" + std::to_string(pcscd.vpcd_port()), "--pki", lab.pki.string()});
  std::string eid = card.wait_for("EID (\\d{32})");
  {
    euicc::test::PcscClient client;
    REQUIRE(client.wait_for_card(pcscd.reader_name(), std::chrono::seconds(10)));
  }
  auto eid_run = lab.ipa({"eid"}, "pcsc:0");
  CHECK(eid_run.out == eid + "\n");
  auto run = lab.download("RES-PCSC", "", "pcsc:0", {"--json"});
  INFO(pcscd.log().substr(0, 2000));
  REQUIRE(run.status == 0);
  const json done = json::parse(run.out.substr(run.out.rfind("\n{", run.out.size() - 2) + 1));
  CHECK(done["payload"]["data"]["iccid"] == iccid);
  lab.check_installed_once(iccid, "pcsc:0");
}

TEST_CASE("ipa download: the IPA's peak memory, APDUs and ES9+ bytes of one download",
          "[ipa][cli][process][resilience]") {
  Lab lab;
  const std::string iccid = "8949449999999990441";
  lab.add_order(iccid, "RES-MEASURE");
  lab.start();
  auto run = lab.download("RES-MEASURE", "", "", {"--json"});
  REQUIRE(run.status == 0);
  const json data = json::parse(run.out.substr(run.out.rfind("\n{", run.out.size() - 2) + 1))["payload"]["data"];
  const uint64_t apdus = data["apdus"], apdu_bytes = data["apduBytes"], sent = data["es9BytesSent"],
                 received = data["es9BytesReceived"];
  std::ostringstream line;
  line << "one download: ipa peak RSS " << run.max_rss_kb << " kB (ru_maxrss), " << apdus << " APDUs (" << apdu_bytes
       << " bytes), ES9+ " << sent << " bytes sent / " << received << " received";
  WARN(line.str());
  std::cout << line.str() << "\n";
  CHECK(run.max_rss_kb > 0);
  CHECK(run.max_rss_kb < 64 * 1024);
  CHECK(apdus > 10);
  CHECK(sent > 0);
  CHECK(received > sent);
  lab.check_installed_once(iccid);
}
