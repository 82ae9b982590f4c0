// Group commit for SQLite: a VFS shim over the default VFS (see sqlite_group_commit.hpp).
#include "sqlite_group_commit.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

#include "rsp/sql/group_commit.hpp"

namespace rsp::sql {
namespace {

std::atomic<uint64_t> g_syncs{0};

// A file of ours: the underlying VFS's file follows it in the same allocation (szOsFile is the sum).
struct GroupFile {
  sqlite3_file base;
  std::shared_ptr<WalSync> wal;  // WAL files only
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};
static_assert(sizeof(GroupFile) % 8 == 0, "the underlying file must stay aligned");

GroupFile* ours(sqlite3_file* file) { return reinterpret_cast<GroupFile*>(file); }
sqlite3_file* real(sqlite3_file* file) { return ours(file)->real(); }
const sqlite3_io_methods& real_methods(sqlite3_file* file) { return *real(file)->pMethods; }

int close_file(sqlite3_file* file) {
  int rc = real_methods(file).xClose(real(file));
  ours(file)->~GroupFile();
  return rc;
}

// RSP_SQLITE_GROUP_COMMIT=off: every commit synced inside SQLite as without this VFS (for comparisons).
bool group_commit_on() {
  static const bool on = [] {
    const char* setting = std::getenv("RSP_SQLITE_GROUP_COMMIT");
    return !setting || std::strcmp(setting, "off") != 0;
  }();
  return on;
}

int sync_file(sqlite3_file* file, int flags) {
  GroupFile* f = ours(file);
  if (f->wal && (flags & 0x0F) == SQLITE_SYNC_NORMAL && group_commit_on()) {
    f->wal->committed_unsynced();
    return SQLITE_OK;
  }
  const uint64_t covered = f->wal ? f->wal->commits() : 0;
  int rc = real_methods(file).xSync(real(file), flags);
  g_syncs.fetch_add(1, std::memory_order_relaxed);
  if (rc == SQLITE_OK && f->wal) f->wal->synced_through(covered);
  return rc;
}

int read_file(sqlite3_file* f, void* out, int n, sqlite3_int64 offset) {
  return real_methods(f).xRead(real(f), out, n, offset);
}
int write_file(sqlite3_file* f, const void* in, int n, sqlite3_int64 offset) {
  return real_methods(f).xWrite(real(f), in, n, offset);
}
int truncate_file(sqlite3_file* f, sqlite3_int64 size) { return real_methods(f).xTruncate(real(f), size); }
int file_size(sqlite3_file* f, sqlite3_int64* size) { return real_methods(f).xFileSize(real(f), size); }
int lock_file(sqlite3_file* f, int level) { return real_methods(f).xLock(real(f), level); }
int unlock_file(sqlite3_file* f, int level) { return real_methods(f).xUnlock(real(f), level); }
int check_reserved_lock(sqlite3_file* f, int* out) { return real_methods(f).xCheckReservedLock(real(f), out); }
int file_control(sqlite3_file* f, int op, void* arg) { return real_methods(f).xFileControl(real(f), op, arg); }
int sector_size(sqlite3_file* f) { return real_methods(f).xSectorSize(real(f)); }
int device_characteristics(sqlite3_file* f) { return real_methods(f).xDeviceCharacteristics(real(f)); }
int shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return real_methods(f).iVersion >= 2 ? real_methods(f).xShmMap(real(f), region, size, extend, out)
                                       : SQLITE_IOERR_SHMMAP;
}
int shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real_methods(f).iVersion >= 2 ? real_methods(f).xShmLock(real(f), offset, n, flags) : SQLITE_IOERR_SHMLOCK;
}
void shm_barrier(sqlite3_file* f) {
  if (real_methods(f).iVersion >= 2) real_methods(f).xShmBarrier(real(f));
}
int shm_unmap(sqlite3_file* f, int remove) {
  return real_methods(f).iVersion >= 2 ? real_methods(f).xShmUnmap(real(f), remove) : SQLITE_OK;
}
int fetch(sqlite3_file* f, sqlite3_int64 offset, int n, void** out) {
  if (real_methods(f).iVersion >= 3) return real_methods(f).xFetch(real(f), offset, n, out);
  *out = nullptr;
  return SQLITE_OK;
}
int unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  return real_methods(f).iVersion >= 3 ? real_methods(f).xUnfetch(real(f), offset, page) : SQLITE_OK;
}

