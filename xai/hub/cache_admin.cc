#include "xai/hub/cache_admin.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <regex>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "xai/hub/fs.h"
#include "xai/hub/hash.h"
#include "xai/hub/layout.h"

namespace xai::hub {
namespace {

// The entry name a cache file belongs to ("" for foreign files).
std::string EntryNameOf(const std::string& file) {
  std::string head = file.substr(0, 40);
  if (!IsHex(head, 40) || (file.size() > 40 && file[40] != '.')) return "";
  return head;
}

// Contents of a lock held by a live (or unknown) process; "" if none.
std::string LiveLock(const EntryPaths& e) {
  StatusOr<std::string> contents = ReadSmallFile(e.lock);
  if (!contents.ok() || OwnerIsDeadHere(ParseLockContents(*contents))) return "";
  return contents->empty() ? "?" : *contents;
}

CachedModel Describe(const std::string& root, const std::string& name) {
  EntryPaths e = EntryNamed(root, name);
  CachedModel m;
  m.name = name;
  m.dir = e.dir;
  m.complete = IsNonEmptyDirectory(e.dir);
  m.bytes = TreeSize(e.dir);
  m.lock_owner = LiveLock(e);
  StatusOr<std::string> descriptor = ReadSmallFile(e.descriptor);
  if (descriptor.ok()) {
    m.handle = DescriptorHandle(*descriptor);
    static const std::regex kTime("\nDownload Time: ([^\n]*)");
    std::smatch match;
    if (std::regex_search(*descriptor, match, kTime)) m.download_time = match[1];
  }
  StatusOr<std::string> digest = ReadSmallFile(e.sha256);
  if (digest.ok()) m.sha256 = std::string(absl::StripAsciiWhitespace(*digest));
  return m;
}

bool IsTempFile(const std::string& name) {
  static const std::regex kTemp(R"(.*(\.tmp[0-9a-f]{32}|\.tmp\.[0-9]+|\.lock\.stale\.[0-9a-f]{32})$)");
  return std::regex_match(name, kTemp);
}

bool IsStaging(const std::string& name, std::string* uid) {
  static const std::regex kStaging(R"([0-9a-f]{40}\.([0-9a-f]{32})\.tmp)");
  std::smatch match;
  if (!std::regex_match(name, match, kStaging)) return false;
  *uid = match[1];
  return true;
}

// Why `name` in the cache is garbage; "" if it is not.
std::string GarbageReason(const std::string& root, const std::string& name, double min_temp_age_s) {
  if (IsTempFile(name)) {
    return AgeSeconds(root + "/" + name) >= min_temp_age_s ? "temporary file of an interrupted write" : "";
  }
  std::string entry = EntryNameOf(name);
  if (entry.empty()) return "";
  EntryPaths e = EntryNamed(root, entry);
  std::string live = LiveLock(e);
  std::string uid;
  if (IsStaging(name, &uid)) {
    const char* kAbandoned = "staging directory of an abandoned download";
    StatusOr<std::string> lock = ReadSmallFile(e.lock);
    if (lock.ok() && ParseLockContents(*lock).uid == uid) return live.empty() ? kAbandoned : "";
    return StagingAbandoned(root + "/" + name, min_temp_age_s) ? kAbandoned : "";
  }
  if (name == entry + ".lock") return live.empty() ? "lock of a dead process" : "";
  if (!live.empty()) return "";
  if (name == entry) return IsNonEmptyDirectory(e.dir) ? "" : "empty entry directory";
  if (name == entry + ".descriptor.txt" || name == entry + ".sha256") {
    return IsNonEmptyDirectory(e.dir) ? "" : "record of a model that is not cached";
  }
  return "";
}

}  // namespace

StatusOr<std::vector<CachedModel>> ListCache(const std::string& root) {
  std::vector<CachedModel> out;
  if (!IsDirectory(root)) return out;
  XAI_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(root));
  std::set<std::string> entries;
  for (const std::string& name : names) {
    std::string entry = EntryNameOf(name);
    if (!entry.empty() && (name == entry ? IsDirectory(root + "/" + name) : name == entry + ".lock")) {
      entries.insert(entry);
    }
  }
  for (const std::string& entry : entries) out.push_back(Describe(root, entry));
  return out;
}

StatusOr<std::string> RemoveCached(const std::string& root, const std::string& handle) {
  EntryPaths e = EntryFor(root, handle);
  std::string live = LiveLock(e);
  if (!live.empty()) {
    return absl::FailedPreconditionError("'" + handle + "' is being downloaded (lock " + e.lock + " held by " +
                                         live + "); try again when it is done");
  }
  if (!PathExists(e.dir)) return absl::NotFoundError("'" + handle + "' is not in the cache " + root);
  std::string aside = e.Staging(NewTaskUid());
  if (std::rename(e.dir.c_str(), aside.c_str()) != 0) {
    return absl::PermissionDeniedError("cannot remove '" + e.dir + "': " + ErrnoText());
  }
  XAI_RETURN_IF_ERROR(RemoveRecursively(aside));
  XAI_RETURN_IF_ERROR(RemoveRecursively(e.descriptor));
  XAI_RETURN_IF_ERROR(RemoveRecursively(e.sha256));
  return e.dir;
}

StatusOr<std::vector<Garbage>> CollectGarbage(const std::string& root, bool dry_run, double min_temp_age_s) {
  std::vector<Garbage> out;
  if (!IsDirectory(root)) return out;
  XAI_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(root));
  std::sort(names.begin(), names.end());
  // Locks last: a staging directory is judged while its lock is still there.
  std::stable_partition(names.begin(), names.end(), [](const std::string& n) { return !absl::EndsWith(n, ".lock"); });
  for (const std::string& name : names) {
    std::string reason = GarbageReason(root, name, min_temp_age_s);
    if (reason.empty()) continue;
    std::string path = root + "/" + name;
    out.push_back({path, reason, TreeSize(path)});
    if (!dry_run) XAI_RETURN_IF_ERROR(RemoveRecursively(path));
  }
  return out;
}

}  // namespace xai::hub
