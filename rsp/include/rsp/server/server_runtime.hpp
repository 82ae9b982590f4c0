#pragma once
// What every running server holds (the SM-DP+, the SM-DS): its HTTPS listeners and one background
// thread, stopped in that order: running requests finish, then the background work ends.
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <thread>

#include "rsp/http/server.hpp"

namespace rsp::server {

class ServerRuntime {
 public:
  ServerRuntime() = default;
  ServerRuntime(const ServerRuntime&) = delete;
  ServerRuntime& operator=(const ServerRuntime&) = delete;
  ~ServerRuntime() { stop(); }

  void start(std::unique_ptr<http::Server> server, std::function<void(std::stop_token)> background) {
    server_ = std::move(server);
    background_ = std::jthread(std::move(background));
  }
  http::Server& server() { return *server_; }
  uint16_t port(size_t index) const { return server_->port(index); }
  std::optional<uint16_t> port(std::optional<size_t> index) const {
    return index ? std::optional<uint16_t>(server_->port(*index)) : std::nullopt;
  }
  void stop() {
    if (server_) server_->stop();
    if (background_.joinable()) {
      background_.request_stop();
      background_.join();
    }
  }

 private:
  std::unique_ptr<http::Server> server_;
  std::jthread background_;
};

}  // namespace rsp::server
