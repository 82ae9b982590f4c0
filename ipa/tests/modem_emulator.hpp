#pragma once
// A small modem for the AT transport's tests: a pseudo-terminal pair whose master side answers AT
// commands in a thread of its own (3GPP TS 27.007 +CCHO/+CGLA/+CCHC and +CSIM), forwarding the
// APDUs to a software eUICC in-process. The IPA opens slave_path() as at:/dev/pts/N. The card is
// only touched by the modem's thread while it runs.
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "euicc/card.hpp"

namespace ipa::test {

struct ModemOptions {
  // false: AT+CCHO answers ERROR, as modems without logical channel commands do (CSIM only).
  bool ccho = true;
  // The session id as the standard writes it ("7") instead of "+CCHO: 7".
  bool bare_ccho_answer = false;
  // Every n-th command gets "+CREG: 1" (and a RING) before its answer; 0: never.
  int unsolicited_every = 0;
  // Sees each command line; a final result it returns ("+CME ERROR: 13") is the whole answer.
  std::function<std::optional<std::string>(const std::string&)> refuse;
};

class ModemEmulator {
 public:
  ModemEmulator(euicc::Card& card, ModemOptions options = {});
  ~ModemEmulator();
  ModemEmulator(const ModemEmulator&) = delete;
  ModemEmulator& operator=(const ModemEmulator&) = delete;

  const std::string& slave_path() const { return slave_path_; }
  // Every command line received so far, in order.
  std::vector<std::string> commands() const;
  // Sessions opened by +CCHO and not yet closed by +CCHC.
  size_t open_sessions() const;

 private:
  void serve();
  std::string answer(const std::string& line);
  rsp::Bytes card_transmit(rsp::Bytes apdu);

  euicc::Card& card_;
  ModemOptions options_;
  int master_ = -1;
  int slave_ = -1;  // held open so the master never sees a hang-up between two IPA runs
  std::string slave_path_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> commands_;
  std::map<unsigned, uint8_t> sessions_;  // session id -> the card's logical channel
  unsigned next_session_ = 1000;
  std::thread thread_;
};

}  // namespace ipa::test
