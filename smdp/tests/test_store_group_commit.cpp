// The SQLite store's group commit (rsp/sql/group_commit.hpp): a request's commits cost one sync,
// concurrent requests share syncs, and what was answered survives a kill -9 of the process
// mid-run, neither lost nor given out twice.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <latch>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "rsp/sql/group_commit.hpp"
#include "store_backends.hpp"

using namespace smdp;
using namespace smdp::test;

namespace {

std::string inventory_iccid(int i) { return "89000000000000" + std::to_string(10000 + i); }

// `count` available profiles of operator-a's type "iot-basic".
std::string inventory(int count) {
  std::string url = SqliteBackend::fresh_url();
  auto store = open_or_fail(url);
  for (int i = 0; i < count; ++i) {
    ProfileRecord p = make_profile(inventory_iccid(i));
    REQUIRE(store->add_profile(p));
  }
  return url;
}

// What an ES9+ call does with the order (authenticateClient): takes an available profile for one
// device, in one DeferredSync as Es9Plus does. The ICCID once durable; nullopt when none is left.
std::optional<std::string> claim(Store& store, const std::string& eid) {
  const rsp::sql::DeferredSync one_sync;
  for (;;) {
    auto found = store.available_profile("operator-a", "iot-basic");
    if (!found || !*found) return std::nullopt;
    ProfileRecord p = std::move(**found);
    p.state = ProfileState::allocated;
    p.eid = eid;
    auto written = store.update_profile(p);
    if (!written) return std::nullopt;
    if (*written) return p.iccid;
  }
}

}  // namespace

TEST_CASE("SQLite group commit: a call's commits cost one sync, awaited before it returns", "[store][sqlite][sync]") {
  std::string url = inventory(3);
  auto store = open_or_fail(url);
  std::vector<ProfileRecord> profiles;
  for (int i = 0; i < 3; ++i) profiles.push_back(store->profile(inventory_iccid(i)).value().value());

  // Outside a DeferredSync every commit is synced before the call returns (the first write of this
  // connection also syncs the new WAL header: not measured).
  profiles[0].state = ProfileState::unavailable;
  REQUIRE(store->update_profile(profiles[0]).value());
  uint64_t before = rsp::sql::sqlite_sync_count();
  profiles[0].state = ProfileState::available;
  REQUIRE(store->update_profile(profiles[0]).value());
  CHECK(rsp::sql::sqlite_sync_count() - before == 1);

  before = rsp::sql::sqlite_sync_count();
  {
    const rsp::sql::DeferredSync one_sync;
    for (auto& p : profiles) {
      p.state = ProfileState::error;
      REQUIRE(store->update_profile(p).value());
    }
    CHECK(rsp::sql::sqlite_sync_count() == before);  // committed (visible), not yet synced
    CHECK(store->profile(inventory_iccid(2)).value()->state == ProfileState::error);
  }
  CHECK(rsp::sql::sqlite_sync_count() - before == 1);  // three commits, one sync at the scope's end

  before = rsp::sql::sqlite_sync_count();
  CHECK(store->profile(inventory_iccid(1)).value()->state == ProfileState::error);  // nothing left to sync
  CHECK(rsp::sql::sqlite_sync_count() == before);
}

TEST_CASE("SQLite group commit: concurrent calls share syncs, each profile goes to one device",
          "[store][sqlite][sync]") {
  constexpr int kThreads = 4, kProfiles = 120;
  std::string url = inventory(kProfiles);
  auto store = open_or_fail(url);
  std::mutex mutex;
  std::map<std::string, std::string> taken;  // ICCID -> EID
  int duplicates = 0, calls = 0;
  std::latch ready(kThreads);
  const uint64_t before = rsp::sql::sqlite_sync_count();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      ready.arrive_and_wait();
      for (int i = 0;; ++i) {
        std::string eid = std::to_string(t) + "-" + std::to_string(i);
        auto iccid = claim(*store, eid);
        std::lock_guard lock(mutex);
        ++calls;
        if (!iccid) return;
        duplicates += !taken.emplace(*iccid, eid).second;
      }
    });
  for (auto& thread : threads) thread.join();
  const uint64_t syncs = rsp::sql::sqlite_sync_count() - before;
  CHECK(duplicates == 0);
  CHECK(taken.size() == kProfiles);
  // Each call commits at most once or twice (a lost race re-reads) and waits once; a wait leads at
  // most one sync, and joins another's when one is under way.
  INFO(syncs << " syncs for " << calls << " calls");
  CHECK(syncs <= static_cast<uint64_t>(calls));
  CHECK(syncs >= 1);
}

TEST_CASE("SQLite group commit: what was answered survives kill -9, none lost or given twice",
          "[store][sqlite][sync]") {
  constexpr int kProfiles = 400, kThreads = 4, kAnsweredBeforeKill = 40;
  std::string url = inventory(kProfiles);
  int answers[2];
  REQUIRE(pipe(answers) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The "SM-DP+": threads take profiles for devices and answer (one line each) once durable.
    close(answers[0]);
    auto store = open_store(url);
    if (!store) _exit(3);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0;; ++i) {
          std::string eid = "device-" + std::to_string(t) + "-" + std::to_string(i);
          auto iccid = claim(**store, eid);
          if (!iccid) return;
          std::string line = *iccid + " " + eid + "\n";  // one write under PIPE_BUF: whole or not at all
          if (write(answers[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(4);
        }
      });
    for (auto& thread : threads) thread.join();
    _exit(0);
  }
  close(answers[1]);
  std::string received;
  char buffer[4096];
  bool killed = false;
  for (ssize_t n; (n = read(answers[0], buffer, sizeof buffer)) > 0;) {
    received.append(buffer, static_cast<size_t>(n));
    if (!killed && std::count(received.begin(), received.end(), '\n') >= kAnsweredBeforeKill) {
      kill(child, SIGKILL);
      killed = true;
    }
  }
  close(answers[0]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(killed);
  INFO("child status " << status);
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));

  // Restarted: every answered claim is there, with its device; none was answered twice.
  std::map<std::string, std::string> answered;
  std::istringstream lines(received);
  for (std::string iccid, eid; lines >> iccid >> eid;) CHECK(answered.emplace(iccid, eid).second);
  CHECK(answered.size() >= static_cast<size_t>(kAnsweredBeforeKill));
  auto store = open_or_fail(url);
  for (const auto& [iccid, eid] : answered) {
    auto p = store->profile(iccid).value();
    REQUIRE(p);
    CHECK(p->state == ProfileState::allocated);
    CHECK(p->eid == eid);
  }
  // The store goes on after the restart and never hands out an answered profile again.
  const int64_t left = SqliteBackend::count(url, "SELECT count(*) FROM profiles WHERE state = 'available'");
  CHECK(left <= kProfiles - static_cast<int64_t>(answered.size()));
  std::set<std::string> later;
  for (int i = 0; i < 20; ++i)
    if (auto iccid = claim(*store, "after-restart-" + std::to_string(i))) later.insert(*iccid);
  for (const auto& iccid : later) CHECK_FALSE(answered.contains(iccid));
  CHECK(static_cast<int64_t>(later.size()) == std::min<int64_t>(20, left));
}
