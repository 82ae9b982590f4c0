#pragma once
// Group commit for the SQLite backend: a commit is visible at once, and the caller returns only
// after a sync of the WAL that covers it; one sync covers every commit made before it started, by
// any thread. A request wraps its store calls in one DeferredSync, so that all of its commits cost
// one sync at most, shared with the concurrent requests' commits, and its answer still goes out
// only once they are durable. PostgreSQL commits are durable on their own (DeferredSync does
// nothing there).
#include <cstdint>

namespace rsp::sql {

// While one lives on a thread, that thread's SQLite statements return once committed without
// waiting for their sync; the outermost one's destructor waits until a sync covers every commit
// those statements made or read. A sync that fails ends the process: what was committed may be
// lost, and the requests already answered cannot be taken back (PostgreSQL does the same).
class DeferredSync {
 public:
  DeferredSync();
  ~DeferredSync();
  DeferredSync(const DeferredSync&) = delete;
  DeferredSync& operator=(const DeferredSync&) = delete;
};

// The fsync/fdatasync calls made so far for the SQLite databases of this process (WAL group syncs,
// WAL header and checkpoint syncs, database file syncs).
uint64_t sqlite_sync_count();

}  // namespace rsp::sql
