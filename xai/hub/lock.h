// tensorflow_hub's download lock (<entry>.lock), usable by xai and Python at
// once. Not thread-safe: one EntryLock per resolving thread.
#ifndef XAI_HUB_LOCK_H_
#define XAI_HUB_LOCK_H_

#include <memory>
#include <string>

#include "xai/base/status.h"
#include "xai/hub/layout.h"
#include "xai/hub/options.h"

namespace xai::hub {

class EntryLock {
 public:
  // Blocks until this process holds `entry.lock`, or returns nullptr as soon
  // as `entry.dir` is cached (someone else finished). While waiting, a lock
  // whose owner made no progress (same contents, same staging size) for
  // options.lock_timeout_s, or whose owner is a dead process on this host, is
  // taken over. PermissionDenied/NotFound if the lock cannot be created at all.
  static StatusOr<std::unique_ptr<EntryLock>> Acquire(const EntryPaths& entry, const HubOptions& options);

  // Removes the lock file if it still holds this process's contents.
  ~EntryLock();
  EntryLock(const EntryLock&) = delete;
  EntryLock& operator=(const EntryLock&) = delete;

  const std::string& uid() const { return uid_; }

 private:
  EntryLock(std::string path, std::string uid, std::string contents)
      : path_(std::move(path)), uid_(std::move(uid)), contents_(std::move(contents)) {}
  std::string path_, uid_, contents_;
};

// Removes `lock_path` if it still holds `expected` (stealing a stale lock).
// Rename-then-check keeps a fresh lock that replaced the stale one.
void RemoveLockIfUnchanged(const std::string& lock_path, const std::string& expected, const std::string& uid);

}  // namespace xai::hub

#endif  // XAI_HUB_LOCK_H_
