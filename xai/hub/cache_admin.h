// Looking at and pruning the cache: `xai hub ls`, `xai hub rm`, `xai hub gc`.
// Safe to run while other processes (xai or tensorflow_hub) download: live
// locks and their staging directories are left alone.
#ifndef XAI_HUB_CACHE_ADMIN_H_
#define XAI_HUB_CACHE_ADMIN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "xai/base/status.h"

namespace xai::hub {

struct CachedModel {
  std::string name;           // sha1 hex of the handle
  std::string dir;            // <root>/<name>
  std::string handle;         // from the descriptor; "" if there is none
  std::string download_time;  // from the descriptor
  std::string sha256;         // archive digest recorded by xai; "" if unknown
  uint64_t bytes = 0;         // total size of the files
  bool complete = false;      // the directory exists and is not empty
  std::string lock_owner;     // lock contents while a download runs, else ""
};

// Every entry of the cache at `root`, sorted by name; empty if `root` is missing.
StatusOr<std::vector<CachedModel>> ListCache(const std::string& root);

// Removes the entry of `handle` (directory, descriptor, digest record); returns
// its directory. NotFound if it is not cached; FailedPrecondition while a live
// process holds its lock. The directory is renamed away first, so readers
// never see a half-deleted model.
StatusOr<std::string> RemoveCached(const std::string& root, const std::string& handle);

struct Garbage {
  std::string path;
  std::string reason;
  uint64_t bytes = 0;
};

// Finds (and unless `dry_run` removes) what crashed or killed downloads leave:
// staging directories without their lock whose owner is dead on this host or
// that did not change for `min_temp_age_s`, locks of dead processes on this
// host, empty entry directories, descriptors without a model, and temporary
// files older than `min_temp_age_s`.
StatusOr<std::vector<Garbage>> CollectGarbage(const std::string& root, bool dry_run, double min_temp_age_s = 600);

}  // namespace xai::hub

#endif  // XAI_HUB_CACHE_ADMIN_H_
