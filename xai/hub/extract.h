// Safe extraction of a model archive (tar, optionally gzip/bzip2/xz
// compressed, as tensorflow_hub accepts) with libarchive.
#ifndef XAI_HUB_EXTRACT_H_
#define XAI_HUB_EXTRACT_H_

#include <cstdint>
#include <string>

#include "xai/base/status.h"

namespace xai::hub {

// Extracts `archive_path` into the existing, empty directory `dest`. Only
// regular files and directories are accepted: an absolute path, a ".."
// component, a symbolic link, a hard link or a device/FIFO/socket entry is an
// InvalidArgument naming the entry, as is a non-tar file, a truncated or
// corrupt archive, an archive without files, or extracted contents larger than
// `max_bytes`. File modes become 0644/0755; owners and times are not kept.
// On error `dest` holds a partial tree: the caller removes it.
// `label` (the handle) starts every message.
Status ExtractModelArchive(const std::string& archive_path, const std::string& dest, uint64_t max_bytes,
                           const std::string& label);

// The archive member name as a relative path inside the destination
// ("" = the destination itself), or InvalidArgument for an absolute path, a
// ".." component or an empty name. "./a//b/./c" -> "a/b/c".
StatusOr<std::string> SafeRelativePath(const std::string& name);

}  // namespace xai::hub

#endif  // XAI_HUB_EXTRACT_H_
