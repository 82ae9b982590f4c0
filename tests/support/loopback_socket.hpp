#pragma once
// Raw TCP sockets on 127.0.0.1 (a listener, a connection), for tests whose peer must do what a real server would
// not: stay silent, or close a connection at a chosen moment.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

namespace rsp::test {

struct LoopbackListener {
  int fd = -1;  // -1: socket, bind or listen failed
  uint16_t port = 0;
};

inline sockaddr_in loopback_address(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// Listening on 127.0.0.1:`port` (0: a free one); the caller closes fd.
inline LoopbackListener listen_on_loopback(uint16_t port = 0, int backlog = 4) {
  LoopbackListener l;
  l.fd = socket(AF_INET, SOCK_STREAM, 0);
  if (l.fd < 0) return l;
  int one = 1;
  setsockopt(l.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address = loopback_address(port);
  socklen_t length = sizeof address;
  if (bind(l.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(l.fd, backlog) != 0 ||
      getsockname(l.fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(l.fd);
    return {};
  }
  l.port = ntohs(address.sin_port);
  return l;
}

// A TCP connection to 127.0.0.1:`port` whose reads give up after `read_timeout_s` seconds; -1 when it fails.
// The caller closes it.
inline int connect_to_loopback(uint16_t port, long read_timeout_s = 10) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address = loopback_address(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  timeval limit{read_timeout_s, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  return fd;
}

}  // namespace rsp::test
