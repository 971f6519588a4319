#include "xai/hub/lock.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "xai/hub/fs.h"
#include "xai/hub/interrupt.h"

namespace xai::hub {
namespace {

using Clock = std::chrono::steady_clock;

// What a waiter last saw of the owner; unchanged for lock_timeout_s = stale.
struct Observation {
  std::string contents;
  uint64_t staging_bytes = 0;
  Clock::time_point since;
};

Observation Observe(const EntryPaths& entry, const std::string& contents) {
  LockOwner owner = ParseLockContents(contents);
  return {contents, TreeSize(entry.Staging(owner.uid)), Clock::now()};
}

// True when the lock should be taken over now.
bool IsStale(const EntryPaths& entry, const HubOptions& options, Observation& seen, const std::string& contents) {
  if (OwnerIsDeadHere(ParseLockContents(contents))) return true;
  Observation now = Observe(entry, contents);
  if (now.contents != seen.contents || now.staging_bytes != seen.staging_bytes) {
    seen = now;
    return false;
  }
  return std::chrono::duration<double>(Clock::now() - seen.since).count() >= options.lock_timeout_s;
}

void Notify(const HubOptions& options, const std::string& text) {
  if (options.notice) options.notice(text);
}

// Waits until the lock is gone, the entry is cached, or the lock went stale
// (then removed). Returns Cancelled on SIGINT/SIGTERM.
Status WaitForLock(const EntryPaths& entry, const HubOptions& options, const std::string& uid) {
  Observation seen;
  seen.since = Clock::now();
  bool first = true;
  auto poll = std::chrono::milliseconds(20);
  while (!IsNonEmptyDirectory(entry.dir)) {
    XAI_RETURN_IF_ERROR(CheckNotInterrupted());
    StatusOr<std::string> contents = ReadSmallFile(entry.lock);
    if (!contents.ok()) return absl::OkStatus();  // released
    if (first) {
      seen = Observe(entry, *contents);
      Notify(options, "waiting for another download of this model (lock " + entry.lock + " held by " + *contents + ")");
      first = false;
    } else if (IsStale(entry, options, seen, *contents)) {
      Notify(options, "taking over stale lock " + entry.lock + " (held by " + *contents + ")");
      RemoveLockIfUnchanged(entry.lock, *contents, uid);
      return absl::OkStatus();
    }
    std::this_thread::sleep_for(poll);
    poll = std::min(poll * 2, std::chrono::milliseconds(500));
  }
  return absl::OkStatus();
}

}  // namespace

void RemoveLockIfUnchanged(const std::string& lock_path, const std::string& expected, const std::string& uid) {
  std::string aside = lock_path + ".stale." + uid;
  if (std::rename(lock_path.c_str(), aside.c_str()) != 0) return;
  StatusOr<std::string> taken = ReadSmallFile(aside);
  if (taken.ok() && *taken != expected) {
    // A fresh lock replaced the stale one in between: put it back if nobody
    // locked since (a second download would be wasteful, never wrong).
    if (::link(aside.c_str(), lock_path.c_str()) != 0) { /* someone else locked */ }
  }
  ::unlink(aside.c_str());
}

StatusOr<std::unique_ptr<EntryLock>> EntryLock::Acquire(const EntryPaths& entry, const HubOptions& options) {
  std::string uid = NewTaskUid();
  std::string contents = LockContents(uid);
  while (true) {
    XAI_RETURN_IF_ERROR(CheckNotInterrupted());
    Status created = CreateFileNoReplace(entry.lock, contents, ".tmp" + uid);
    if (created.ok()) return std::unique_ptr<EntryLock>(new EntryLock(entry.lock, uid, contents));
    if (!absl::IsAlreadyExists(created)) return created;
    XAI_RETURN_IF_ERROR(WaitForLock(entry, options, uid));
    if (IsNonEmptyDirectory(entry.dir)) return std::unique_ptr<EntryLock>();
  }
}

EntryLock::~EntryLock() {
  StatusOr<std::string> now = ReadSmallFile(path_);
  if (now.ok() && *now == contents_) ::unlink(path_.c_str());
}

}  // namespace xai::hub
