// Whole-file reads and crash-safe writes.
#ifndef XAI_BASE_FILE_UTIL_H_
#define XAI_BASE_FILE_UTIL_H_

#include <string>

#include "xai/base/status.h"

namespace xai {

// Reads all of `path`; "-" means standard input. NotFound when the file is absent.
StatusOr<std::string> ReadFileOrStdin(const std::string& path);

// Writes `contents` to `path` through a temporary file in the same directory
// that is renamed into place, so readers see either the old file or the whole
// new one, never a partial write.
Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace xai

#endif  // XAI_BASE_FILE_UTIL_H_
