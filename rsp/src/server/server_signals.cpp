#include "rsp/server/server_signals.hpp"

#include <csignal>

#include "rsp/server/log.hpp"

namespace rsp::server {
namespace {

sigset_t server_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

ServerSignals::ServerSignals() {
  sigset_t set = server_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int ServerSignals::wait(const std::function<Status<>()>& reload) const {
  sigset_t set = server_signals();
  for (;;) {
    int signal = 0;
    if (sigwait(&set, &signal) != 0 || signal != SIGHUP) return signal;
    if (auto reloaded = reload(); reloaded)
      log_line({{"event", "reloaded"}});
    else
      log_line({{"event", "reload-failed"}, {"error", reloaded.error().message}});
  }
}

}  // namespace rsp::server
