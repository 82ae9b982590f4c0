#pragma once
// The signals a server process (smdp, smds, eim serve) obeys: SIGINT and SIGTERM stop it, SIGHUP
// reloads what can change without a restart (rsp/server/reload.hpp). They are blocked in every
// thread and taken by sigwait() alone, so no handler runs inside the server's threads.
#include <functional>

#include "rsp/expected.hpp"

namespace rsp::server {

class ServerSignals {
 public:
  // Blocks the three signals in the calling thread and in the threads it starts later: construct
  // it before the server starts.
  ServerSignals();
  // Returns the first SIGINT or SIGTERM. Each SIGHUP before it calls `reload` and logs
  // event=reloaded, or event=reload-failed with the error (the running configuration stays).
  int wait(const std::function<Status<>()>& reload) const;
};

}  // namespace rsp::server
