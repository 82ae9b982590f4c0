#pragma once
// The SQLite driver's group commit (rsp/sql/group_commit.hpp): a VFS over the default one that
// counts every sync and, for a WAL file, leaves the sync of each commit to WalSync::wait(), which
// the committing thread calls once it has let go of the connection. The connection runs with
// synchronous=FULL and checkpoint_fullfsync=ON, so that SQLite asks for SQLITE_SYNC_NORMAL on a
// commit and for SQLITE_SYNC_FULL where the order of writes matters (the WAL header after a
// restart, both files around a checkpoint): those are made at once.
#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

namespace rsp::sql {

// One WAL file's commits and syncs. A commit is numbered when SQLite asks for its sync; wait(n)
// returns once a sync that began after commit n has ended: the first waiter syncs for everyone
// committed so far while the others wait for it, then the next one syncs for those that came later.
class WalSync {
 public:
  explicit WalSync(int fd) : fd_(fd) {}
  ~WalSync();
  WalSync(const WalSync&) = delete;
  WalSync& operator=(const WalSync&) = delete;

  void committed_unsynced();             // SQLite's sync of a commit, left to wait()
  uint64_t commits() const;              // commits so far
  void synced_through(uint64_t commit);  // a sync made by SQLite itself covered commits up to `commit`
  void wait(uint64_t commit);

 private:
  const int fd_;  // our own descriptor of the WAL file, synced outside the connection
  mutable std::mutex mutex_;
  std::condition_variable synced_;
  uint64_t commits_ = 0;
  uint64_t synced_through_ = 0;
  bool syncing_ = false;
};

// The VFS's name for sqlite3_open_v2 (registered on first use).
const char* group_commit_vfs();

// The WalSync of the WAL that `db` (opened with that VFS) has open, if any.
std::shared_ptr<WalSync> wal_sync_of(sqlite3* db);

// After a statement that saw commits up to `commit` of `wal` (its own and others'): waits for
// their sync, or inside a DeferredSync leaves that to the scope's end.
void await_durable(const std::shared_ptr<WalSync>& wal, uint64_t commit);

}  // namespace rsp::sql
