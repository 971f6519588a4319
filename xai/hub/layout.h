// Names and file formats of tensorflow_hub's cache (tensorflow_hub 0.16:
// resolver.py, compressed_module_resolver.py), so that Python and xai share
// one cache. For an entry directory <m> = <root>/<sha1(handle)>:
//   <m>/                    the extracted model, exactly as in the archive
//   <m>.descriptor.txt      informational: handle, download time, host, pid
//   <m>.lock                present while someone downloads: "<host>.<pid>.<uid>"
//   <m>.<uid>.tmp/          the downloader's staging directory
//   <m>.sha256              xai only: SHA-256 of the archive the entry came from
#ifndef XAI_HUB_LAYOUT_H_
#define XAI_HUB_LAYOUT_H_

#include <cstdint>
#include <string>

#include "xai/base/status.h"

namespace xai::hub {

// The cache root: `override_dir` if not empty, else $TFHUB_CACHE_DIR if not
// empty, else <temp dir>/tfhub_modules where the temp dir is the first of
// $TMPDIR, $TEMP, $TMP that is a writable directory, else /tmp (Python's
// tempfile.gettempdir()). Always absolute.
std::string CacheRoot(const std::string& override_dir);

// Paths of one cache entry.
struct EntryPaths {
  std::string root;        // cache root (absolute)
  std::string name;        // sha1 hex of the handle
  std::string dir;         // <root>/<name>
  std::string lock;        // <dir>.lock
  std::string descriptor;  // <dir>.descriptor.txt
  std::string sha256;      // <dir>.sha256 (xai's record of the archive digest)
  std::string Staging(const std::string& uid) const { return dir + "." + uid + ".tmp"; }
};

// xai writes its lock contents to <staging>/xai-owner, so that a staging
// directory can be told apart from a dead process's even after its lock was
// taken over.
std::string StagingOwnerFile(const std::string& staging);

// True if the staging directory at `path` belongs to no live download: its
// xai-owner is a process on this host that is gone, or (owner on another
// host, or none: tensorflow_hub's staging directories carry no owner) nothing
// in it changed for `idle_s` seconds.
bool StagingAbandoned(const std::string& path, double idle_s);
EntryPaths EntryFor(const std::string& root, const std::string& handle);
EntryPaths EntryNamed(const std::string& root, const std::string& name);

// 32 random lowercase hex digits (uuid4().hex's shape).
std::string NewTaskUid();

std::string HostName();

// "<host>.<pid>.<uid>", no newline.
std::string LockContents(const std::string& uid);

// The fields of a lock file's contents. Host names may contain dots, so the
// uid is the last field and the pid the one before it (tensorflow_hub reads
// only the last).
struct LockOwner {
  std::string host;
  long pid = -1;  // -1 if the contents do not have the "<host>.<pid>.<uid>" shape
  std::string uid;
};
LockOwner ParseLockContents(const std::string& contents);

// True if the owner runs on this host and its process is gone.
bool OwnerIsDeadHere(const LockOwner& owner);

// "Module: <handle>\nDownload Time: <local time>\nDownloader Hostname: <host> (PID:<pid>)"
// with Python's str(datetime) time format ("2025-01-17 04:09:38.123456";
// microseconds omitted when zero).
std::string DescriptorText(const std::string& handle);

// The handle recorded in a descriptor ("" if none).
std::string DescriptorHandle(const std::string& descriptor_text);

// tensorflow_hub's size text: "512B", "1.50kB", "3.20MB", "1.00GB".
std::string ReadableSize(uint64_t bytes);

}  // namespace xai::hub

#endif  // XAI_HUB_LAYOUT_H_