const sqlite3_io_methods kMethods{3,
                                  close_file,
                                  read_file,
                                  write_file,
                                  truncate_file,
                                  sync_file,
                                  file_size,
                                  lock_file,
                                  unlock_file,
                                  check_reserved_lock,
                                  file_control,
                                  sector_size,
                                  device_characteristics,
                                  shm_map,
                                  shm_lock,
                                  shm_barrier,
                                  shm_unmap,
                                  fetch,
                                  unfetch};

sqlite3_vfs* g_real_vfs = nullptr;

int open_file(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* f = new (file) GroupFile{};
  int rc = g_real_vfs->xOpen(g_real_vfs, name, f->real(), flags, out_flags);
  if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) && name) {
    int fd = ::open(name, O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
      f->wal = std::make_shared<WalSync>(fd);
    else
      rc = SQLITE_CANTOPEN;
  }
  if (rc != SQLITE_OK) {
    if (f->real()->pMethods) f->real()->pMethods->xClose(f->real());
    f->~GroupFile();
    file->pMethods = nullptr;
    return rc;
  }
  f->base.pMethods = &kMethods;
  return SQLITE_OK;
}

// The scope's waits, per thread: each WAL and the last commit to wait for.
struct PendingSyncs {
  int depth = 0;
  std::vector<std::pair<std::shared_ptr<WalSync>, uint64_t>> waits;
};
thread_local PendingSyncs t_pending;

}  // namespace

WalSync::~WalSync() { ::close(fd_); }

void WalSync::committed_unsynced() {
  std::lock_guard lock(mutex_);
  ++commits_;
}

uint64_t WalSync::commits() const {
  std::lock_guard lock(mutex_);
  return commits_;
}

void WalSync::synced_through(uint64_t commit) {
  std::lock_guard lock(mutex_);
  if (commit > synced_through_) synced_through_ = commit;
  synced_.notify_all();
}

void WalSync::wait(uint64_t commit) {
  std::unique_lock lock(mutex_);
  while (synced_through_ < commit) {
    if (syncing_) {
      synced_.wait(lock);
      continue;
    }
    // Lead: every commit numbered so far has its frames written before it was numbered.
    syncing_ = true;
    const uint64_t covered = commits_;
    lock.unlock();
    int rc;
    do rc = ::fdatasync(fd_);
    while (rc != 0 && errno == EINTR);
    g_syncs.fetch_add(1, std::memory_order_relaxed);
    if (rc != 0) {
      // The kernel may have dropped the pages it could not write: a retry could succeed on nothing.
      std::fprintf(stderr, "sqlite: syncing the WAL failed (%s): commits may be lost; stopping\n",
                   std::strerror(errno));
      std::abort();
    }
    lock.lock();
    syncing_ = false;
    if (covered > synced_through_) synced_through_ = covered;
    synced_.notify_all();
  }
}

const char* group_commit_vfs() {
  static const char* name = [] {
    static sqlite3_vfs vfs;
    g_real_vfs = sqlite3_vfs_find(nullptr);
    vfs = *g_real_vfs;  // the default VFS's own functions for everything but opening files
    vfs.pNext = nullptr;
    vfs.zName = "rsp-group-commit";
    vfs.szOsFile = static_cast<int>(sizeof(GroupFile)) + g_real_vfs->szOsFile;
    vfs.xOpen = open_file;
    sqlite3_vfs_register(&vfs, 0);
    return vfs.zName;
  }();
  return name;
}

std::shared_ptr<WalSync> wal_sync_of(sqlite3* db) {
  sqlite3_file* journal = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &journal) != SQLITE_OK || !journal ||
      journal->pMethods != &kMethods)
    return nullptr;
  return ours(journal)->wal;
}

void await_durable(const std::shared_ptr<WalSync>& wal, uint64_t commit) {
  if (!wal || commit == 0) return;
  if (t_pending.depth == 0) return wal->wait(commit);
  for (auto& [pending, last] : t_pending.waits)
    if (pending == wal) {
      last = std::max(last, commit);
      return;
    }
  t_pending.waits.emplace_back(wal, commit);
}

DeferredSync::DeferredSync() { ++t_pending.depth; }

DeferredSync::~DeferredSync() {
  if (--t_pending.depth > 0) return;
  auto waits = std::move(t_pending.waits);
  t_pending.waits.clear();
  for (auto& [wal, commit] : waits) wal->wait(commit);
}

uint64_t sqlite_sync_count() { return g_syncs.load(std::memory_order_relaxed); }

}  // namespace rsp::sql
