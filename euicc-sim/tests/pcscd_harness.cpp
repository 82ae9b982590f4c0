#include "pcscd_harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

namespace euicc::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// Debian 12 paths (pcscd --version: ipcdir=/run/pcscd; vsmartcard-vpcd's reader.conf.d/vpcd).
constexpr const char* kPcscd = "/usr/sbin/pcscd";
constexpr const char* kVpcdDriver = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
constexpr const char* kIpcDir = "/run/pcscd";

[[noreturn]] void skip(const std::string& reason) {
  std::printf("skipped: %s\n", reason.c_str());
  std::fflush(stdout);
  std::_Exit(77);
}

// libpcsclite reads PCSCLITE_CSOCK_NAME once per process, so every PrivatePcscd of a process
// uses the same directory.
fs::path process_dir() { return fs::temp_directory_path() / ("euicc-pcscd-" + std::to_string(getpid())); }

// A TCP port on which nothing listens now, with the next one free as well (vpcd's slot 1).
uint16_t free_port_pair() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    int a = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    socklen_t size = sizeof address;
    bind(a, reinterpret_cast<sockaddr*>(&address), sizeof address);
    getsockname(a, reinterpret_cast<sockaddr*>(&address), &size);
    uint16_t port = ntohs(address.sin_port);
    int b = socket(AF_INET, SOCK_STREAM, 0);
    address.sin_port = htons(static_cast<uint16_t>(port + 1));
    bool next_free = port < 0xFFFF && bind(b, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(a);
    close(b);
    if (next_free) return port;
  }
  throw std::runtime_error("no pair of free TCP ports");
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void check(LONG rv, const char* what) {
  if (rv != SCARD_S_SUCCESS) throw std::runtime_error(std::string(what) + ": " + pcsc_stringify_error(rv));
}

}  // namespace

PrivatePcscd::PrivatePcscd() {
  if (access(kPcscd, X_OK) != 0) skip(std::string("pcscd is not installed (") + kPcscd + "; Debian package pcscd)");
  if (access(kVpcdDriver, R_OK) != 0)
    skip(std::string("the vpcd driver is not installed (") + kVpcdDriver + "; Debian package vsmartcard-vpcd)");

  dir_ = process_dir();
  fs::create_directories(dir_);
  fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                            fs::perms::others_exec);
  const fs::path socket_path = dir_ / "pcscd.comm";
  setenv("PCSCLITE_CSOCK_NAME", socket_path.c_str(), 1);

  // The socket pcscd will serve: bound and listening before pcscd starts, so no client can race it.
  listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof address.sun_path - 1);
  unlink(socket_path.c_str());
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listen_fd_, 16) != 0)
    throw std::runtime_error("cannot listen on " + socket_path.string() + ": " + std::strerror(errno));
  chmod(socket_path.c_str(), 0666);

  port_ = free_port_pair();
  fs::create_directories(dir_ / "reader.conf.d");
  std::ofstream(dir_ / "reader.conf.d" / "vpcd") << "FRIENDLYNAME \"" << kFriendlyName << "\"\n"
                                                 << "DEVICENAME /dev/null:" << port_ << "\n"
                                                 << "LIBPATH " << kVpcdDriver << "\n";
  start();
}

PrivatePcscd::~PrivatePcscd() {
  stop();
  close(listen_fd_);
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void PrivatePcscd::start() {
  const fs::path log_path = dir_ / "pcscd.log";
  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot write " + log_path.string());

  // Everything the child needs is made before fork: after it, only async-signal-safe calls.
  const std::string config = (dir_ / "reader.conf.d").string();
  const std::string dir = dir_.string();
  std::vector<std::string> args = {kPcscd, "--foreground", "--debug", "--apdu", "--config", config};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "LISTEN_", 7) != 0) env.emplace_back(*e);
  }
  env.emplace_back("LISTEN_FDS=1");
  env.emplace_back("LISTEN_PID=" + std::string(20, '\0'));  // the child writes its pid here
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  char* listen_pid = envp[envp.size() - 2] + std::strlen("LISTEN_PID=");
  const bool root = geteuid() == 0;
  const int listen_fd = listen_fd_;

  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Its own /run/pcscd where the mount namespace may be made; else the system's (see header).
    if (root && unshare(CLONE_NEWNS) == 0 && mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0) {
      mkdir(kIpcDir, 0755);
      mount(dir.c_str(), kIpcDir, nullptr, MS_BIND, nullptr);
    }
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    // sd_listen_fds(): the socket is fd 3, LISTEN_PID is this process.
    if (listen_fd == 3) {
      fcntl(3, F_SETFD, 0);
    } else {
      dup2(listen_fd, 3);
    }
    close_range(4, ~0U, 0);  // nothing else of the test (its card links above all) goes to pcscd
    char digits[20];
    int n = 0;
    for (pid_t self = getpid(); self > 0; self /= 10) digits[n++] = static_cast<char>('0' + self % 10);
    for (int i = 0; i < n; ++i) listen_pid[i] = digits[n - 1 - i];
    listen_pid[n] = '\0';
    execve(kPcscd, argv.data(), envp.data());
    _exit(127);
  }
  close(log_fd);
  pid_ = pid;

  // Ready once it says so: by then the vpcd reader is listening.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      skip("pcscd could not start here (exit status " + std::to_string(status) + "):\n" + log());
    }
    std::string text = log();
    if (text.find("Could not initialize connection to virtual ICC") != std::string::npos)
      throw std::runtime_error("vpcd cannot listen on port " + std::to_string(port_) + ":\n" + text);
    if (text.find("daemon ready") != std::string::npos) return;
    std::this_thread::sleep_for(20ms);
  }
  stop();
  skip("pcscd did not become ready within 10 s:\n" + log());
}

