#pragma once
// PC/SC for tests without touching the system's pcscd: PrivatePcscd runs a pcscd of its own with
// one vpcd reader (Debian packages pcscd and vsmartcard-vpcd), and PcscClient is a small
// libpcsclite client that talks to it. A card gets into the reader by connecting to vpcd_port():
// in-process with euicc::connect_vpcd, or as a program with `euicc-sim --vpcd 127.0.0.1:PORT`.
//
// How it stays private (pcsc-lite 1.9.9): libpcsclite finds pcscd through $PCSCLITE_CSOCK_NAME,
// but the daemon ignores that variable and always uses /run/pcscd/pcscd.comm. It does accept its
// socket from systemd (LISTEN_FDS/LISTEN_PID), so the harness creates the socket in a temporary
// directory and hands it over. pcscd still writes /run/pcscd/pcscd.pid; where the process may make
// a mount namespace (root), /run/pcscd is that temporary directory too, and nothing is shared.
#include <pcsclite.h>
#include <winscard.h>

#include <sys/types.h>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "rsp/bytes.hpp"

namespace euicc::test {

class PrivatePcscd {
 public:
  // Starts pcscd and waits until its reader is up. When pcscd or the vpcd driver is not
  // installed, or pcscd cannot run here, it prints why and exits with 77 (ctest: skipped).
  PrivatePcscd();
  ~PrivatePcscd();
  PrivatePcscd(const PrivatePcscd&) = delete;
  PrivatePcscd& operator=(const PrivatePcscd&) = delete;

  // Where vpcd waits for the card (slot 0 of the reader; slot 1 listens on the port after it).
  uint16_t vpcd_port() const { return port_; }
  // The PC/SC name of that slot.
  std::string reader_name() const { return std::string(kFriendlyName) + " 00 00"; }
  // SIGTERM and a fresh start on the same socket and port, as when pcscd is restarted.
  void restart();
  // True when /run/pcscd was private too (see above).
  bool isolated() const;
  // pcscd's own output (debug level, with APDUs), for failure messages.
  std::string log() const;

  static constexpr const char* kFriendlyName = "euicc-sim vpcd";

 private:
  void start();
  void stop();

  std::filesystem::path dir_;  // the socket, reader.conf, the log, and /run/pcscd when isolated
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// A PC/SC context; the PrivatePcscd must exist first (it sets PCSCLITE_CSOCK_NAME). Failures
// throw std::runtime_error with pcsc-lite's text.
class PcscClient {
 public:
  PcscClient();
  ~PcscClient();
  PcscClient(const PcscClient&) = delete;
  PcscClient& operator=(const PcscClient&) = delete;

  std::vector<std::string> readers();
  // Waits until `reader` reports a card; false after `timeout`.
  bool wait_for_card(const std::string& reader, std::chrono::milliseconds timeout);
  // Shared access, T=0 or T=1 as the reader and card agree.
  void connect(const std::string& reader);
  void disconnect();
  DWORD protocol() const { return protocol_; }
  rsp::Bytes atr();
  rsp::Bytes transmit(rsp::ByteView command_apdu);

 private:
  SCARDCONTEXT context_ = 0;
  SCARDHANDLE card_ = 0;
  DWORD protocol_ = 0;
};

}  // namespace euicc::test
