#include "modem_emulator.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>

#include "rsp/apdu.hpp"
#include "rsp/bytes.hpp"

namespace ipa::test {
namespace {

// `N,"HEX"` or `N,HEX`: the hex text, when N counts its characters.
std::optional<rsp::Bytes> length_and_hex(std::string_view text) {
  size_t comma = text.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  std::string_view hex = text.substr(comma + 1);
  if (hex.size() >= 2 && hex.front() == '"' && hex.back() == '"') hex = hex.substr(1, hex.size() - 2);
  std::string length(text.substr(0, comma));
  if (length.empty() || length.find_first_not_of("0123456789") != std::string::npos || std::stoul(length) != hex.size())
    return std::nullopt;
  return rsp::from_hex(hex);
}

std::string with_length(std::string_view name, const rsp::Bytes& response) {
  std::string hex = rsp::to_hex(response);
  return std::string(name) + ": " + std::to_string(hex.size()) + ",\"" + hex + "\"\r\n\r\nOK";
}

}  // namespace

ModemEmulator::ModemEmulator(euicc::Card& card, ModemOptions options) : card_(card), options_(std::move(options)) {
  master_ = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (master_ < 0 || grantpt(master_) != 0 || unlockpt(master_) != 0 || !ptsname(master_))
    throw std::runtime_error("modem emulator: no pseudo-terminal");
  slave_path_ = ptsname(master_);
  slave_ = ::open(slave_path_.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave_ < 0) throw std::runtime_error("modem emulator: cannot open " + slave_path_);
  termios tty{};
  tcgetattr(slave_, &tty);
  cfmakeraw(&tty);  // no echo or line editing by the terminal itself: the modem echoes, as one does
  tcsetattr(slave_, TCSANOW, &tty);
  thread_ = std::thread([this] { serve(); });
}

ModemEmulator::~ModemEmulator() {
  stop_ = true;
  thread_.join();
  ::close(slave_);
  ::close(master_);
}

std::vector<std::string> ModemEmulator::commands() const {
  std::lock_guard lock(mutex_);
  return commands_;
}

size_t ModemEmulator::open_sessions() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void ModemEmulator::serve() {
  std::string pending;
  bool echo = true;  // until ATE0, as a modem after power-up
  int count = 0;
  while (!stop_) {
    pollfd p{master_, POLLIN, 0};
    if (poll(&p, 1, 20) <= 0 || !(p.revents & POLLIN)) continue;
    char buffer[1024];
    ssize_t n = ::read(master_, buffer, sizeof buffer);
    if (n <= 0) continue;
    pending.append(buffer, static_cast<size_t>(n));
    for (size_t end; (end = pending.find_first_of("\r\n")) != std::string::npos;) {
      std::string line = pending.substr(0, end);
      pending.erase(0, end + 1);
      if (line.empty()) continue;
      {
        std::lock_guard lock(mutex_);
        commands_.push_back(line);
      }
      std::string out;
      if (echo) out += line + "\r";
      if (options_.unsolicited_every > 0 && ++count % options_.unsolicited_every == 0)
        out += "\r\n+CREG: 1\r\n\r\nRING\r\n";
      if (line == "ATE0") echo = false;
      out += "\r\n" + answer(line) + "\r\n";
      // An IPA gone without reading its answers: the answer is dropped after a second, not waited for.
      for (std::string_view left = out; !left.empty();) {
        ssize_t written = ::write(master_, left.data(), left.size());
        if (written < 0 && errno == EINTR) continue;
        if (written < 0 && errno == EAGAIN) {
          pollfd w{master_, POLLOUT, 0};
          if (poll(&w, 1, 1000) > 0) continue;
        }
        if (written <= 0) break;
        left.remove_prefix(static_cast<size_t>(written));
      }
    }
  }
}

rsp::Bytes ModemEmulator::card_transmit(rsp::Bytes apdu) { return card_.transmit(apdu); }

// The answer to one command line, information text and final result code, without the outer CR LF.
std::string ModemEmulator::answer(const std::string& line) {
  if (options_.refuse)
    if (auto refused = options_.refuse(line)) return *refused;
  if (line == "AT" || line == "ATE0") return "OK";
  if (line.starts_with("AT+CSIM=")) {
    auto apdu = length_and_hex(std::string_view(line).substr(8));
    if (!apdu || apdu->size() < 4) return "+CME ERROR: 50";  // incorrect parameters
    return with_length("+CSIM", card_transmit(std::move(*apdu)));
  }
  if (line.starts_with("AT+CCHO=")) {
    if (!options_.ccho) return "ERROR";
    std::string_view aid_text = std::string_view(line).substr(8);
    if (aid_text.size() >= 2 && aid_text.front() == '"' && aid_text.back() == '"')
      aid_text = aid_text.substr(1, aid_text.size() - 2);
    auto aid = rsp::from_hex(aid_text);
    if (!aid || aid->empty() || aid->size() > 16) return "+CME ERROR: 50";
    // MANAGE CHANNEL open, then SELECT by AID on the new channel (its FCI fetched and dropped).
    rsp::Bytes opened = card_transmit({0x00, 0x70, 0x00, 0x00, 0x01});
    if (opened.size() != 3 || opened[1] != 0x90) return "+CME ERROR: 4";
    uint8_t channel = opened[0];
    rsp::Bytes select{rsp::apdu::cla_for_channel(0x00, channel), 0xA4, 0x04, 0x00, static_cast<uint8_t>(aid->size())};
    select.insert(select.end(), aid->begin(), aid->end());
    select.push_back(0x00);
    rsp::Bytes selected = card_transmit(select);
    while (selected.size() >= 2 && selected[selected.size() - 2] == 0x61)
      selected = card_transmit({rsp::apdu::cla_for_channel(0x00, channel), 0xC0, 0x00, 0x00, selected.back()});
    if (selected.size() < 2 || selected[selected.size() - 2] != 0x90) {
      card_transmit({0x00, 0x70, 0x80, channel});
      return "+CME ERROR: 10";  // SIM not inserted: what modems say for an unknown AID
    }
    std::lock_guard lock(mutex_);
    unsigned session = next_session_;
    next_session_ += 7;  // handles, not channel numbers
    sessions_[session] = channel;
    return (options_.bare_ccho_answer ? "" : "+CCHO: ") + std::to_string(session) + "\r\n\r\nOK";
  }
  if (line.starts_with("AT+CGLA=") || line.starts_with("AT+CCHC=")) {
    std::string_view rest = std::string_view(line).substr(8);
    size_t comma = rest.find(',');
    std::string id(rest.substr(0, comma));
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) return "+CME ERROR: 50";
    std::optional<uint8_t> channel;
    {
      std::lock_guard lock(mutex_);
      if (auto at = sessions_.find(static_cast<unsigned>(std::stoul(id))); at != sessions_.end()) channel = at->second;
      if (channel && line.starts_with("AT+CCHC=")) sessions_.erase(static_cast<unsigned>(std::stoul(id)));
    }
    if (!channel) return "+CME ERROR: 21";  // invalid index
    if (line.starts_with("AT+CCHC=")) {
      card_transmit({0x00, 0x70, 0x80, *channel});
      return "OK";
    }
    if (comma == std::string_view::npos) return "+CME ERROR: 50";
    auto apdu = length_and_hex(rest.substr(comma + 1));
    if (!apdu || apdu->size() < 4) return "+CME ERROR: 50";
    // The modem puts its channel into the CLA; the IPA sent it as for the basic channel.
    if (((*apdu)[0] & 0x43) != 0) return "+CME ERROR: 50";
    (*apdu)[0] = rsp::apdu::cla_for_channel((*apdu)[0], *channel);
    return with_length("+CGLA", card_transmit(std::move(*apdu)));
  }
  return "ERROR";
}

}  // namespace ipa::test