void PrivatePcscd::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 250; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(20ms);
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void PrivatePcscd::restart() {
  stop();
  start();
}

bool PrivatePcscd::isolated() const { return fs::exists(dir_ / "pcscd.pid"); }

std::string PrivatePcscd::log() const { return read_text(dir_ / "pcscd.log"); }

PcscClient::PcscClient() {
  check(SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &context_), "SCardEstablishContext");
}

PcscClient::~PcscClient() {
  disconnect();
  SCardReleaseContext(context_);
}

std::vector<std::string> PcscClient::readers() {
  DWORD size = 0;
  LONG rv = SCardListReaders(context_, nullptr, nullptr, &size);
  if (rv == SCARD_E_NO_READERS_AVAILABLE) return {};
  check(rv, "SCardListReaders");
  std::string buffer(size, '\0');
  check(SCardListReaders(context_, nullptr, buffer.data(), &size), "SCardListReaders");
  std::vector<std::string> names;
  for (size_t at = 0; at < buffer.size() && buffer[at] != '\0';) {
    names.emplace_back(buffer.c_str() + at);
    at += names.back().size() + 1;
  }
  return names;
}

bool PcscClient::wait_for_card(const std::string& reader, std::chrono::milliseconds timeout) {
  SCARD_READERSTATE state{};
  state.szReader = reader.c_str();
  state.dwCurrentState = SCARD_STATE_UNAWARE;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) return false;
    LONG rv = SCardGetStatusChange(context_, static_cast<DWORD>(left.count()), &state, 1);
    if (rv == SCARD_E_TIMEOUT) return false;
    check(rv, "SCardGetStatusChange");
    if (state.dwEventState & SCARD_STATE_PRESENT) return true;
    state.dwCurrentState = state.dwEventState & ~SCARD_STATE_CHANGED;
  }
}

void PcscClient::connect(const std::string& reader) {
  disconnect();
  check(SCardConnect(context_, reader.c_str(), SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card_,
                     &protocol_),
        "SCardConnect");
}

void PcscClient::disconnect() {
  if (card_ == 0) return;
  SCardDisconnect(card_, SCARD_LEAVE_CARD);
  card_ = 0;
}

rsp::Bytes PcscClient::atr() {
  rsp::Bytes atr(MAX_ATR_SIZE);
  DWORD atr_size = static_cast<DWORD>(atr.size());
  DWORD state = 0;
  DWORD protocol = 0;
  char name[MAX_READERNAME];
  DWORD name_size = sizeof name;
  check(SCardStatus(card_, name, &name_size, &state, &protocol, atr.data(), &atr_size), "SCardStatus");
  atr.resize(atr_size);
  return atr;
}

rsp::Bytes PcscClient::transmit(rsp::ByteView command_apdu) {
  const SCARD_IO_REQUEST* pci = protocol_ == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
  rsp::Bytes response(MAX_BUFFER_SIZE_EXTENDED);
  DWORD size = static_cast<DWORD>(response.size());
  check(SCardTransmit(card_, pci, command_apdu.data(), static_cast<DWORD>(command_apdu.size()), nullptr,
                      response.data(), &size),
        "SCardTransmit");
  response.resize(size);
  return response;
}

}  // namespace euicc::test
