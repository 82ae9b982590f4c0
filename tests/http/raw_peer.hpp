#pragma once
// A raw TCP connection to a server on 127.0.0.1, for peers that misbehave (silent, slow, too many),
// from any loopback address (127.0.0.0/8), so that tests can be two peers at once.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdint>
#include <string>

#include "support/loopback_socket.hpp"

namespace rsp::test {

class RawPeer {
 public:
  explicit RawPeer(uint16_t port, const char* from = "127.0.0.1") : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in source{};
    source.sin_family = AF_INET;
    REQUIRE(inet_pton(AF_INET, from, &source.sin_addr) == 1);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&source), sizeof source) == 0);
    sockaddr_in to = loopback_address(port);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
    timeval limit{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  }
  ~RawPeer() { close(fd_); }
  RawPeer(const RawPeer&) = delete;
  RawPeer& operator=(const RawPeer&) = delete;

  void send_text(const std::string& text) { REQUIRE(try_send(text)); }
  // False when the server has closed the connection meanwhile.
  bool try_send(const std::string& text) {
    return ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
  }
  std::string receive_some() {
    char buffer[4096];
    ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
    return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
  }
  // What comes until the server closes (or the read timeout passes).
  std::string receive_until_closed() {
    std::string out;
    char buffer[4096];
    for (ssize_t n; (n = recv(fd_, buffer, sizeof buffer, 0)) > 0;) out.append(buffer, static_cast<size_t>(n));
    return out;
  }
  // True once the server has closed its side (read returns 0 or an error other than timeout).
  bool closed_by_server() {
    char buffer[256];
    for (;;) {
      ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
      if (n > 0) continue;
      return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
    }
  }

 private:
  int fd_;
};

}  // namespace rsp::test
